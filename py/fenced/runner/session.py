"""Sessions, their executions and their watchers: the runner's only state (no documents, ever).

A session owns an environment and a working directory that carry over between executions, a single
event counter, and the set of live watchers (open `Watch`/`Execute` streams). Executions publish events
into their own `EventBuffer` and wake the watchers; watchers pull what is newer than their cursor.
"""

from __future__ import annotations

import asyncio
import logging
import math
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner import shells
from fenced.runner.events import EventBuffer
from fenced.runner.process import PIPE_SIZE, READ_SIZE, STDERR, STDOUT, ExitStatus, Process

log = logging.getLogger("fenced.runner")
MAX_FINISHED = 256  # finished executions kept per session for replay; older ones are forgotten
# Once the main process has exited, reading cannot pause (it is how the execution ends); what is left in
# the pipes (<= PIPE_SIZE each) is still kept whole, only a background job writing on beyond that is cut.
EXIT_SLACK = 2 * PIPE_SIZE + READ_SIZE
_STREAMS = {STDOUT: pb.STREAM_STDOUT, STDERR: pb.STREAM_STDERR}  # a Process's stream -> the wire's


class SessionOwner(Protocol):
    """What a session tells its owner (the `Runner`) about."""

    def on_watchers_changed(self, session: Session) -> None: ...

    def on_execution_end(self, execution: Execution) -> None: ...


class Watcher:
    """A live stream's position: it has been sent every event up to `cursor`."""

    def __init__(self, cursor: int, execution_id: str | None = None) -> None:
        self.cursor = cursor
        self.execution_id = execution_id
        self.wake = asyncio.Event()
        self.closed = False

    def wants(self, execution_id: str) -> bool:
        return self.execution_id is None or self.execution_id == execution_id


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


class Execution:
    """One cell run: a `Process` plus its replay buffer and exit report."""

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
        self.exit_code: int | None = None
        self.exited = asyncio.Event()  # main process gone (stop escalation waits on this)
        self.ended = asyncio.Event()  # exited event published
        self.reason = ""
        self.stop_task: asyncio.Task[None] | None = None
        self.started_at = 0.0  # wall clock (time.time) when it started; 0 until then
        self._began = 0.0  # the same moment on the monotonic clock, for its elapsed time
        self._duration: float | None = None  # set once it exited

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    @property
    def running(self) -> bool:
        return not self.ended.is_set()

    def attach(self, process: Process) -> None:
        self.process = process
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
        self.session.touch()
        self.session.notify()
        return event

    def on_output(self, stream: int, data: bytes) -> None:
        kind = _STREAMS[stream]
        offset = self.offsets[kind]
        self.offsets[kind] = offset + len(data)
        self._publish(output=pb.Output(stream=kind, offset=offset, data=data))
        if self.buffer.over_limit:
            self.session.apply_backpressure(self)

    def on_end(self, status: ExitStatus) -> None:
        self.exit_code = status.exit_code
        self._duration = status.duration
        pwd = ""
        if self.process is not None and shells.is_posix_shell(self.spec.program):
            state = shells.read_state(shells.state_path(self.workdir, self.id))
            if state is not None:
                pwd, env = state
                self.session.adopt_state(pwd, env, self.spec.own_env)
        shells.cleanup(self.workdir, self.id)
        self.exited.set()
        self._publish(
            exited=pb.Exited(
                exit_code=status.exit_code,
                signal=status.signal,
                duration_ms=int(status.duration * 1000),
                pwd=pwd,
                stdout_bytes=self.offsets[pb.STREAM_STDOUT],
                stderr_bytes=self.offsets[pb.STREAM_STDERR],
                reason=self.reason,
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

    def stop(self, grace: float, *, kill: bool = False, reason: str = "") -> None:
        """SIGINT, then SIGTERM and SIGKILL `grace` seconds apart (or SIGKILL at once); returns at once."""
        if not self.running or self.process is None:
            return
        if reason and not self.reason:
            self.reason = reason
        if kill:
            self.process.signal_group(signal.SIGKILL)
            return
        if self.stop_task is None or self.stop_task.done():
            self.stop_task = asyncio.get_running_loop().create_task(self._escalate(grace))

    async def _escalate(self, grace: float) -> None:
        assert self.process is not None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if self.exited.is_set() or not self.process.signal_group(signum):
                return
            try:
                await asyncio.wait_for(self.exited.wait(), grace)
                return
            except TimeoutError:
                continue

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
    ) -> None:
        self.id = session_id
        self.cwd = cwd
        self.env = env
        self.shell = shell
        self.metadata = metadata
        self.owner = owner  # the Runner: told when executions end and when watchers come and go
        self.executions: dict[str, Execution] = {}
        self.watchers: set[Watcher] = set()
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
        for watcher in self.watchers:
            watcher.wake.set()

    def add_watcher(self, watcher: Watcher) -> None:
        self.watchers.add(watcher)
        self.touch()
        self.owner.on_watchers_changed(self)

    def remove_watcher(self, watcher: Watcher) -> None:
        watcher.closed = True
        self.watchers.discard(watcher)
        self.touch()
        self.relieve()
        self.owner.on_watchers_changed(self)

    def collect(self, watcher: Watcher, max_bytes: int) -> list[pb.Event]:
        """Events newer than the watcher's cursor, in seq order, at most about `max_bytes` of output."""
        events: list[pb.Event] = []
        for execution in self.executions.values():
            if watcher.wants(execution.id) and execution.buffer.last_seq > watcher.cursor:
                events.extend(execution.buffer.after(watcher.cursor, execution.id))
        if not events:
            return events
        events.sort(key=lambda e: e.seq)
        size = 0
        for index, event in enumerate(events):
            size += len(event.output.data) if event.HasField("output") else 0
            if size > max_bytes and index > 0:
                return events[:index]
        return events

    def advanced(self, watcher: Watcher, cursor: int) -> None:
        """A watcher was sent everything up to `cursor`: buffers may shrink and paused readers resume."""
        watcher.cursor = cursor
        self.relieve()

    def evictable_through(self, execution: Execution) -> float:
        cursors = [w.cursor for w in self.watchers if w.wants(execution.id)]
        if cursors:
            return min(cursors)
        # Nobody is watching: keep a foreground cell's output (it waits, lossless, for a reconnect);
        # a background one keeps running and its oldest output goes.
        return math.inf if execution.spec.background else 0

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
    def adopt_state(self, cwd: str, env: dict[str, str], own_env: dict[str, str]) -> None:
        """Take over the env and cwd a shell had at exit, minus the cell's own unchanged variables."""
        for key, value in own_env.items():
            if env.get(key) == value and key not in self.env:
                env.pop(key, None)
        self.env = env
        if cwd:
            self.cwd = cwd

    def on_execution_end(self, execution: Execution) -> None:
        finished = [e for e in self.executions.values() if not e.running]
        for old in finished[: max(0, len(finished) - MAX_FINISHED)]:
            del self.executions[old.id]
        self.owner.on_execution_end(execution)

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
        )
