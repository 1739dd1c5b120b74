"""Starting a cell's child: a session of its own, on pipes or a new terminal, posix_spawn off the loop.

Only the start is here: `process.Process` drives the parent's ends (a `Spawned`) from the loop once the
child runs. The child leads a new kernel session, which is how `proctree` finds everything it starts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fcntl
import functools
import os
import signal
import struct
import subprocess
import termios
import threading
from dataclasses import dataclass
from typing import Any

from fenced.runner import posixspawn

STDOUT = 1
STDERR = 2
PIPE_SIZE = 1024 * 1024  # fewer wake-ups for fast producers (Linux F_SETPIPE_SZ)
F_SETPIPE_SZ = 1031


def _make_controlling_tty() -> None:  # runs in the child between fork and exec
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def set_winsize(fd: int, rows: int, cols: int, x: int = 0, y: int = 0) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, x, y))


class Child:
    """A child started by posix_spawn: its pid and, once it exited, its status (as `Popen` has them)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def wait(self) -> int:
        """Reap it (blocks until it exits); negative: killed by that signal, as with Popen."""
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


@dataclass
class Spawned:
    """A started child and the parent's ends of its pipes or PTY (all non-inheritable fds)."""

    child: Child | subprocess.Popen[bytes]
    readers: dict[int, int]  # fd -> STDOUT/STDERR
    stdin: int | None = None
    master: int | None = None


_launcher: concurrent.futures.ThreadPoolExecutor | None = None
LAUNCH_THREADS = 8  # spawns waiting for their child's exec at once (the GIL is free meanwhile)


def _launch_pool() -> concurrent.futures.ThreadPoolExecutor:
    global _launcher
    if _launcher is None:
        _launcher = concurrent.futures.ThreadPoolExecutor(LAUNCH_THREADS, thread_name_prefix="fenced-spawn")
    return _launcher


async def spawn(
    argv: list[str], *, env: dict[str, str], cwd: str, interactive: bool, rows: int = 24, cols: int = 80
) -> Spawned:
    """Start the child in its own session and process group, on pipes or a new terminal.

    Everything but the fork/exec runs here on the loop (opening the pipes or terminal, the arguments in C:
    tens of microseconds). The posix_spawn call, which waits until the child has exec'd, runs in a worker
    thread without the GIL: neither the loop nor other spawns wait for it, and no worker runs Python the
    loop would have to wait for. Without posix_spawn (`posixspawn.available()`), Popen in a worker."""
    loop = asyncio.get_running_loop()
    ours: list[int] = []  # the parent's ends, closed if the spawn fails
    theirs: list[int] = []  # the child's ends, closed here either way
    try:
        if interactive:
            master, slave = os.openpty()
            ours.append(master)
            theirs.append(slave)
            set_winsize(master, rows, cols)
            spawned = Spawned(Child(0), {master: STDOUT}, master=master)
            # Opened by path after the child's setsid, the terminal becomes its controlling TTY.
            actions: list[posixspawn.Open | posixspawn.Dup] = [
                posixspawn.Open(0, os.ttyname(slave), os.O_RDWR),
                posixspawn.Dup(0, 1),
                posixspawn.Dup(0, 2),
            ]
            popen: dict[str, Any] = {
                "stdin": slave,
                "stdout": slave,
                "stderr": slave,
                # setsid + TIOCSCTTY must run in the child; both are plain syscalls, safe after fork.
                "preexec_fn": _make_controlling_tty,
            }
        else:
            in_r, in_w = os.pipe()
            ours.append(in_w)
            theirs.append(in_r)
            out_r, out_w = os.pipe()
            ours.append(out_r)
            theirs.append(out_w)
            err_r, err_w = os.pipe()
            ours.append(err_r)
            theirs.append(err_w)
            for fd in (out_r, err_r):
                with contextlib.suppress(OSError):
                    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
            spawned = Spawned(Child(0), {out_r: STDOUT, err_r: STDERR}, stdin=in_w)
            actions = [posixspawn.Dup(in_r, 0), posixspawn.Dup(out_w, 1), posixspawn.Dup(err_w, 2)]
            popen = {"stdin": in_r, "stdout": out_w, "stderr": err_w, "start_new_session": True}
        launched: asyncio.Future[Any]
        if posixspawn.available():
            launched = loop.run_in_executor(
                _launch_pool(), posixspawn.Prepared(argv, env, cwd, actions).launch
            )
        else:
            start = functools.partial(subprocess.Popen, argv, cwd=cwd, env=env, **popen)
            launched = loop.run_in_executor(None, start)
        try:
            started = await asyncio.shield(launched)
        except asyncio.CancelledError:  # the thread goes on using the fds: they go (and the child) after it
            launched.add_done_callback(functools.partial(_abandon, ours + theirs))
            ours, theirs = [], []
            raise
        spawned.child = Child(started) if isinstance(started, int) else started
    except BaseException:
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    return spawned


def _abandon(fds: list[int], launched: asyncio.Future[Any]) -> None:
    """A spawn whose caller was cancelled finished in its thread: close its fds, kill what it started."""
    for fd in fds:
        os.close(fd)
    if not launched.cancelled() and launched.exception() is None:
        child = launched.result()
        pid = child if isinstance(child, int) else child.pid
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True).start()  # no zombie left
