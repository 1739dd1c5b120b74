"""A spawned cell on the loop: non-blocking reads and writes on its pipes or PTY, exit seen through a pidfd.

Everything is driven by the asyncio loop's readers (no thread per process): output fds and a pidfd
(Linux >= 5.3; elsewhere a waiter thread) are registered with `loop.add_reader`. The owner gets
callbacks for output, and for the end, which comes once the main process has exited *and* its output is
drained; a background job that keeps the pipe open cannot hold the end back for more than a moment.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fenced.runner.batching import OutputBatching
from fenced.runner.spawning import Spawned, set_winsize

READ_SIZE = 256 * 1024
READ_MORE = 64 * 1024  # a read goes on while the fd has more, up to this much (see `_read`)
DRAIN_IDLE = 0.2  # after exit: a quiet fd still open (a background job holds it) is let go after this
DRAIN_MAX = 2.0  # after exit: even a chatty background job cannot hold the end back longer
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
