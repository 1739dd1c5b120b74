"""Starting a cell's child (`fenced.runner.spawning.spawn`, posix_spawn through ctypes): what the child gets.

A cell's child must lead its own session (the runner stops and reaps it by process group), see the pipes
or the terminal on 0-2 and nothing else, start with default signal dispositions and an empty mask, and
have its terminal as controlling TTY (job control, Ctrl+C, `/dev/tty`). Real children, no mocks.
"""

from __future__ import annotations

import asyncio
import os
import select
import sys
import time
from pathlib import Path

import pytest

from fenced.runner import posixspawn
from fenced.runner.spawning import Child, Spawned, spawn
from tests.runner.support import arun

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux children")

PROBE = r"""
import os, sys
fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
try:
    os.close(os.open("/dev/tty", os.O_RDWR)); tty = "yes"
except OSError:
    tty = "no"
print(f"sid={os.getsid(0) == os.getpid()} pgrp={os.getpgrp() == os.getpid()} cwd={os.getcwd()}")
print(f"fds={fds[:3]} extra={len(fds) - 4} tty={tty} isatty={os.isatty(0)}")
print(f"env={os.environ.get('PROBE_VAR')}")
"""


def _read_all(spawned: Spawned, timeout: float = 20.0) -> str:
    """Every byte the child writes on its pipes or terminal until it closes them (EIO on a PTY)."""
    out = bytearray()
    fds = set(spawned.readers)
    deadline = time.monotonic() + timeout
    while fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(fds), [], [], deadline - time.monotonic())
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if data:
                out += data
            else:
                fds.discard(fd)
    return out.decode()


def _close(spawned: Spawned) -> int:
    for fd in {*spawned.readers, spawned.stdin, spawned.master} - {None}:
        assert fd is not None
        os.close(fd)
    return spawned.child.wait()


def _run(interactive: bool, tmp_path: Path) -> tuple[str, int]:
    env = {"PATH": os.environ["PATH"], "PROBE_VAR": "é v=1"}

    async def go() -> Spawned:
        return await spawn(
            [sys.executable, "-S", "-c", PROBE], env=env, cwd=str(tmp_path), interactive=interactive
        )

    spawned = arun(go())
    text = _read_all(spawned)
    return text, _close(spawned)


@pytest.mark.parametrize("interactive", [False, True], ids=["pipes", "pty"])
def test_child_leads_its_session_with_clean_descriptors_and_signals(
    interactive: bool, tmp_path: Path
) -> None:
    text, code = _run(interactive, tmp_path)
    assert code == 0, text
    assert "sid=True pgrp=True" in text
    assert f"cwd={tmp_path}" in text
    assert "fds=[0, 1, 2] extra=0" in text  # (the 4th is listdir's own): none of the runner's leaked
    assert "env=é v=1" in text
    if interactive:
        assert "tty=yes isatty=True" in text  # the terminal is the controlling TTY
    else:
        assert "tty=no isatty=False" in text


@pytest.mark.parametrize("interactive", [False, True], ids=["pipes", "pty"])
def test_child_starts_with_default_signals_and_an_empty_mask(interactive: bool) -> None:
    """The runner (Python) ignores SIGPIPE and SIGXFSZ; a cell's `yes | head` must die of SIGPIPE."""

    async def go() -> Spawned:
        return await spawn(
            ["cat", "/proc/self/status"], env={"PATH": "/usr/bin:/bin"}, cwd="/", interactive=interactive
        )

    spawned = arun(go())
    status = dict(line.split(":", 1) for line in _read_all(spawned).splitlines() if ":" in line)
    assert _close(spawned) == 0
    assert int(status["SigIgn"], 16) == 0
    assert int(status["SigBlk"], 16) == 0


def test_posix_spawn_is_used_here() -> None:
    """The fast path is the one these tests check on this machine's glibc."""
    assert posixspawn.available()


def test_missing_program_and_directory_raise_and_leak_nothing(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))

    async def go(argv: list[str], cwd: str) -> None:
        await spawn(argv, env={"PATH": "/usr/bin:/bin"}, cwd=cwd, interactive=False)

    with pytest.raises(FileNotFoundError):
        arun(go(["no-such-program-fenced"], str(tmp_path)))
    with pytest.raises(FileNotFoundError):
        arun(go(["true"], str(tmp_path / "gone")))
    with pytest.raises(ValueError):
        arun(go(["echo", "a\0b"], str(tmp_path)))
    assert len(os.listdir("/proc/self/fd")) == before


def test_exit_status_and_signal_death_as_popen_reports_them() -> None:
    async def go(script: str) -> Spawned:
        return await spawn(["sh", "-c", script], env={"PATH": "/usr/bin:/bin"}, cwd="/", interactive=False)

    assert _close(arun(go("exit 7"))) == 7
    assert _close(arun(go("kill -TERM $$"))) == -15


def test_many_spawns_at_once_all_start(tmp_path: Path) -> None:
    """A burst (the runner's 1,000-at-once case, smaller) goes through the worker threads side by side."""

    async def go() -> list[Spawned]:
        return list(
            await asyncio.gather(
                *(
                    spawn(
                        ["sh", "-c", f"echo {i}"], env={"PATH": "/usr/bin:/bin"}, cwd="/", interactive=False
                    )
                    for i in range(50)
                )
            )
        )

    spawned = arun(go())
    assert [_read_all(s).strip() for s in spawned] == [str(i) for i in range(50)]
    assert all(_close(s) == 0 for s in spawned)
    assert len({s.child.pid for s in spawned}) == 50
    assert all(isinstance(s.child, Child) for s in spawned)
