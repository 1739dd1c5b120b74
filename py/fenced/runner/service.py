"""The Connect handlers: thin translations between proto messages and the `Runner`.

Stream handlers hold no execution: when one is cancelled because its client went away, the `finally`
only detaches its watcher, so a later `Watch(cursor)` picks the executions up again. Every wait in a
stream is cancellation-safe (`asyncio.timeout`, and a checkpoint after each message even in a flood), so
a client that vanished is let go at once; a connection that accepts nothing is closed below the app
(see `connections`), which ends its stream the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeAlias

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.request import RequestContext as _RequestContext

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner import checks
from fenced.runner.core import Runner, RunnerError
from fenced.runner.session import Execution, Session
from fenced.runner.watchers import Watcher

RequestContext: TypeAlias = _RequestContext[Any, Any]  # the handlers read no typed field of it

BATCH_BYTES = 512 * 1024  # output per stream message: large enough for throughput, small enough to interleave
BATCH_BUDGET = 4 * 1024 * 1024  # ... shared by a session's watchers: each loop round stays short with many
MIN_BATCH_BYTES = 16 * 1024
START_HOLD = 0.004  # seconds a start waits for what follows it (see `_with_what_follows`)


def batch_bytes(watchers: int) -> int:
    """Output per message for each of `watchers` streams: every stream takes its turn on the one event loop,
    so with many of them smaller messages keep a round (and a GetInfo waiting for it) short, and bound
    what sits encoded in the connections' buffers."""
    return max(MIN_BATCH_BYTES, min(BATCH_BYTES, BATCH_BUDGET // max(1, watchers)))


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except RunnerError as exc:
        raise ConnectError(exc.code, str(exc)) from None


class RunnerServiceImpl:
    """Implements `fenced.runner.v1.RunnerService` on a `Runner`."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    async def get_info(self, request: pb.GetInfoRequest, ctx: RequestContext) -> pb.GetInfoResponse:
        return self.runner.info()

    async def create_session(
        self, request: pb.CreateSessionRequest, ctx: RequestContext
    ) -> pb.CreateSessionResponse:
        with _errors():
            session = self.runner.create_session(
                env=list(request.env),
                directory=request.directory,
                shell=request.shell,
                metadata=dict(request.metadata),
            )
        return pb.CreateSessionResponse(session=session.summary())

    async def list_sessions(
        self, request: pb.ListSessionsRequest, ctx: RequestContext
    ) -> pb.ListSessionsResponse:
        return pb.ListSessionsResponse(sessions=[s.summary() for s in self.runner.sessions.values()])

    async def delete_session(
        self, request: pb.DeleteSessionRequest, ctx: RequestContext
    ) -> pb.DeleteSessionResponse:
        with _errors():
            self.runner.delete_session(request.session_id)
        return pb.DeleteSessionResponse()

    async def start(self, request: pb.StartRequest, ctx: RequestContext) -> pb.StartResponse:
        with _errors():
            session = self.runner.session(request.session_id)
            execution = await self._start(
                session, request.config, request.winsize, request.input_data, request.keep_stdin_open
            )
        return pb.StartResponse(execution_id=execution.id, pid=execution.pid)

    async def _start(
        self, session: Session, config: pb.ProgramConfig, winsize: pb.Winsize, data: bytes, keep_open: bool
    ) -> Execution:
        execution = await self.runner.start(session, config, winsize)
        process = execution.process
        assert process is not None
        try:
            if data:
                process.write_input(data)
            if not config.interactive and not keep_open:
                process.close_input()
        except BrokenPipeError:
            pass  # it ended before reading any input: as with a pipe, the input goes nowhere
        return execution

    async def send_input(self, request: pb.SendInputRequest, ctx: RequestContext) -> pb.SendInputResponse:
        with _errors():
            execution = self.runner.execution(request.execution_id)
        process = execution.process
        if process is None or not execution.running or not process.stdin_open:
            raise ConnectError(Code.FAILED_PRECONDITION, "the execution's input is closed")
        try:
            if request.input_data:
                process.write_input(request.input_data)
            if request.close_stdin:
                process.close_input()
        except BrokenPipeError as exc:
            raise ConnectError(Code.FAILED_PRECONDITION, f"the execution's input is closed: {exc}") from None
        except BufferError as exc:
            raise ConnectError(Code.RESOURCE_EXHAUSTED, str(exc)) from None
        return pb.SendInputResponse()

    async def resize(self, request: pb.ResizeRequest, ctx: RequestContext) -> pb.ResizeResponse:
        with _errors():
            execution = self.runner.execution(request.execution_id)
            checks.winsize(request.winsize, required=True)
        size = request.winsize
        if execution.process is None or not execution.spec.interactive:
            raise ConnectError(Code.FAILED_PRECONDITION, "not an interactive execution")
        if execution.running:
            with contextlib.suppress(OSError):
                execution.process.resize(size.rows, size.cols, size.x, size.y)
        return pb.ResizeResponse()

    async def stop(self, request: pb.StopRequest, ctx: RequestContext) -> pb.StopResponse:
        with _errors():
            execution = self.runner.execution(request.execution_id)
        execution.stop(
            self.runner.config.stop_grace, kill=request.mode == pb.STOP_MODE_KILL, reason="stopped by request"
        )
        return pb.StopResponse()

    async def ack(self, request: pb.AckRequest, ctx: RequestContext) -> pb.AckResponse:
        with _errors():
            session = self.runner.session(request.session_id)
            session.ack(request.watcher_id, request.cursor, release=request.release)
        return pb.AckResponse()

    def _ack_bytes(self, watcher: Watcher) -> int:
        """How often (output bytes) an acknowledging client should Ack: a quarter of the buffer, so the
        runner has room to go on while the acknowledgement travels."""
        return max(1, self.runner.config.buffer_bytes // 4) if watcher.acknowledges else 0

    async def watch(self, request: pb.WatchRequest, ctx: RequestContext) -> AsyncIterator[pb.WatchResponse]:
        with _errors():
            session = self.runner.session(request.session_id)
            watcher, stream = session.attach_watcher(request.watcher_id, request.cursor)
        try:
            # The first message flushes the headers: the stream is open.
            yield pb.WatchResponse(cursor=watcher.sent, ack_bytes=self._ack_bytes(watcher))
            async for events in self._follow(session, watcher, stream, None):
                cursor = events[-1].seq if events else watcher.sent
                yield pb.WatchResponse(events=events, cursor=cursor)
                session.advanced(watcher, stream, cursor)
        finally:
            session.detach_watcher(watcher, stream)

    async def execute(
        self, request: pb.ExecuteRequest, ctx: RequestContext
    ) -> AsyncIterator[pb.ExecuteResponse]:
        with _errors():
            if request.session_id:
                session = self.runner.session(request.session_id)
            else:
                session = self.runner.create_session()
                session.ephemeral = True
            try:
                watcher, stream = session.attach_watcher(request.watcher_id, session.seq, "")
                try:
                    execution = await self._start(
                        session, request.config, request.winsize, request.input_data, False
                    )
                except BaseException:
                    session.detach_watcher(watcher, stream)
                    raise
            except BaseException:
                self.runner.drop_if_done(session)
                raise
        watcher.execution_id = execution.id
        completed = False
        try:
            yield pb.ExecuteResponse(
                session_id=session.id,
                execution_id=execution.id,
                cursor=watcher.sent,
                ack_bytes=self._ack_bytes(watcher),
            )
            async for events in self._follow(session, watcher, stream, execution):
                cursor = events[-1].seq if events else watcher.sent
                yield pb.ExecuteResponse(
                    session_id=session.id, execution_id=execution.id, events=events, cursor=cursor
                )
                session.advanced(watcher, stream, cursor)
            completed = True
        finally:
            session.detach_watcher(watcher, stream, finished=completed)
        if completed:  # a cut stream leaves the one-off session for a Watch to resume (until it idles out)
            self.runner.drop_if_done(session)

    async def _with_what_follows(self, session: Session, watcher: Watcher) -> list[pb.Event]:
        """The events after the cursor again, once something followed a start (its first output, a quick
        cell's exit) or START_HOLD passed: sent with it, one message fewer for every cell that prints or
        ends at once (each costs every client a read and a decode, and the page a few tasks of its
        Python). Not longer: the output that follows is not held back."""
        watcher.wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(START_HOLD):
                await watcher.wake.wait()
        return session.collect(watcher, batch_bytes(len(session.watchers)))

    async def _follow(
        self, session: Session, watcher: Watcher, stream: int, execution: Execution | None
    ) -> AsyncIterator[list[pb.Event]]:
        """Batches of events after the watcher's cursor; empty lists are keep-alives.

        The caller advances the cursor once a batch is sent. Ends with the session, when a newer stream
        of the same watcher replaces this one, or after the exited event of `execution`.
        """
        keepalive = self.runner.config.keepalive
        while watcher.current(stream):
            watcher.wake.clear()
            events = session.collect(watcher, batch_bytes(len(session.watchers)))
            if events and events[-1].HasField("started"):
                events = await self._with_what_follows(session, watcher) or events
            if events:
                last = events[-1].seq
                yield events
                exited = execution.buffer.exited if execution is not None else None
                if exited is not None and last >= exited.seq:
                    return
                # Output may never stop coming: give a cancellation (the client went away) its chance.
                await asyncio.sleep(0)
                continue
            if session.deleted or self.runner.closing:
                return
            try:
                # Not wait_for: on 3.11 it can swallow a cancellation that arrives as the event fires.
                async with asyncio.timeout(keepalive):
                    await watcher.wake.wait()
            except TimeoutError:
                yield []
