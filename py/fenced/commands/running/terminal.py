"""The local end of a cell: the terminal's size and raw mode, stdin read while a cell runs, signals.

A cell that runs on a terminal (Runme's `interactive`, the default) gets one on the runner when the
CLI's stdin is a terminal: keys go there byte for byte (raw mode, so the remote terminal echoes and
edits lines, as over ssh), the window size follows SIGWINCH. Ctrl+C is not sent as a byte: it stops
the cell (SIGINT to its process group, then SIGTERM and SIGKILL), as the browser's Stop button does.
When stdin is a pipe or a file, what it holds is sent and then end-of-file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import termios
from collections.abc import Callable, Iterator

CTRL_C = b"\x03"


class LocalTerminal:
    """The CLI's own stdin/stdout."""

    def __init__(self, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.fd = stdin_fd
        self.stdout_fd = stdout_fd
        self.stdin_tty = _isatty(stdin_fd)
        self.is_raw = False

    def size(self) -> tuple[int, int]:
        """(rows, cols) of the terminal we are in; 24x80 when there is none."""
        for fd in (self.stdout_fd, self.fd, 2):
            try:
                cols, rows = os.get_terminal_size(fd)
            except OSError:
                continue
            if rows and cols:
                return rows, cols
        return 24, 80

    @contextlib.contextmanager
    def raw(self) -> Iterator[None]:
        """Raw mode while a remote terminal has the keyboard, as ssh does: no local echo, line editing or
        signals from keys, and no output processing (the remote terminal already wrote `\r\n`). Input
        typed ahead is kept, not flushed."""
        if not self.stdin_tty:
            yield
            return
        saved = termios.tcgetattr(self.fd)
        mode = termios.tcgetattr(self.fd)
        mode[0] &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP | termios.IXON)
        mode[1] &= ~termios.OPOST
        mode[2] = (mode[2] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
        mode[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)
        self.is_raw = True
        try:
            yield
        finally:
            self.is_raw = False
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


class StdinPump:
    """Reads stdin only while a cell is attached, so that what is typed goes to the cell that runs.

    Pollable stdin (terminal, pipe, socket) is read from the event loop; a regular file or /dev/null,
    which cannot be polled, from a worker thread, one read at a time (nothing read is ever dropped).
    End of input from a pipe or file is remembered (`latch_eof`): later cells get it at once; a
    terminal's Ctrl+D ends the input of the running cell only.
    """

    def __init__(self, fd: int = 0, *, latch_eof: bool = True) -> None:
        self.fd = fd
        self.latch_eof = latch_eof
        self.eof = False
        self._buffer = bytearray()
        self._sink: Callable[[bytes], None] | None = None
        self._on_eof: Callable[[], None] | None = None
        self._polling = False
        self._threaded = False
        self._pending: asyncio.Future[bytes] | None = None

    def attach(self, sink: Callable[[bytes], None], on_eof: Callable[[], None]) -> None:
        self._sink, self._on_eof = sink, on_eof
        if self._buffer:
            data, self._buffer = bytes(self._buffer), bytearray()
            sink(data)
        if self.eof:
            on_eof()
            return
        loop = asyncio.get_running_loop()
        if not self._threaded:
            try:
                loop.add_reader(self.fd, self._readable)
                self._polling = True
                return
            except (OSError, ValueError):  # a regular file or /dev/null: epoll refuses it
                self._threaded = True
        self._read_in_thread()

    def detach(self) -> None:
        self._sink = self._on_eof = None
        if self._polling:
            asyncio.get_running_loop().remove_reader(self.fd)
            self._polling = False

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self._deliver(data)

    def _read_in_thread(self) -> None:
        if self._pending is not None or self.eof or self._sink is None:
            return  # (a terminal is always pollable: a thread only ever reads a pipe or a file)
        loop = asyncio.get_running_loop()
        self._pending = loop.run_in_executor(None, _read, self.fd)
        self._pending.add_done_callback(self._thread_read_done)

    def _thread_read_done(self, future: asyncio.Future[bytes]) -> None:
        self._pending = None
        data = b"" if future.cancelled() or future.exception() else future.result()
        self._deliver(data)
        self._read_in_thread()

    def _deliver(self, data: bytes) -> None:
        if not data:
            self.eof = self.latch_eof
            if self._polling:
                asyncio.get_running_loop().remove_reader(self.fd)
                self._polling = False
            if self._on_eof is not None:
                self._on_eof()
            return
        if self._sink is not None:
            self._sink(data)
        else:
            self._buffer += data


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


class Signals:
    """SIGINT, SIGTERM, SIGHUP and SIGWINCH delivered to callbacks on the event loop while active."""

    STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self, on_stop: Callable[[int], None], on_resize: Callable[[], None]) -> None:
        self.on_stop = on_stop
        self.on_resize = on_resize
        self._installed: list[int] = []

    def __enter__(self) -> Signals:
        loop = asyncio.get_running_loop()
        for signum in self.STOPPING:
            loop.add_signal_handler(signum, self.on_stop, signum)
            self._installed.append(signum)
        loop.add_signal_handler(signal.SIGWINCH, self.on_resize)
        self._installed.append(signal.SIGWINCH)
        return self

    def __exit__(self, *exc: object) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._installed:
            loop.remove_signal_handler(signum)
        self._installed.clear()

    @contextlib.contextmanager
    def keyboard_interrupt(self) -> Iterator[None]:
        """Ctrl+C raises KeyboardInterrupt again, for a blocking prompt; the loop's handler after."""
        loop = asyncio.get_running_loop()
        active = signal.SIGINT in self._installed
        if active:
            loop.remove_signal_handler(signal.SIGINT)
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
            if active:
                loop.add_signal_handler(signal.SIGINT, self.on_stop, signal.SIGINT)


def write(stream: int, data: bytes) -> bool:
    """Write all of `data` to fd 1 or 2 (unbuffered: output shows as it arrives). False when the reader
    went away (`fenced run ... | head`): the stream then points at /dev/null, so nothing fails later."""
    out = sys.stdout.buffer if stream == 1 else sys.stderr.buffer
    try:
        out.write(data)
        out.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream)
        return False
    return True
