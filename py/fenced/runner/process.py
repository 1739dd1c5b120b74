"""A spawned cell: its own session, pipes or a PTY, non-blocking reads, exit seen through a pidfd.

Everything is driven by the asyncio loop's readers (no thread per process): output fds and a pidfd
(Linux >= 5.3; elsewhere a waiter thread) are registered with `loop.add_reader`. The owner gets
callbacks for output, and for the end, which comes once the main process has exited *and* its output is
drained; a background job that keeps the pipe open cannot hold the end back for more than a moment.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import fcntl
import functools
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fenced.runner import posixspawn
from fenced.runner.batching import OutputBatching

STDOUT = 1
STDERR = 2
READ_SIZE = 256 * 1024
READ_MORE = 64 * 1024  # a read goes on while the fd has more, up to this much (see `_read`)
PIPE_SIZE = 1024 * 1024  # fewer wake-ups for fast producers (Linux F_SETPIPE_SZ)
DRAIN_IDLE = 0.2  # after exit: a quiet fd still open (a background job holds it) is let go after this
DRAIN_MAX = 2.0  # after exit: even a chatty background job cannot hold the end back longer
F_SETPIPE_SZ = 1031
MAX_PENDING_INPUT = 16 * 1024 * 1024


def read_available(fd: int, limit: int = READ_MORE) -> tuple[bytes, bool]:
    """What the non-blocking `fd` has now, as one piece (up to about `limit`), and whether its output
    ended. A PTY hands out at most ~4 KiB a read, so a fast program's output would otherwise become an
    event per 4 KiB (55 for `seq 1 20000`), each stored, framed, sent and decoded by every client on its
    own; reading on while more is there makes them a few. It waits for nothing: a slow program's output
    goes out as soon as before."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            break
        except OSError as exc:  # EIO: the PTY's other side is gone, i.e. end of output
            if exc.errno != errno.EIO:
                raise
            data = b""
        if not data:
            return b"".join(chunks), True
        chunks.append(data)
        size += len(data)
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), False


@dataclass(frozen=True)
class ExitStatus:
    """How the main process ended, as a shell would report it."""

    exit_code: int
    signal: str
    duration: float


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


class Process:
    """One execution's OS side, once spawned. Not thread-safe; lives on the loop that created it."""

    def __init__(
        self,
        spawned: Spawned,
        *,
        interactive: bool,
        on_output: Callable[[int, bytes], None],
        on_end: Callable[[ExitStatus], None],
        started: float | None = None,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._output = OutputBatching(on_output)
        self._on_end = on_end
        self.interactive = interactive
        self._child = spawned.child
        self._readers = dict(spawned.readers)
        self._paused = False
        self._stdin = spawned.stdin
        self._pending = bytearray()
        self._writing = False
        self._close_pending = False
        self._master = spawned.master
        self._pidfd: int | None = None
        self._status: ExitStatus | None = None
        self._ended = False
        self._drain_timer: asyncio.TimerHandle | None = None
        self._last_data = 0.0
        self._exited_at = 0.0
        self._started = time.monotonic() if started is None else started
        self.pid = self._child.pid  # setsid: the child leads its own session (see `lifetime`)
        if self._stdin is not None:
            os.set_blocking(self._stdin, False)
        for fd in self._readers:
            os.set_blocking(fd, False)
            self._loop.add_reader(fd, self._read, fd)
        self._watch_exit()

    def _watch_exit(self) -> None:
        try:
            self._pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            threading.Thread(target=self._wait_thread, daemon=True, name=f"wait-{self.pid}").start()
            return
        self._loop.add_reader(self._pidfd, self._reap)

    def _wait_thread(self) -> None:
        self._child.wait()
        self._loop.call_soon_threadsafe(self._reap)

    # -- output ---------------------------------------------------------------------------------
    def _read(self, fd: int) -> None:
        data, ended = read_available(fd)
        if data:
            self._last_data = time.monotonic()
            self._output.add(self._readers[fd], data)
        if ended and fd in self._readers:
            self._close_reader(fd)
            self._maybe_end()

    def _close_reader(self, fd: int) -> None:
        if fd in self._readers:
            if not self._paused:
                self._loop.remove_reader(fd)
            del self._readers[fd]
            if fd == self._master:
                return  # closed in _finish, the master also carries input
            os.close(fd)

    def pause_reading(self) -> None:
        """Stop reading output (the replay buffer is full): the process blocks on its next write.

        A no-op once the main process exited: what is left is bounded by the pipe buffers, and reading it
        is the only way to end the execution.
        """
        if not self._paused and self._status is None:
            self._paused = True
            for fd in self._readers:
                self._loop.remove_reader(fd)

    def resume_reading(self) -> None:
        if self._paused:
            self._paused = False
            for fd in list(self._readers):
                self._loop.add_reader(fd, self._read, fd)
            self._maybe_end()

    # -- exit -----------------------------------------------------------------------------------
    def _reap(self) -> None:
        if self._pidfd is not None:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None
        code = self._child.wait()  # returns at once: the pidfd said it exited
        duration = time.monotonic() - self._started
        if code < 0:
            signum = -code
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"SIG{signum}"
            self._status = ExitStatus(128 + signum, name, duration)
        else:
            self._status = ExitStatus(code, "", duration)
        self._exited_at = self._last_data = time.monotonic()
        self.resume_reading()
        self._maybe_end()

    @property
    def paused(self) -> bool:
        return self._paused

    def _maybe_end(self) -> None:
        if self._ended or self._status is None:
            return
        if not self._readers:
            self._finish()
            return
        now = time.monotonic()
        idle = now - self._last_data
        if idle >= DRAIN_IDLE or now - self._exited_at >= DRAIN_MAX:
            for fd in list(self._readers):  # a background job still holds it: let it go
                self._close_reader(fd)
            self._finish()
            return
        if self._drain_timer is None:

            def again() -> None:
                self._drain_timer = None
                self._maybe_end()

            self._drain_timer = self._loop.call_later(DRAIN_IDLE - idle + 0.01, again)

    def _finish(self) -> None:
        self._ended = True
        if self._drain_timer is not None:
            self._drain_timer.cancel()
        self._close_input()
        if self._master is not None:
            if self._writing:
                self._loop.remove_writer(self._master)
                self._writing = False
            os.close(self._master)
            self._master = None
        assert self._status is not None
        self._output.flush()  # (the exit never overtakes output)
        self._on_end(self._status)

    # -- input, size, signals -------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._status is None

    @property
    def ended(self) -> bool:
        return self._ended

    def write_input(self, data: bytes) -> None:
        """Queue bytes for the terminal or stdin; flushed as the process reads (never blocks the loop)."""
        if self._input_fd() is None or self._close_pending:
            raise BrokenPipeError("stdin is closed")
        if len(self._pending) + len(data) > MAX_PENDING_INPUT:
            raise BufferError("the process is not reading its input")
        self._pending += data
        self._flush_input()

    def close_input(self) -> None:
        """End of file: close stdin once queued input is written; a PTY gets its EOF character (^D)."""
        if self.interactive:
            if self._master is not None:
                eof = termios.tcgetattr(self._master)[6][termios.VEOF]
                self.write_input(eof if isinstance(eof, bytes) else bytes([eof]))
            return
        self._close_pending = True
        self._flush_input()

    def _input_fd(self) -> int | None:
        return self._master if self.interactive else self._stdin

    def _flush_input(self) -> None:
        fd = self._input_fd()
        while self._pending and fd is not None:
            try:
                written = os.write(fd, self._pending)
            except BlockingIOError:
                if not self._writing:
                    self._writing = True
                    self._loop.add_writer(fd, self._flush_input)
                return
            except OSError:  # the reader is gone: what is left can never be delivered
                self._pending.clear()
                break
            del self._pending[:written]
        if self._writing and fd is not None:
            self._loop.remove_writer(fd)
            self._writing = False
        if self._close_pending:
            self._close_input()

    def _close_input(self) -> None:
        if self._writing:
            fd = self._input_fd()
            if fd is not None:
                self._loop.remove_writer(fd)
            self._writing = False
        self._pending.clear()
        if self._stdin is not None:
            os.close(self._stdin)
            self._stdin = None

    @property
    def stdin_open(self) -> bool:
        return self._master is not None if self.interactive else self._stdin is not None

    def resize(self, rows: int, cols: int, x: int = 0, y: int = 0) -> None:
        if self._master is None:
            raise ValueError("not a terminal")
        set_winsize(self._master, rows, cols, x, y)
