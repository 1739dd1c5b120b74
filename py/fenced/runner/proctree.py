"""A cell's processes: the kernel session its shell leads, found in /proc and stopped until none is left.

A cell's shell starts in a kernel session of its own (setsid), so the session id is the shell's pid, and
everything it starts stays in that session unless it calls setsid itself (a real daemon): `&` jobs, which
a non-interactive shell starts with SIGINT ignored; jobs in process groups of their own (`set -m`);
double forks. A `Tree` is "every process in the session a cell's shell leads", found in /proc. Stopping
it sends SIGINT, SIGTERM and SIGKILL to all of them, `grace` apart, until none is left, however and
whenever the shell itself ended. Which trees a runner has, and when they end, is `lifetime`'s.

Stdlib only: this file is also the reaper's program (`python -I -S proctree.py reaper WORKDIR`), so the
reaper, which kills the trees of a runner that died without cleaning up, starts in milliseconds without
importing the rest of the runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("fenced.runner")
PROC = Path("/proc")
KILL_ROUNDS = 50  # SIGKILL rounds after the last grace: a member may fork while the others die
MISSED_CHECK = 0.1  # seconds after a SIGINT: who is alive that cannot have received it
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


# -- /proc -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcStat:
    pid: int
    state: str
    group: int
    session: int
    start: int  # clock ticks after boot: tells a reused pid apart


def proc_stat(pid: int) -> ProcStat | None:
    try:
        data = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    rest = data[data.rindex(b")") + 2 :].split()  # the command name may hold spaces and parentheses
    return ProcStat(pid, rest[0].decode(), int(rest[2]), int(rest[3]), int(rest[19]))


def scan() -> Iterable[ProcStat]:
    """Every process on the machine (that we can see)."""
    try:
        names = os.listdir(PROC)
    except OSError:
        return
    for name in names:
        if name.isdigit() and (stat := proc_stat(int(name))) is not None:
            yield stat


def missed_sigint(pid: int) -> bool:
    """Whether SIGINT's action for `pid` is the default (it would have died of one) and none is pending."""
    try:
        lines = (PROC / str(pid) / "status").read_text().splitlines()
    except OSError:
        return False
    masks = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"):
            masks[name] = int(value.strip(), 16)
    bit = 1 << (signal.SIGINT - 1)
    return len(masks) == 5 and not any(mask & bit for mask in masks.values())


def start_time(pid: int) -> int:
    stat = proc_stat(pid)
    return stat.start if stat is not None else 0


# -- one cell's processes ----------------------------------------------------------------------------
@dataclass(eq=False)
class Tree:
    """The live processes of one cell: its shell's session (`sid` is the shell's pid)."""

    sid: int
    start: int  # the shell's start time; 0 where /proc is missing
    stopping: asyncio.Task[None] | None = field(default=None, repr=False)

    def alive(self, table: Iterable[ProcStat] | None = None) -> list[ProcStat]:
        """The processes still alive in the session (zombies are dead: they only wait to be reaped)."""
        if not PROC.is_dir():  # no /proc: the process group is all we can reach
            try:
                os.killpg(self.sid, 0)
            except (ProcessLookupError, PermissionError):
                return []
            return [ProcStat(self.sid, "S", self.sid, self.sid, 0)]
        found = []
        for stat in scan() if table is None else table:
            if stat.session != self.sid:
                continue
            if stat.pid == self.sid and self.start and stat.start != self.start:
                return []  # the pid was reused: our session ended long ago (ids stay taken while it lives)
            if stat.state not in ("Z", "X"):
                found.append(stat)
        return found

    def members(self, table: Iterable[ProcStat] | None = None) -> list[int]:
        return [stat.pid for stat in self.alive(table)]

    def signal_group(self, signum: int) -> None:
        """`signum` to the shell's process group, at once (no scan): killpg also reaches a child being
        forked at that very moment, which a signal to pids one by one can miss. Safe while the group id
        is ours: it is unless the shell's pid now belongs to another process (its start time says)."""
        leader = proc_stat(self.sid) if PROC.is_dir() else None
        if leader is None or not self.start or leader.start == self.start:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.sid, signum)

    def signal(self, signum: int, alive: list[ProcStat] | None = None, *, group: bool = True) -> bool:
        """`signum` to every member (the shell's group with killpg, members in groups of their own, such
        as `set -m` jobs, one by one); False if none was left."""
        if group:
            self.signal_group(signum)
        alive = self.alive() if alive is None else alive
        for stat in alive:
            if stat.group != self.sid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(stat.pid, signum)
        return bool(alive)

    def stop(self, grace: float, *, kill: bool = False) -> None:
        """SIGINT, SIGTERM, SIGKILL `grace` apart (or SIGKILL at once) until no member is left; returns at
        once, the first signal sent. A second call while one runs only hastens it when it asks to kill."""
        if kill:
            self.signal(signal.SIGKILL)
        if self.stopping is None or self.stopping.done():
            signals = (signal.SIGKILL,) if kill else SIGNALS
            self.signal_group(signals[0])  # now, not on the task's first turn: Stop means now
            self.stopping = asyncio.get_running_loop().create_task(
                self.escalate(signals, grace, group_signalled=True)
            )

    async def escalate(
        self, signals: tuple[int, ...], grace: float, *, group_signalled: bool = False
    ) -> None:
        """`signals` in turn, `grace` apart, to whoever is left (SIGKILL rounds after the last), until none
        is; `group_signalled`: the first signal already went to the shell's group (`stop`)."""
        for index, signum in enumerate(signals):
            alive = self.alive()
            if not alive:
                return
            self.signal(signum, alive, group=index > 0 or not group_signalled)
            wait = grace
            if signum == signal.SIGINT:
                await wait_gone([stat.pid for stat in alive], min(grace, MISSED_CHECK))
                wait -= min(grace, MISSED_CHECK)
                self._resend_missed_sigint()
            if signum != signal.SIGKILL:
                await wait_gone([stat.pid for stat in alive], wait)
        for _ in range(KILL_ROUNDS):  # SIGKILL cannot be caught, but a member may fork meanwhile
            alive = self.alive()
            if not alive:
                return
            self.signal(signal.SIGKILL, alive)
            await wait_gone([stat.pid for stat in alive], 0.2)
        log.warning("processes of session %d outlived SIGKILL: %s", self.sid, self.members())

    def _resend_missed_sigint(self) -> None:
        """A SIGINT that lands in a shell's child between its fork and its exec is taken by the shell's
        handler and lost when it execs: the program runs on, and the shell waits for it, so Stop would end
        with SIGTERM. A process still alive with SIGINT's default action (neither caught, ignored, blocked
        nor pending) cannot have received it: it alone gets it again."""
        for stat in self.alive():
            if missed_sigint(stat.pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(stat.pid, signal.SIGINT)


async def wait_gone(pids: list[int], within: float) -> None:
    """Until every pid has exited (or `within` seconds passed): pidfds where there are, else polling."""
    loop = asyncio.get_running_loop()
    fds: list[int] = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(pid))
        except ProcessLookupError:
            continue
        except (AttributeError, OSError):
            await _poll_gone(pids, within)
            for fd in fds:
                os.close(fd)
            return
    if not fds:
        return
    left = set(fds)
    done = loop.create_future()

    def ready(fd: int) -> None:
        loop.remove_reader(fd)
        left.discard(fd)
        if not left and not done.done():
            done.set_result(None)

    for fd in fds:
        loop.add_reader(fd, ready, fd)
    try:
        async with asyncio.timeout(within):
            await done
    except TimeoutError:
        pass
    finally:
        for fd in fds:
            if fd in left:
                loop.remove_reader(fd)
            os.close(fd)


async def _poll_gone(pids: list[int], within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = [p for p in pids if (s := proc_stat(p)) is not None and s.state not in ("Z", "X")]
        if not alive:
            return
        await asyncio.sleep(0.05)


# -- the reaper --------------------------------------------------------------------------------------
def start_reaper(workdir: Path) -> subprocess.Popen[bytes]:
    """The reaper: this file run by the same interpreter, isolated (-I -S: stdlib only, fast to start), in a
    session of its own (Ctrl-C and a group kill aimed at the runner miss it), reading `+`/`-` lines."""
    return subprocess.Popen(
        [sys.executable, "-I", "-S", __file__, "reaper", str(workdir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


def reaper_main(workdir: str) -> None:
    """Until the runner's pipe closes: track trees. Then, unless told `x`, kill them and remove `workdir`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    trees: dict[tuple[int, int], Tree] = {}
    released = False
    for raw in sys.stdin.buffer:
        parts = raw.decode(errors="replace").split()
        if parts[:1] == ["x"]:
            released = True
        elif len(parts) == 3 and parts[0] in "+-" and parts[1].isdigit() and parts[2].isdigit():
            key = (int(parts[1]), int(parts[2]))
            if parts[0] == "+":
                trees[key] = Tree(*key)
            else:
                trees.pop(key, None)
    if released:
        return
    deadline = time.monotonic() + 10
    while trees and time.monotonic() < deadline:
        table = list(scan())
        for key, tree in list(trees.items()):
            alive = tree.alive(table)
            if alive:
                tree.signal(signal.SIGKILL, alive)
            else:
                del trees[key]
        time.sleep(0.05)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__" and sys.argv[1:2] == ["reaper"]:
    reaper_main(sys.argv[2])
