"""Process lifetime in one place: every process the runner's cells start is stopped and reaped from here.

`Lifetime` keeps the trees of the runner's cells (`proctree.Tree`: every process in the session a cell's
shell leads) by owner (a session id), finished cells included (their jobs outlive them), and ends an
owner's trees when its session goes and all of them at shutdown. A small reaper process started with the
runner holds the read end of a pipe: if the runner dies without cleaning up (`kill -9`), the pipe closes
and the reaper kills every tree it was told about and removes the work directory. A work directory whose
runner is gone (reaper too) is removed by the next runner, and so is one that never got its owner file (a
runner killed while making it) once it has been left alone for `UNOWNED_STALE_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

from fenced.runner.proctree import PROC, Tree, proc_stat, scan, start_reaper, start_time

log = logging.getLogger("fenced.runner")
OWNER_FILE = "owner"  # "<pid> <start time>" of the runner that made a work directory
WORKDIR_PREFIX = "fenced-runner-"
UNOWNED_STALE_S = 3600.0  # a work directory without its owner file, untouched this long, is nobody's


class Lifetime:
    """The trees of a runner's cells by owner (session id), the reaper that outlives the runner, and the
    work directory (made here, with an owner file, and removed at close)."""

    def __init__(self, tmp_dir: str | None, *, reaper: bool = True) -> None:
        remove_stale_workdirs(Path(tmp_dir or _default_tmp()))
        import tempfile

        self.workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX, dir=tmp_dir))
        pid = os.getpid()
        (self.workdir / OWNER_FILE).write_text(f"{pid} {start_time(pid)}\n")
        self.trees: dict[str, list[Tree]] = {}
        self._stopping: set[asyncio.Task[None]] = set()  # of trees no longer tracked by owner
        self._use_reaper = reaper
        self._reaper: subprocess.Popen[bytes] | None = None
        self._to_reaper: list[str] = []  # lines not yet written (`_tell`)
        self._reaper_write_planned = False

    def adopt(self, pid: int, owner: str, start: int) -> Tree:
        """Track the session a freshly spawned shell leads (`start`: its start time, read at spawn)."""
        tree = Tree(pid, start)
        self.trees.setdefault(owner, []).append(tree)
        self._tell(f"+ {tree.sid} {tree.start}\n")
        return tree

    def end(self, owner: str, grace: float, *, kill: bool = False) -> None:
        """Stop every process any cell of `owner` left (its session is going away)."""
        trees = self.trees.pop(owner, [])
        table = list(scan()) if trees else []
        for tree in trees:
            if (tree.stopping is None or tree.stopping.done()) and not tree.members(table):
                self._forget(tree)  # nothing left of it: nothing to stop
                continue
            tree.stop(grace, kill=kill)
            task = tree.stopping
            if task is not None and not task.done():
                self._stopping.add(task)
                task.add_done_callback(self._stopping.discard)
                task.add_done_callback(functools.partial(self._forget, tree))
            else:
                self._forget(tree)

    def _forget(self, tree: Tree, _task: object = None) -> None:
        self._tell(f"- {tree.sid} {tree.start}\n")

    def prune(self) -> None:
        """Forget trees with no process left (a cell that left no job behind): one /proc scan for all."""
        table = list(scan())
        for owner, trees in list(self.trees.items()):
            alive = [
                t for t in trees if (t.stopping is not None and not t.stopping.done()) or t.members(table)
            ]
            for gone in set(trees) - set(alive):
                self._forget(gone)
            if alive:
                self.trees[owner] = alive
            else:
                del self.trees[owner]

    async def close(self, grace: float) -> None:
        """Stop every tracked process (SIGTERM, then SIGKILL), wait until they are gone, release the reaper
        and remove the work directory."""
        trees = [t for ts in self.trees.values() for t in ts]
        self.trees.clear()
        for tree in trees:
            if tree.stopping is None or tree.stopping.done():
                tree.stopping = asyncio.get_running_loop().create_task(
                    tree.escalate((signal.SIGTERM, signal.SIGKILL), grace)
                )
        tasks = [t.stopping for t in trees if t.stopping is not None] + list(self._stopping)
        if tasks:
            await asyncio.wait(tasks, timeout=2 * grace + 15)
        self._tell("x\n")  # all done: the reaper leaves without killing anything
        if self._reaper is not None:
            with contextlib.suppress(OSError):
                if self._reaper.stdin is not None:
                    self._reaper.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._reaper.wait(5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- the reaper -------------------------------------------------------------------------------
    def _tell(self, line: str) -> None:
        """Queue a line for the reaper; the lines of one turn of the loop go in one write (a thousand
        cells starting at once made a thousand wake-ups of the reaper, each costing the runner its CPU
        on a busy machine). Outside a running loop, and for the last line, at once."""
        if not self._use_reaper:
            return
        if self._reaper is None:
            if line.startswith(("-", "x")):
                return
            self._reaper = start_reaper(self.workdir)
        self._to_reaper.append(line)
        if line.startswith("x"):
            self._write_reaper()
            return
        if not self._reaper_write_planned:
            try:
                asyncio.get_running_loop().call_soon(self._write_reaper)
            except RuntimeError:
                self._write_reaper()
                return
            self._reaper_write_planned = True

    def _write_reaper(self) -> None:
        self._reaper_write_planned = False
        lines, self._to_reaper = self._to_reaper, []
        stdin = self._reaper.stdin if self._reaper is not None else None
        if not lines or stdin is None or stdin.closed:
            return
        try:
            stdin.write("".join(lines).encode())
            stdin.flush()
        except OSError as exc:  # it died: cells would outlive a kill -9 of the runner, say so once
            log.warning("the reaper process is gone (%s): a killed runner could leave its cells running", exc)
            with contextlib.suppress(OSError):
                stdin.close()


def _default_tmp() -> str:
    import tempfile

    return tempfile.gettempdir()


def remove_stale_workdirs(tmp_dir: Path) -> None:
    """Remove work directories of runners that are gone (their owner file names a dead process)."""
    try:
        candidates = list(tmp_dir.glob(WORKDIR_PREFIX + "*"))
    except OSError:
        return
    uid = os.getuid()
    now = time.time()
    for path in candidates:
        try:
            info = path.stat()
        except OSError:
            continue  # gone meanwhile
        if info.st_uid != uid:
            continue
        try:
            pid_text, start_text = (path / OWNER_FILE).read_text().split()
            pid, start = int(pid_text), int(start_text)
        except FileNotFoundError:  # being made by a runner now, or never finished by one killed then
            if stat.S_ISDIR(info.st_mode) and now - info.st_mtime > UNOWNED_STALE_S:
                shutil.rmtree(path, ignore_errors=True)
                log.info("removed a work directory no runner ever owned: %s", path)
            continue
        except (OSError, ValueError):
            continue  # not a directory, or an owner file being written
        if not _alive(pid, start):
            shutil.rmtree(path, ignore_errors=True)
            log.info("removed the work directory of a runner that is gone: %s", path)


def _alive(pid: int, start: int) -> bool:
    if PROC.is_dir():
        found = proc_stat(pid)
        return found is not None and found.start == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
