"""The one place where `fenced run` talks to the runner: a session, its executions, one Watch stream.

Like the browser, the CLI starts executions with `Start` (so it knows an execution's id before any output
and can send input or stop it at once) and follows *all* of the session's events on one `Watch` stream
(`RunnerClient.watch`: fenced.connect's one resume loop, the browser's too, which resumes after a
dropped connection without losing output), routing them to the execution they belong to. Background
cells keep streaming while later cells run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from fenced.connect import Code, ConnectError, Event, Exited, Program, RunnerClient

from .errors import CliError


class Sink(Protocol):
    """Where an execution's output goes."""

    def output(self, execution: Execution, stream: str, data: bytes) -> None: ...

    def truncated(self, execution: Execution, stream: str) -> None: ...

    def warning(self, execution: Execution, message: str) -> None: ...


class RunnerGone(Exception):
    """The session's event stream ended before the execution did (runner stopped or session deleted)."""


@dataclass(eq=False)
class Execution:
    """One started cell: `done` resolves with its `Exited` event."""

    id: str
    name: str
    background: bool
    terminal: bool
    done: asyncio.Future[Exited] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    _input: asyncio.Queue[bytes | tuple[int, int] | None] = field(default_factory=asyncio.Queue)
    _sender: asyncio.Task[None] | None = None


class RemoteSession:
    """`async with RemoteSession.open(...)`: a session on the runner, deleted (executions stopped) at exit."""

    def __init__(self, client: RunnerClient, session_id: str, sink: Sink) -> None:
        self.client = client
        self.id = session_id
        self.sink = sink
        self.executions: dict[str, Execution] = {}
        self._early: dict[str, list[Event]] = {}
        self._watch: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        url: str,
        token: str | None,
        sink: Sink,
        *,
        directory: str = "",
        shell: str = "",
        env: Mapping[str, str] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> RemoteSession:
        """Create the session and start following its events; raises `CliError` if the runner says no."""
        client = RunnerClient(url, token)
        try:
            session = await client.create_session(
                directory=directory, shell=shell, env=env, metadata=metadata
            )
        except ConnectError as exc:
            await client.aclose()
            raise CliError(runner_error(url, exc)) from None
        except Exception:
            await client.aclose()
            raise
        remote = cls(client, session.id, sink)
        remote._watch = asyncio.get_running_loop().create_task(remote._follow(session.last_seq))
        return remote

    async def __aenter__(self) -> RemoteSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- executions ------------------------------------------------------------------------------
    async def start(
        self, program: Program, *, rows: int = 0, cols: int = 0, keep_stdin_open: bool = False
    ) -> Execution:
        try:
            started = await self.client.start(
                self.id, program, rows=rows, cols=cols, keep_stdin_open=keep_stdin_open
            )
        except ConnectError as exc:
            raise CliError(
                f"could not start {program.known_name!r}: [{exc.code.value}] {exc.message}"
            ) from None
        execution = Execution(
            started.execution_id, program.known_name, program.background, program.interactive
        )
        self.executions[execution.id] = execution
        for event in self._early.pop(execution.id, ()):
            self._route(execution, event)
        return execution

    def feed(self, execution: Execution, data: bytes) -> None:
        """Send `data` to the execution's stdin or terminal (in order, without waiting)."""
        self._queue(execution, data)

    def feed_eof(self, execution: Execution) -> None:
        """End of input: stdin closed (a terminal gets its end-of-file character)."""
        self._queue(execution, None)

    def resize(self, execution: Execution, rows: int, cols: int) -> None:
        """Set its terminal's size, in order with the input (keys typed after a resize see the new size)."""
        if execution.terminal:
            self._queue(execution, (rows, cols))

    def _queue(self, execution: Execution, item: bytes | tuple[int, int] | None) -> None:
        if execution.done.done():
            return
        execution._input.put_nowait(item)
        if execution._sender is None:
            execution._sender = asyncio.get_running_loop().create_task(self._send(execution))

    async def _send(self, execution: Execution) -> None:
        while not execution.done.done():
            item = await execution._input.get()
            try:
                if item is None:
                    await self.client.send_input(execution.id, close=True)
                    return
                if isinstance(item, tuple):
                    await self.client.resize(execution.id, *item)
                else:
                    await self.client.send_input(execution.id, item)
            except ConnectError:
                return  # it ended meanwhile: nobody is reading any more

    async def stop(self, execution: Execution, *, kill: bool = False) -> None:
        """SIGINT to its process group, then SIGTERM and SIGKILL (the runner escalates); or SIGKILL now."""
        if not execution.done.done():
            with contextlib.suppress(ConnectError):
                await self.client.stop(execution.id, kill=kill)

    def running(self) -> list[Execution]:
        return [e for e in self.executions.values() if not e.done.done()]

    # -- the event stream -----------------------------------------------------------------------
    async def _follow(self, cursor: int) -> None:
        error: BaseException = RunnerGone("the runner ended the session")
        watch = self.client.watch(self.id, cursor)
        try:
            async for event in watch:
                execution = self.executions.get(event.execution_id)
                if execution is None:
                    self._early.setdefault(event.execution_id, []).append(event)
                else:
                    self._route(execution, event)
        except ConnectError as exc:
            error = RunnerGone(f"lost the runner: {exc.message or exc}")
        except asyncio.CancelledError:
            error = RunnerGone("closed")
            raise
        finally:
            await watch.aclose()
            for execution in self.executions.values():
                if not execution.done.done():
                    execution.done.set_exception(error)
                    execution.done.exception()  # retrieved: no "never retrieved" warning at exit

    def _route(self, execution: Execution, event: Event) -> None:
        if event.output is not None:
            self.sink.output(execution, event.output.stream, event.output.data)
        elif event.truncated is not None:
            self.sink.truncated(execution, event.truncated.stream)
        elif event.warning is not None:
            self.sink.warning(execution, event.warning.message)
        elif event.exited is not None and not execution.done.done():
            execution.done.set_result(event.exited)

    async def close(self) -> None:
        """Delete the session (the runner stops what still runs), stop following, close the client."""
        try:
            with contextlib.suppress(ConnectError, OSError):
                await self.client.delete_session(self.id)
        finally:
            if self._watch is not None:
                self._watch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._watch
            for execution in self.executions.values():
                if execution._sender is not None:
                    execution._sender.cancel()
            await self.client.aclose()


def runner_error(url: str, exc: ConnectError) -> str:
    """One line for a runner that says no, with what to check."""
    if exc.code is Code.UNAVAILABLE:
        return f"cannot reach the runner at {url} ({exc.message}): is `fenced runner` running there?"
    if exc.code is Code.UNAUTHENTICATED:
        return f"{url}: [unauthenticated] the runner did not accept the token (see --token-file, --profile)"
    return f"{url}: {exc}"


def exit_status(exited: Exited | Any) -> int:
    """The status a shell would report: the exit code, 128+N for a signal N (the runner says so)."""
    code = getattr(exited, "exit_code", None)
    return 1 if code is None else int(code)
