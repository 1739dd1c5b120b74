"""Work directories left behind (tmpfs fills up otherwise): which ones the next runner removes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fenced.runner.lifetime import OWNER_FILE, UNOWNED_STALE_S, WORKDIR_PREFIX, remove_stale_workdirs
from fenced.runner.proctree import start_time


def _workdir(tmp: Path, name: str, owner: str | None, age_s: float = 0.0) -> Path:
    path = tmp / f"{WORKDIR_PREFIX}{name}"
    path.mkdir()
    (path / "x.script").write_text("echo hi\n")
    if owner is not None:
        (path / OWNER_FILE).write_text(owner)
    if age_s:
        then = time.time() - age_s
        os.utime(path, (then, then))
    return path


def test_only_the_directories_of_runners_that_are_gone_are_removed(tmp_path: Path) -> None:
    me = os.getpid()
    alive = _workdir(tmp_path, "alive", f"{me} {start_time(me)}\n", age_s=2 * UNOWNED_STALE_S)
    gone = _workdir(tmp_path, "gone", f"{me} {start_time(me) + 1}\n")  # this pid, another process's start
    never_owned_old = _workdir(tmp_path, "unowned-old", None, age_s=UNOWNED_STALE_S + 60)
    being_made = _workdir(tmp_path, "unowned-new", None)
    garbled = _workdir(tmp_path, "garbled", "not an owner line\n", age_s=2 * UNOWNED_STALE_S)
    other = tmp_path / "something-else"
    other.mkdir()
    os.utime(other, (0, 0))

    remove_stale_workdirs(tmp_path)

    assert alive.is_dir() and being_made.is_dir() and garbled.is_dir() and other.is_dir()
    assert not gone.exists()
    assert not never_owned_old.exists()  # a runner killed between making it and writing its owner file
