"""Starting a cell with posix_spawn(3), called through ctypes so that the interpreter's lock is released.

Why not `subprocess.Popen`: its vfork runs with the GIL held, so while one cell's child is being
scheduled and exec'd (milliseconds on a busy machine) no other thread, the event loop included, runs any
Python; and a terminal needs a controlling TTY, which Popen can only set up with `preexec_fn`, i.e. a
full fork() of the runner plus Python code in the child (~30 ms a cell). glibc's posix_spawn is a
vfork-like clone that does everything a cell needs in C: a new session (POSIX_SPAWN_SETSID), the
working directory, the pipes or the terminal on 0-2, every other descriptor closed, default signal
dispositions and an empty signal mask. A terminal becomes the child's controlling TTY the POSIX way: a
session leader without one that opens a TTY acquires it, so the child opens the terminal's path after
its setsid. ctypes calls release the GIL, so spawns run side by side in worker threads.

Linux with glibc >= 2.29 (posix_spawn_file_actions_addchdir_np); elsewhere `available()` is False and
the runner uses Popen. Stdlib only.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# <spawn.h> flags (the same in glibc and musl).
SETSIGDEF = 0x04
SETSIGMASK = 0x08
SETSID = 0x80
# Reset to their default action in the child: what Popen's restore_signals resets (Python ignores them),
# and glibc's two internal signals (SIGCANCEL, SIGSETXID), which its posix_spawn leaves ignored otherwise.
RESET_SIGNALS = (int(signal.SIGPIPE), int(signal.SIGXFSZ), 32, 33)
_OPAQUE = 1024  # bytes for posix_spawn_file_actions_t / posix_spawnattr_t / sigset_t (80, 336, 128 in glibc)


class _Libc:
    """The libc functions, looked up once; `None` attributes where this libc lacks them."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(None, use_errno=True)
        self.ok = sys.platform.startswith("linux") and all(
            hasattr(lib, name)
            for name in (
                "posix_spawn",
                "posix_spawn_file_actions_init",
                "posix_spawn_file_actions_adddup2",
                "posix_spawn_file_actions_addopen",
                "posix_spawn_file_actions_addchdir_np",
                "posix_spawn_file_actions_destroy",
                "posix_spawnattr_init",
                "posix_spawnattr_setflags",
                "posix_spawnattr_setsigmask",
                "posix_spawnattr_setsigdefault",
                "posix_spawnattr_destroy",
            )
        )
        if not self.ok:
            return
        p, c_int, c_char_p = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
        self.spawn = _fn(lib.posix_spawn, ctypes.POINTER(ctypes.c_int), c_char_p, p, p, p, p)
        self.fa_init = _fn(lib.posix_spawn_file_actions_init, p)
        self.fa_destroy = _fn(lib.posix_spawn_file_actions_destroy, p)
        self.fa_dup2 = _fn(lib.posix_spawn_file_actions_adddup2, p, c_int, c_int)
        self.fa_open = _fn(lib.posix_spawn_file_actions_addopen, p, c_int, c_char_p, c_int, ctypes.c_uint)
        self.fa_chdir = _fn(lib.posix_spawn_file_actions_addchdir_np, p, c_char_p)
        closefrom = getattr(lib, "posix_spawn_file_actions_addclosefrom_np", None)  # glibc >= 2.34
        self.fa_closefrom = _fn(closefrom, p, c_int) if closefrom is not None else None
        self.attr_init = _fn(lib.posix_spawnattr_init, p)
        self.attr_destroy = _fn(lib.posix_spawnattr_destroy, p)
        self.attr_flags = _fn(lib.posix_spawnattr_setflags, p, ctypes.c_short)
        self.attr_sigmask = _fn(lib.posix_spawnattr_setsigmask, p, p)
        self.attr_sigdefault = _fn(lib.posix_spawnattr_setsigdefault, p, p)


def _fn(f: Any, *argtypes: object) -> Any:  # a ctypes foreign function
    f.argtypes = argtypes
    f.restype = ctypes.c_int
    return f


_libc: _Libc | None = None


def _lib() -> _Libc:
    global _libc
    if _libc is None:
        try:
            _libc = _Libc()
        except (OSError, AttributeError):  # no dlopen(NULL) on this platform
            _libc = _Libc.__new__(_Libc)
            _libc.ok = False
    return _libc


def available() -> bool:
    """posix_spawn can start cells here (FENCED_SPAWN=popen in the runner's environment says no: the
    Popen path, for comparison in benchmarks or as a way out on an unusual libc)."""
    return os.environ.get("FENCED_SPAWN") != "popen" and _lib().ok


@dataclass(frozen=True)
class Open:
    """File action: open `path` on descriptor `fd` in the child."""

    fd: int
    path: str
    flags: int


@dataclass(frozen=True)
class Dup:
    """File action: descriptor `fd` of the parent becomes `target` in the child."""

    fd: int
    target: int


def find_program(program: str, env: Mapping[str, str]) -> str:
    """The executable `program` names, looked up in the child's PATH as Popen does; FileNotFoundError."""
    if os.sep in program:
        return program
    for directory in os.get_exec_path(dict(env)):
        candidate = os.path.join(directory, program)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(2, f"No such file or directory: {program!r}", program)


def _cstrings(items: Iterable[bytes]) -> ctypes.Array[ctypes.c_char_p]:
    values: list[Any] = list(items)
    array = (ctypes.c_char_p * (len(values) + 1))()
    array[: len(values)] = values
    return array


def _environ(env: Mapping[str, str]) -> list[bytes]:
    entries = []
    for key, value in env.items():
        k, v = os.fsencode(key), os.fsencode(value)
        if not k or b"=" in k or b"\0" in k or b"\0" in v:
            raise ValueError(f"illegal environment variable: {key!r}")
        entries.append(k + b"=" + v)
    return entries


class Prepared:
    """A posix_spawn call with its arguments in C, ready to `launch` from any thread (once)."""

    def __init__(
        self, argv: list[str], env: Mapping[str, str], cwd: str, actions: Iterable[Open | Dup]
    ) -> None:
        lib = _lib()
        if not lib.ok:
            raise OSError("posix_spawn is not available here")
        if not argv:
            raise ValueError("empty argv")
        if any("\0" in arg for arg in argv) or "\0" in cwd:
            raise ValueError("embedded null byte")
        self._lib = lib
        self._name = argv[0]
        self._path = os.fsencode(find_program(argv[0], env))
        self._argv = _cstrings(os.fsencode(a) for a in argv)
        self._env = _cstrings(_environ(env))
        self._mask = ctypes.create_string_buffer(_OPAQUE)  # all zero: the empty set
        self._defaults = _sigset(RESET_SIGNALS)
        self._fa = ctypes.create_string_buffer(_OPAQUE)
        self._attr = ctypes.create_string_buffer(_OPAQUE)
        self._ready = False
        _check(lib.fa_init(self._fa))
        if lib.attr_init(self._attr) != 0:
            lib.fa_destroy(self._fa)
            raise OSError("posix_spawnattr_init failed")
        self._ready = True
        try:
            _check(lib.fa_chdir(self._fa, os.fsencode(cwd)))
            for action in actions:
                if isinstance(action, Open):
                    _check(lib.fa_open(self._fa, action.fd, os.fsencode(action.path), action.flags, 0))
                else:
                    _check(lib.fa_dup2(self._fa, action.fd, action.target))
            if lib.fa_closefrom is not None:
                _check(lib.fa_closefrom(self._fa, 3))  # else: every fd Python made is close-on-exec anyway
            _check(lib.attr_sigmask(self._attr, self._mask))
            _check(lib.attr_sigdefault(self._attr, self._defaults))
            _check(lib.attr_flags(self._attr, SETSID | SETSIGMASK | SETSIGDEF))
        except BaseException:
            self._destroy()
            raise

    def launch(self) -> int:
        """Start it; returns the pid. Blocks until the child has exec'd, without the GIL. Raises OSError
        (the program or directory is missing, ...). Either way the C structures are released."""
        if not self._ready:
            raise RuntimeError("launched twice")
        try:
            pid = ctypes.c_int(0)
            err = self._lib.spawn(ctypes.byref(pid), self._path, self._fa, self._attr, self._argv, self._env)
            if err:
                raise OSError(err, os.strerror(err), self._name)
            return pid.value
        finally:
            self._destroy()

    def _destroy(self) -> None:
        if self._ready:
            self._ready = False
            self._lib.attr_destroy(self._attr)
            self._lib.fa_destroy(self._fa)


def spawn(argv: list[str], env: Mapping[str, str], cwd: str, actions: Iterable[Open | Dup]) -> int:
    """Start `argv` in a new session in `cwd` with `actions` applied to its descriptors (every other one
    is closed); returns its pid. Raises OSError or ValueError (a NUL byte, a bad variable name)."""
    return Prepared(argv, env, cwd, actions).launch()


def _sigset(signals: Iterable[int]) -> ctypes.Array[ctypes.c_char]:
    """A Linux sigset_t holding `signals`, written bit by bit (glibc's sigaddset refuses its internal
    signals): bit N-1 of an array of unsigned longs."""
    word = ctypes.sizeof(ctypes.c_ulong)
    words = [0] * (_OPAQUE // word)
    for signum in signals:
        words[(signum - 1) // (8 * word)] |= 1 << ((signum - 1) % (8 * word))
    return ctypes.create_string_buffer(b"".join(w.to_bytes(word, sys.byteorder) for w in words), _OPAQUE)


def _check(result: int) -> None:
    if result != 0:
        err = result if result > 0 else ctypes.get_errno()
        raise OSError(err, os.strerror(err))
