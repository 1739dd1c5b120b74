"""How the runner reads a cell's output (`fenced.runner.process.read_available`): all that is there at once,
not a PTY's 4 KiB per read, so fast output becomes a few output events instead of one per 4 KiB."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import tty
from collections.abc import Iterator

import pytest

from fenced.runner.process import read_available


@pytest.fixture()
def terminal() -> Iterator[tuple[int, int]]:
    master, slave = pty.openpty()
    tty.setraw(slave)  # (bytes as written: no line discipline between the two sides)
    for fd in (master, slave):
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
    try:
        yield master, slave
    finally:
        for fd in (master, slave):
            with contextlib.suppress(OSError):  # (the test closed it)
                os.close(fd)


def test_what_a_pty_holds_is_read_as_one_piece(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    written = os.write(slave, b"x" * 8_000)  # (well within what a raw PTY buffers: the write is whole)
    assert written == 8_000
    data, ended = read_available(master)
    assert data == b"x" * 8_000  # one os.read of a PTY gives at most 4095 of them
    assert not ended
    assert read_available(master) == (b"", False)  # nothing more: no wait either


def test_the_limit_bounds_a_piece_and_the_rest_comes_next(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    assert os.write(slave, b"y" * 8_000) == 8_000
    first, _ = read_available(master, limit=3_000)
    second, _ = read_available(master)
    assert 3_000 <= len(first) < 8_000  # reads stop once the limit is reached
    assert first + second == b"y" * 8_000


def test_the_end_of_output_is_said_with_what_came_before_it(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    os.write(slave, b"last words")
    os.close(slave)  # the program is gone: the master reads what is left, then EIO
    data, ended = read_available(master)
    if not ended:  # (the kernel may hand over the data and the hang-up in two looks)
        more, ended = read_available(master)
        data += more
    assert data == b"last words" and ended
