"""Sessions and their executions: the runner's only state (no documents, ever).

A session owns an environment and a working directory that carry over between executions, a single
event counter, and its `Watchers` (who follows it and what each client has). Executions publish events
into their own `EventBuffer` and wake the watchers; watchers pull what is newer than their cursor. What
a buffer may drop, and when reading a process must pause instead, is decided here from the watchers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner import shells
from fenced.runner.events import EventBuffer
from fenced.runner.process import READ_SIZE, ExitStatus, Process
from fenced.runner.proctree import Tree
from fenced.runner.secretenv import secret_changes
from fenced.runner.spawning import PIPE_SIZE, STDERR, STDOUT
from fenced.runner.watchers import Watcher, Watchers

log = logging.getLogger("fenced.runner")
MAX_FINISHED = 256  # finished executions kept per session for replay; older ones are forgotten
# Once the main process has exited, reading cannot pause (it is how the execution ends); what is left in
# the pipes (<= PIPE_SIZE each) is still kept whole, only a background job writing on beyond that is cut.
EXIT_SLACK = 2 * PIPE_SIZE + READ_SIZE
FEW_WATCHERS = 4
SMALL_EVENT_BYTES = 64 * 1024


def event_bytes(watchers: int) -> int:
    """Largest output event. A read as it came while few watch (fewest events: least CPU per byte); with
    many, 64 KiB: a stream message holds one event at least, so this bounds what each of them holds
    encoded at a time and how long its turn on the event loop takes."""
    return READ_SIZE if watchers <= FEW_WATCHERS else SMALL_EVENT_BYTES


_STREAMS = {STDOUT: pb.STREAM_STDOUT, STDERR: pb.STREAM_STDERR}  # a Process's stream -> the wire's
STATE_NOT_CAPTURED = pb.WARNING_KIND_STATE_NOT_CAPTURED
DIRECTORY_MISSING = pb.WARNING_KIND_DIRECTORY_MISSING


class SessionOwner(Protocol):
    """What a session tells its owner (the `Runner`) about."""

    def on_watchers_changed(self, session: Session) -> None: ...

    def on_execution_end(self, execution: Execution, forgotten: list[Execution]) -> None:
        """`execution` ended; the session no longer keeps `forgotten` (finished long ago)."""
        ...


@dataclass(frozen=True)
class Spec:
    """What an execution was asked to be (for events, logs and summaries)."""

    known_id: str
    known_name: str
    interactive: bool
    background: bool
    program: str
    directory: str
    own_env: dict[str, str]
    secret_names: frozenset[str] = frozenset()  # declared by the client, on top of the name patterns


class Execution:
    """One cell run: a `Process`, its processes' `Tree`, its replay buffer and exit report."""

    def __init__(
        self, session: Session, execution_id: str, spec: Spec, buffer_bytes: int, workdir: Path
    ) -> None:
        self.session = session
        self.id = execution_id
        self.spec = spec
        self.buffer = EventBuffer(buffer_bytes)
        self.offsets = {pb.STREAM_STDOUT: 0, pb.STREAM_STDERR: 0}
        self.workdir = workdir
        self.process: Process | None = None
        self.tree: Tree | None = None
        self.exit_code: int | None = None
        self.ended = asyncio.Event()  # exited event published
        self.reason = ""
        self.started_at = 0.0  # wall clock (time.time) when it started; 0 until then
        self._began = 0.0  # the same moment on the monotonic clock, for its elapsed time
        self._duration: float | None = None  # set once it exited

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    @property
    def running(self) -> bool:
        return not self.ended.is_set()

    def attach(self, process: Process, tree: Tree) -> None:
        self.process = process
        self.tree = tree
        self.started_at, self._began = time.time(), time.monotonic()
        self._publish(
            started=pb.Started(
                pid=process.pid,
                known_id=self.spec.known_id,
                known_name=self.spec.known_name,
                interactive=self.spec.interactive,
                program=self.spec.program,
                directory=self.spec.directory,
            )
        )

    def _publish(self, **kind: Any) -> pb.Event:
        event = pb.Event(seq=self.session.next_seq(), execution_id=self.id, **kind)
        self.buffer.add(event)
        self.session.published(self)
        return event

    def warn(self, kind: pb.WarningKind, message: str) -> None:
        """A `Warning` event: the client shows it on the cell."""
        self._publish(warning=pb.Warning(kind=kind, message=message))
        log.info("warning session=%s execution=%s: %s", self.session.id, self.id, message)

    def on_output(self, stream: int, data: bytes) -> None:
        kind = _STREAMS[stream]
        size = event_bytes(len(self.session.watchers))
        for at in range(0, len(data), size):
            chunk = data[at : at + size] if len(data) > size else data
            offset = self.offsets[kind]
            self.offsets[kind] = offset + len(chunk)
            self._publish(output=pb.Output(stream=kind, offset=offset, data=chunk))
        if self.buffer.over_limit:
            self.session.apply_backpressure(self)

    def on_end(self, status: ExitStatus) -> None:
        self.exit_code = status.exit_code
        before = dict(self.session.env)
        self._duration = status.duration
        pwd = self._carry_state(status)
        shells.cleanup(self.workdir, self.id)
        self._publish(
            exited=pb.Exited(
                exit_code=status.exit_code,
                signal=status.signal,
                duration_ms=int(status.duration * 1000),
                pwd=pwd,
                stdout_bytes=self.offsets[pb.STREAM_STDOUT],
                stderr_bytes=self.offsets[pb.STREAM_STDERR],
                reason=self.reason,
                secret_env=secret_changes(before, self.session.env, self.spec.secret_names),
            )
        )
        self.ended.set()
        log.info(
            "exit session=%s execution=%s cell=%s pid=%d exit_code=%d%s duration=%.3fs",
            self.session.id,
            self.id,
            self.spec.known_name or "-",
            self.pid,
            status.exit_code,
            f" signal={status.signal}" if status.signal else "",
            status.duration,
        )
        self.session.on_execution_end(self)

    def _carry_state(self, status: ExitStatus) -> str:
        """Hand the shell's final env and cwd to the session; never wipe it, and say what did not carry."""
        if self.process is None or not shells.is_posix_shell(self.spec.program):
            return ""
        state = shells.read_state(shells.state_path(self.workdir, self.id))
        interrupted = bool(status.signal or self.reason)
        if state is None:
            if not interrupted:
                self.warn(
                    STATE_NOT_CAPTURED,
                    "the shell's variables and directory were not captured at its exit (it ran `exec`, or "
                    "replaced the EXIT trap): the next cell starts with the session's previous ones",
                )
            return ""
        if state.env is None:
            if state.cwd:
                self.session.cwd = state.cwd
            if state.problem and not interrupted:
                self.warn(STATE_NOT_CAPTURED, f"{state.problem}: the session keeps its previous variables")
            return state.cwd or ""
        kept, dropped = shells.carryable(state.env)
        self.session.adopt_state(state.cwd or "", kept, self.spec.own_env, dropped)
        if dropped:
            self.warn(STATE_NOT_CAPTURED, shells.dropped_message(dropped))
        return state.cwd or ""

    def stop(self, grace: float, *, kill: bool = False, reason: str = "") -> None:
        """SIGINT, then SIGTERM and SIGKILL `grace` seconds apart (or SIGKILL at once) to every process of
        the cell until none is left (jobs a finished cell left behind too); returns at once."""
        if self.tree is None:
            return
        if reason and self.running and not self.reason:
            self.reason = reason
        self.tree.stop(grace, kill=kill)

    def summary(self) -> pb.Execution:
        message = pb.Execution(
            id=self.id,
            known_id=self.spec.known_id,
            known_name=self.spec.known_name,
            pid=self.pid,
            running=self.running,
            interactive=self.spec.interactive,
            started_at_ms=int(self.started_at * 1000),
            elapsed_ms=int(self.elapsed * 1000),
        )
        if self.exit_code is not None:
            message.exit_code = self.exit_code
        return message

    @property
    def elapsed(self) -> float:
        """Seconds it has run (its duration once exited; 0 before it started)."""
        if self._duration is not None:
            return self._duration
        return time.monotonic() - self._began if self.started_at else 0.0


class Session:
    """Env + cwd carried between executions, the executions, and who is watching."""

    def __init__(
        self,
        session_id: str,
        *,
        cwd: str,
        env: dict[str, str],
        shell: str,
        metadata: dict[str, str],
        owner: SessionOwner,
        max_watchers: int = 32,
        grace: float = 60.0,
    ) -> None:
        self.id = session_id
        self.cwd = cwd
        self.env = env
        self.shell = shell
        self.metadata = metadata
        self.owner = owner  # the Runner: told when executions end and when watchers come and go
        self.executions: dict[str, Execution] = {}
        # The executions again, the one that published last at the end: a watcher's new events are in
        # those at the end (with a thousand executions, a look at all of them per event would be slow).
        self._recent: dict[str, Execution] = {}
        self._finished: deque[Execution] = deque()  # in the order they ended
        self.watchers = Watchers(max_watchers, grace, self.relieve)
        self.seq = 0
        self.last_activity = time.monotonic()
        self.ephemeral = False
        self.deleted = False

    # -- events and watchers --------------------------------------------------------------------
    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def notify(self) -> None:
        self.watchers.notify()

    def published(self, execution: Execution) -> None:
        """`execution` added an event: wake the watchers."""
        self._recent.pop(execution.id, None)
        self._recent[execution.id] = execution
        self.touch()
        self.notify()

    def attach_watcher(
        self, watcher_id: str, cursor: int, execution_id: str | None = None
    ) -> tuple[Watcher, int]:
        """A Watch or Execute stream opens: (its watcher, the stream's number). Raises RunnerError."""
        attached = self.watchers.attach(watcher_id, min(cursor, self.seq), execution_id)
        self.touch()
        self.owner.on_watchers_changed(self)
        return attached

    def detach_watcher(self, watcher: Watcher, stream: int, *, finished: bool = False) -> None:
        """A stream ended; unless it delivered all it was for (`finished`) its client may resume it."""
        self.watchers.detach(watcher, stream, may_resume=not (self.deleted or finished))
        self.touch()
        self.owner.on_watchers_changed(self)

    def ack(self, watcher_id: str, cursor: int, *, release: bool = False) -> None:
        self.watchers.ack(watcher_id, cursor, self.seq, release=release)

    def collect(self, watcher: Watcher, max_bytes: int) -> list[pb.Event]:
        """Events newer than the watcher's cursor, in seq order, with about `max_bytes` of output at most.

        Each execution gives at most that much; the merged list then stops where the first one stopped
        short, so no event is skipped (the watcher's cursor moves to the last event it is sent)."""
        events: list[pb.Event] = []
        complete_through = math.inf
        for execution in reversed(self._recent.values()):
            if execution.buffer.last_seq <= watcher.sent:
                break  # and so did every execution before it in `_recent`
            if watcher.wants(execution.id):
                some, through = execution.buffer.after(watcher.sent, execution.id, max_bytes)
                events.extend(some)
                complete_through = min(complete_through, through)
        if not events:
            return events
        events.sort(key=lambda e: e.seq)
        size = 0
        for index, event in enumerate(events):
            size += len(event.output.data) if event.HasField("output") else 0
            if event.seq > complete_through or (size > max_bytes and index > 0):
                return events[:index]
        return events

    def advanced(self, watcher: Watcher, stream: int, cursor: int) -> None:
        """Stream `stream` of the watcher wrote everything up to `cursor`."""
        self.watchers.advanced(watcher, stream, cursor)

    def evictable_through(self, execution: Execution) -> float:
        return self.watchers.keep_after(execution.id, execution.spec.background)

    def apply_backpressure(self, execution: Execution) -> None:
        buffer = execution.buffer
        if buffer.trim(self.evictable_through(execution)):
            return
        process = execution.process
        if process is not None and process.running:
            process.pause_reading()
        elif buffer.buffered > buffer.limit + EXIT_SLACK:
            buffer.trim(math.inf)  # exited long ago in output terms: a background job keeps writing

    def relieve(self) -> None:
        for execution in self.executions.values():
            process = execution.process
            if (
                process is not None
                and process.paused
                and execution.buffer.trim(self.evictable_through(execution))
            ):
                process.resume_reading()

    # -- state ----------------------------------------------------------------------------------
    def adopt_state(
        self, cwd: str, env: dict[str, str], own_env: dict[str, str], dropped: dict[str, int] | None = None
    ) -> None:
        """Take over the env and cwd a shell had at exit, minus the cell's own unchanged variables; a
        variable that could not be carried (`dropped`) keeps the value the session had, if any."""
        for key, value in own_env.items():
            if env.get(key) == value and key not in self.env:
                env.pop(key, None)
        for key in dropped or ():
            if key in self.env:
                env[key] = self.env[key]
        self.env = env
        if cwd:
            self.cwd = cwd

    def on_execution_end(self, execution: Execution) -> None:
        self._finished.append(execution)
        forgotten = []
        while len(self._finished) > MAX_FINISHED:
            old = self._finished.popleft()
            self.executions.pop(old.id, None)
            self._recent.pop(old.id, None)
            forgotten.append(old)
        self.owner.on_execution_end(execution, forgotten)

    @property
    def running(self) -> list[Execution]:
        return [e for e in self.executions.values() if e.running]

    def summary(self) -> pb.Session:
        return pb.Session(
            id=self.id,
            cwd=self.cwd,
            shell=self.shell,
            metadata=self.metadata,
            executions=[e.summary() for e in self.executions.values()],
            last_seq=self.seq,
            watchers=len(self.watchers),
        )
