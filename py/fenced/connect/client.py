"""`RunnerClient`: one typed async method per runner RPC, over any transport (fetch or httpx).

`watch()` and `execute()` return streams of the one resume loop (`fenced.connect.streams`): when the
connection drops, they reconnect with the cursor of the last event delivered and their watcher id, and
they acknowledge what the caller has taken, so the caller sees every event once, in order, across any
number of reconnects, and the runner keeps what the caller does not have yet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fenced.connect.errors import Code
from fenced.connect.messages import SERVICE, Event, Info, Program, Session, b64, winsize
from fenced.connect.protocol import (
    CallOptions,
    Codec,
    method_url,
    parse_unary_response,
    runner_base_url,
    unary_request,
)
from fenced.connect.resume import DEFAULT_DELAYS, NO_RETRY, ResumeState, RetryPolicy
from fenced.connect.streams import ExecuteStream, WatchStream, stream_messages
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
        retry_delays: tuple[float, ...] = DEFAULT_DELAYS,
        stream_codec: Codec = "json",
    ) -> None:
        """`stream_codec="proto"`: Watch and Execute speak protobuf binary (`application/connect+proto`,
        decoded by `fenced.connect.wire`): bulk output arrives without base64 and is decoded faster.
        Unary calls speak JSON either way."""
        self.base_url = runner_base_url(base_url)  # may carry a path prefix: https://host/runner
        self.token = token
        self.transport = transport or default_transport()
        self.timeout = timeout
        self.retry_delays = retry_delays
        self.stream_codec: Codec = stream_codec

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

    def stream(self, method: str, message: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """One server-streaming call, no resuming: its messages; raises `ConnectError` (also when cut)."""
        return stream_messages(self, method, message)

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

    async def ack(self, session_id: str, watcher_id: str, cursor: int, *, release: bool = False) -> None:
        """Tell the runner the watcher's client has every event up to `cursor` (streams do this)."""
        message: dict[str, Any] = {"sessionId": session_id, "watcherId": watcher_id, "cursor": str(cursor)}
        if release:
            message["release"] = True
        await self.call("Ack", message)

    # -- streams --------------------------------------------------------------------------------
    def watch(
        self,
        session_id: str,
        cursor: int = 0,
        *,
        resume: bool = True,
        watcher_id: str = "",
        policy: RetryPolicy | None = None,
        on_connection: Callable[[bool, BaseException | None], None] | None = None,
        show_after: int = 1,
    ) -> WatchStream:
        """Events of every execution of the session after `cursor`; reconnects by itself if `resume`
        (per `policy`: by default after dropped connections, `retry_delays` apart). `watcher_id` names
        this client across streams (a fresh one by default); `on_connection` hears when attempts fail
        `show_after` times in a row and when events flow again."""
        if policy is None:
            policy = RetryPolicy(self.retry_delays) if resume else NO_RETRY
        state = ResumeState(session_id, cursor, watcher_id=watcher_id, policy=policy)
        return WatchStream(self, state, on_connection=on_connection, show_after=show_after)

    def execute(
        self,
        program: Program,
        *,
        session_id: str = "",
        rows: int = 0,
        cols: int = 0,
        input_data: bytes = b"",
    ) -> ExecuteStream:
        """Start one execution and stream its events until it exits (a fresh session if none is given);
        after a dropped connection it follows the rest on a Watch, losing nothing."""
        message = execution_message(session_id, program, rows, cols, input_data)
        return ExecuteStream(self, message, ResumeState(session_id, policy=RetryPolicy(self.retry_delays)))

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
