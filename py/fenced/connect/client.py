"""`RunnerClient`: one typed async method per runner RPC, over any transport (fetch or httpx).

`watch()` resumes by itself: when the connection drops (`unavailable`), it reconnects with the cursor
of the last event it delivered, so the caller sees every event once, in order, across reconnects.
`execute()` does the same by falling back to `Watch` on its session.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from fenced.connect.errors import Code, ConnectError
from fenced.connect.messages import SERVICE, Event, Info, Program, Session, b64, winsize
from fenced.connect.protocol import (
    CallOptions,
    StreamParser,
    method_url,
    parse_unary_response,
    runner_base_url,
    stream_request,
    unary_request,
)
from fenced.connect.transport import Transport, default_transport

RETRYABLE = frozenset({Code.UNAVAILABLE})


@dataclass(frozen=True)
class StartResult:
    execution_id: str
    pid: int


@dataclass
class RunResult:
    """Everything an execution produced (from `RunnerClient.run`)."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    exit_code: int | None = None
    signal: str = ""
    pwd: str = ""
    events: list[Event] = field(default_factory=list)


def execution_message(
    session_id: str, program: Program, rows: int, cols: int, input_data: bytes
) -> dict[str, Any]:
    """The request fields `Start` and `Execute` share: a terminal only with both sizes, input only if any."""
    message: dict[str, Any] = {"sessionId": session_id, "config": program.to_json()}
    if rows and cols:
        message["winsize"] = winsize(rows, cols)
    if input_data:
        message["inputData"] = b64(input_data)
    return message


class RunnerClient:
    """Talks to one runner: `RunnerClient("http://127.0.0.1:8765", token)`; use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: Transport | None = None,
        timeout: float | None = 30.0,
        retry_delays: tuple[float, ...] = (0.05, 0.2, 0.5, 1, 2, 3, 5, 5),
    ) -> None:
        self.base_url = runner_base_url(base_url)  # may carry a path prefix: https://host/runner
        self.token = token
        self.transport = transport or default_transport()
        self.timeout = timeout
        self.retry_delays = retry_delays

    async def __aenter__(self) -> RunnerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    # -- plumbing -------------------------------------------------------------------------------
    async def call(
        self, method: str, message: Mapping[str, Any], timeout: float | None = None
    ) -> dict[str, Any]:
        """One unary call with the JSON codec; raises `ConnectError`."""
        timeout = self.timeout if timeout is None else timeout
        request = unary_request(
            method_url(self.base_url, SERVICE, method),
            message,
            token=self.token,
            options=CallOptions(timeout=timeout),
        )
        response = await self.transport.unary(request, timeout)
        return parse_unary_response(response)

    async def stream(self, method: str, message: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """One server-streaming call: yields messages; raises `ConnectError` (also for a cut stream)."""
        request = stream_request(method_url(self.base_url, SERVICE, method), message, token=self.token)
        handle = await self.transport.open_stream(request)
        try:
            parser = StreamParser(handle.status, handle.headers)
            async for chunk in handle.chunks():
                for item in parser.feed(chunk):
                    yield item
            parser.finish()
        finally:
            await handle.aclose()

    # -- unary RPCs -----------------------------------------------------------------------------
    async def get_info(self) -> Info:
        return Info.from_json(await self.call("GetInfo", {}))

    async def create_session(
        self,
        *,
        env: Mapping[str, str] | None = None,
        directory: str = "",
        shell: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> Session:
        message: dict[str, Any] = {"directory": directory, "shell": shell, "metadata": dict(metadata or {})}
        if env:
            message["env"] = [f"{k}={v}" for k, v in env.items()]
        return Session.from_json((await self.call("CreateSession", message)).get("session") or {})

    async def list_sessions(self) -> list[Session]:
        return [Session.from_json(s) for s in (await self.call("ListSessions", {})).get("sessions") or ()]

    async def delete_session(self, session_id: str) -> None:
        await self.call("DeleteSession", {"sessionId": session_id})

    async def start(
        self,
        session_id: str,
        program: Program,
        *,
        rows: int = 0,
        cols: int = 0,
        input_data: bytes = b"",
        keep_stdin_open: bool = False,
    ) -> StartResult:
        message = execution_message(session_id, program, rows, cols, input_data)
        if keep_stdin_open:
            message["keepStdinOpen"] = True
        reply = await self.call("Start", message)
        return StartResult(reply.get("executionId", ""), int(reply.get("pid", 0)))

    async def send_input(self, execution_id: str, data: bytes = b"", *, close: bool = False) -> None:
        message: dict[str, Any] = {"executionId": execution_id, "inputData": b64(data)}
        if close:
            message["closeStdin"] = True
        await self.call("SendInput", message)

    async def resize(self, execution_id: str, rows: int, cols: int) -> None:
        await self.call("Resize", {"executionId": execution_id, "winsize": winsize(rows, cols)})

    async def stop(self, execution_id: str, *, kill: bool = False) -> None:
        message: dict[str, Any] = {"executionId": execution_id}
        if kill:
            message["mode"] = "STOP_MODE_KILL"
        await self.call("Stop", message)

    # -- streams --------------------------------------------------------------------------------
    def watch(self, session_id: str, cursor: int = 0, *, resume: bool = True) -> WatchStream:
        """Events of every execution of the session after `cursor`; reconnects by itself if `resume`."""
        return WatchStream(self, session_id, cursor, resume)

    def execute(
        self,
        program: Program,
        *,
        session_id: str = "",
        rows: int = 0,
        cols: int = 0,
        input_data: bytes = b"",
    ) -> ExecuteStream:
        """Start one execution and stream its events until it exits (a fresh session if none is given)."""
        return ExecuteStream(self, execution_message(session_id, program, rows, cols, input_data))

    async def run(self, program: Program, *, session_id: str = "", input_data: bytes = b"") -> RunResult:
        """Execute and collect: stdout, stderr, exit code, final cwd."""
        result = RunResult()
        async for event in self.execute(program, session_id=session_id, input_data=input_data):
            result.events.append(event)
            if event.output is not None:
                (result.stdout if event.output.stream == "stdout" else result.stderr).extend(
                    event.output.data
                )
            elif event.exited is not None:
                result.exit_code, result.signal, result.pwd = (
                    event.exited.exit_code,
                    event.exited.signal,
                    event.exited.pwd,
                )
        return result


class _EventStream:
    """The async-iterator protocol over `self._events()`, which subclasses define; `cursor` is the seq of the
    last event delivered."""

    def __init__(self, client: RunnerClient, cursor: int) -> None:
        self.client = client
        self.cursor = cursor
        self._iter = self._events()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Event:
        return await self._iter.__anext__()

    async def aclose(self) -> None:
        await self._iter.aclose()

    def _events(self) -> AsyncGenerator[Event, None]:
        raise NotImplementedError


class WatchStream(_EventStream):
    """Every event of a session's executions, resumed from `cursor` after a drop if `resume`."""

    def __init__(self, client: RunnerClient, session_id: str, cursor: int, resume: bool) -> None:
        self.session_id = session_id
        self.resume = resume
        self.reconnects = 0
        super().__init__(client, cursor)

    async def _events(self) -> AsyncGenerator[Event, None]:
        failures = 0
        while True:
            try:
                async for message in self.client.stream(
                    "Watch", {"sessionId": self.session_id, "cursor": str(self.cursor)}
                ):
                    failures = 0
                    for raw in message.get("events") or ():
                        event = Event.from_json(raw)
                        if event.seq <= self.cursor:
                            continue  # already delivered before a reconnect
                        self.cursor = event.seq
                        yield event
                return  # the runner ended the stream: session deleted or runner shutting down
            except ConnectError as exc:
                if not self.resume or exc.code not in RETRYABLE or failures >= len(self.client.retry_delays):
                    raise
                await asyncio.sleep(self.client.retry_delays[failures])
                failures += 1
                self.reconnects += 1


class ExecuteStream(_EventStream):
    """One execution's events until it exits; `session_id`/`execution_id` are set by the first reply."""

    def __init__(self, client: RunnerClient, message: dict[str, Any]) -> None:
        self.message = message
        self.session_id = ""
        self.execution_id = ""
        super().__init__(client, 0)

    async def _events(self) -> AsyncGenerator[Event, None]:
        try:
            async for message in self.client.stream("Execute", self.message):
                self.session_id = message.get("sessionId", self.session_id)
                self.execution_id = message.get("executionId", self.execution_id)
                for raw in message.get("events") or ():
                    event = Event.from_json(raw)
                    self.cursor = event.seq
                    yield event
                    if event.exited is not None:
                        return
            return
        except ConnectError as exc:
            if exc.code not in RETRYABLE or not self.execution_id:
                raise
        # The connection dropped mid-execution: follow the rest on the session's Watch.
        watch = self.client.watch(self.session_id, self.cursor)
        try:
            async for event in watch:
                if event.execution_id != self.execution_id:
                    continue
                self.cursor = event.seq
                yield event
                if event.exited is not None:
                    return
        finally:
            await watch.aclose()
