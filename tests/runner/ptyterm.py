"""A command on a real pseudo-terminal (stdlib `pty.fork`): read what it draws, type into it, signal it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence
from pathlib import Path


class Terminal:
    """`Terminal([...argv])` runs argv as the session leader of a new PTY, as a shell would in a terminal
    window: Ctrl+C typed into it reaches the foreground process group as SIGINT unless it is in raw mode."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | str | None = None,
        rows: int = 24,
        cols: int = 80,
    ) -> None:
        environ = dict(os.environ if env is None else env)
        environ.setdefault("TERM", "xterm")
        pid, fd = pty.fork()
        if pid == 0:  # the child: exec at once (this test process has threads)
            try:
                if cwd is not None:
                    os.chdir(cwd)
                os.execve(argv[0], list(argv), environ)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = b""
        self.resize(rows, cols)
        self.status: int | None = None

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def _read(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False at end of output (the child closed the terminal)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: no process has the terminal open any more
            return False
        if not data:
            return False
        self.output += data
        return True

    def expect(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """Wait until the output matches `pattern` (a regular expression)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.text())
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                found = regex.search(self.text())
                if found:
                    return found
                raise AssertionError(f"{pattern!r} not seen; the terminal shows:\n{self.text()}")

    def resize(self, rows: int, cols: int) -> None:
        """Set the terminal's size: the kernel sends SIGWINCH to its foreground process group."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait(self, timeout: float = 30) -> int:
        """Exit status (128+N for a signal N), reading the output until the child is gone."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            alive = self._read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(0.05):  # drain what is left
                    if not select.select([self.fd], [], [], 0)[0]:
                        break
                self.status = os.waitstatus_to_exitcode(status)
                if self.status < 0:
                    self.status = 128 - self.status
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout} s; the terminal shows:\n{self.text()}")
            if not alive:
                time.sleep(0.01)  # output closed, exit status not reaped yet
        return self.status

    def close(self) -> None:
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        os.close(self.fd)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
