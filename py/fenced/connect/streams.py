"""The one loop that follows runner events, for every client (the browser's run engine, the CLI, scripts).

`EventStream` drives a `ResumeState` over a transport: it opens the stream (a `Watch`, or first an
`Execute`), hands the events on in batches (one per stream message) or one by one, acknowledges what the
consumer has taken (`Ack`, every so many bytes and at least once a second, so the runner keeps exactly
what the client does not have yet), and after a cut resumes with a `Watch` from the cursor under the
same watcher id, which loses nothing however fast the output (see the proto's top comment). Large
network chunks (a browser hands over megabytes at once) are parsed a slice at a time, so a page can
paint between the messages they hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Protocol, Self

from fenced.connect.errors import ConnectError
from fenced.connect.messages import SERVICE, Event
from fenced.connect.protocol import Codec, StreamParser, method_url, stream_request
from fenced.connect.resume import ACK_INTERVAL, ResumeState
from fenced.connect.transport import Transport
from fenced.connect.wire import REQUEST_MESSAGES, decode_response, encode_request

PARSE_SLICE = 256 * 1024  # bytes of a network chunk parsed before the messages in them are handed on
ACK_TIMEOUT = 10.0
RELEASE_TIMEOUT = 2.0


class Caller(Protocol):
    """What a stream needs of `RunnerClient`."""

    base_url: str
    token: str | None
    transport: Transport
    stream_codec: Codec  # what Watch and Execute speak: "json", or "proto" (binary, no base64)

    async def call(
        self, method: str, message: Mapping[str, Any], timeout: float | None = None
    ) -> dict[str, Any]: ...


async def stream_messages(
    caller: Caller, method: str, message: Mapping[str, Any]
) -> AsyncIterator[dict[str, Any]]:
    """One server-streaming call: its messages; raises `ConnectError` (also for a cut stream). In the
    binary codec (Watch and Execute only) the messages carry their `events` as `Event`s already."""
    async for messages in stream_message_lists(caller, method, message):
        for item in messages:
            yield item


async def stream_message_lists(
    caller: Caller, method: str, message: Mapping[str, Any]
) -> AsyncIterator[list[dict[str, Any]]]:
    """`stream_messages`, a list at a time: the messages that one piece of the network's bytes completed
    (a chunk, or PARSE_SLICE of it). Fast output comes as many small messages in one chunk (a PTY is
    read 4 KiB at a time), and a consumer that works per list works per chunk, not per message."""
    codec: Codec = caller.stream_codec if method in REQUEST_MESSAGES else "json"
    url = method_url(caller.base_url, SERVICE, method)
    if codec == "proto":
        encode = functools.partial(encode_request, REQUEST_MESSAGES[method])
        request = stream_request(url, message, token=caller.token, codec=codec, encode=encode)
        decode = functools.partial(decode_response, method)
    else:
        request = stream_request(url, message, token=caller.token)
    handle = await caller.transport.open_stream(request)
    try:
        if codec == "proto":
            parser = StreamParser(handle.status, handle.headers, codec=codec, decode=decode)
        else:
            parser = StreamParser(handle.status, handle.headers)
        async for chunk in handle.chunks():
            if len(chunk) <= PARSE_SLICE:
                if items := parser.feed(chunk):
                    yield items
                continue
            view = memoryview(chunk)  # slices of it copy nothing
            for at in range(0, len(chunk), PARSE_SLICE):
                if items := parser.feed(view[at : at + PARSE_SLICE]):
                    yield items
        parser.finish()
    finally:
        await handle.aclose()


class EventStream:
    """Events across reconnects. `async for event in stream`, or `async for batch in stream.batches()`.

    `first`: the call that opens it (method and message) when it is not a Watch, i.e. an Execute; its
    events are then those of that one execution, and the stream ends after its exit. `on_connection`
    hears `(False, error)` once `show_after` attempts in a row failed, and `(True, None)` when messages
    flow again."""

    def __init__(
        self,
        client: Caller,
        state: ResumeState,
        *,
        first: tuple[str, dict[str, Any]] | None = None,
        on_connection: Callable[[bool, BaseException | None], None] | None = None,
        show_after: int = 1,
    ) -> None:
        self.client = client
        self.state = state
        self._first = first
        self._on_connection = on_connection
        self._show_after = show_after
        self._down = False
        self._ack_task: asyncio.Task[None] | None = None
        self._ack_timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._batches: AsyncIterator[list[Event]] | None = None
        self._pending: list[Event] = []

    # -- the state, by its old names --------------------------------------------------------------
    @property
    def cursor(self) -> int:
        return self.state.cursor

    @property
    def reconnects(self) -> int:
        return self.state.reconnects

    @property
    def session_id(self) -> str:
        return self.state.session_id

    @property
    def execution_id(self) -> str:
        return self.state.execution_id

    @property
    def watcher_id(self) -> str:
        return self.state.watcher_id

    # -- iteration ---------------------------------------------------------------------------------
    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Event:
        while not self._pending:
            if self._batches is None:
                self._batches = self.batches()
            self._pending = list(await self._batches.__anext__())
        return self._pending.pop(0)

    async def batches(self) -> AsyncIterator[list[Event]]:
        """The events of each stream message that has any, deduplicated across reconnects."""
        state = self.state
        first, self._first = self._first, None
        while True:
            method, message = first or ("Watch", state.watch_request())
            first = None
            error: ConnectError | None = None
            try:
                async for messages in stream_message_lists(self.client, method, message):
                    events = [event for raw in messages for event in state.accept(raw)]
                    self._connected()
                    if events:
                        yield events  # the consumer has them once it asks for more:
                    if state.finished:
                        return
                    self._ack_if_due()
                delay = state.ended()
            except ConnectError as exc:
                delay = state.failed(exc)
                if delay is None:
                    raise
                error = exc
            if delay is None:
                return
            if error is not None and state.failures >= self._show_after and not self._down:
                self._down = True
                if self._on_connection is not None:
                    self._on_connection(False, error)
            await asyncio.sleep(delay)

    def _connected(self) -> None:
        if self._down:
            self._down = False
            if self._on_connection is not None:
                self._on_connection(True, None)

    # -- acknowledgements --------------------------------------------------------------------------
    def _ack_if_due(self) -> None:
        """Send an Ack when one is due and none is on its way; else make sure a later look happens (the
        runner may be waiting for exactly this one, and then sends nothing that would prompt it). A
        later look already planned stays as it is: per message, no timer is made or cancelled."""
        state = self.state
        if self._closed or (self._ack_task is not None and not self._ack_task.done()):
            return
        now = time.monotonic()
        if state.ack_due(now):
            if self._ack_timer is not None:
                self._ack_timer.cancel()
                self._ack_timer = None
            message = state.ack_request()
            state.acknowledged(state.cursor, now)
            self._ack_task = asyncio.ensure_future(self._ack(message))
        elif state.ack_bytes and state.cursor > state.acked and self._ack_timer is None:
            self._ack_timer = asyncio.get_running_loop().call_later(ACK_INTERVAL, self._ack_timer_fired)

    def _ack_timer_fired(self) -> None:
        self._ack_timer = None
        self._ack_if_due()

    async def _ack(self, message: dict[str, Any]) -> None:
        # Advisory: if it fails (or the client was closed under it) the next one, or the resume's
        # cursor, says it again.
        with contextlib.suppress(Exception):
            await self.client.call("Ack", message, timeout=ACK_TIMEOUT)
        self._ack_task = None  # this one is done (its task is not, yet: `_ack_if_due` would wait for it)
        self._ack_if_due()  # what arrived meanwhile

    async def aclose(self, *, release: bool = True) -> None:
        """Stop following. `release`: tell the runner this client will not resume, so it need not keep
        output for it (pass False when another stream will take over, e.g. right away)."""
        if self._batches is not None:
            with contextlib.suppress(RuntimeError):
                await self._batches.aclose()  # type: ignore[attr-defined]
        self._closed = True
        if self._ack_timer is not None:
            self._ack_timer.cancel()
        if self._ack_task is not None and not self._ack_task.done():
            self._ack_task.cancel()
        if release and self.state.ack_bytes and self.state.session_id:
            with contextlib.suppress(Exception):  # advisory too: away, it is forgotten after the grace
                await self.client.call("Ack", self.state.ack_request(release=True), timeout=RELEASE_TIMEOUT)


class WatchStream(EventStream):
    """Every event of a session's executions from `cursor` on, resumed after a drop."""


class ExecuteStream(EventStream):
    """One execution's events until it exits (`session_id`/`execution_id` are set by the first reply); after
    a drop it follows the rest with a Watch under the same watcher. A one-off session (none was given)
    is deleted once the rest was followed that way, as the runner only drops it after an unbroken one."""

    def __init__(self, client: Caller, message: dict[str, Any], state: ResumeState) -> None:
        self._own_session = not message.get("sessionId")
        super().__init__(client, state, first=("Execute", {**message, "watcherId": state.watcher_id}))

    async def batches(self) -> AsyncIterator[list[Event]]:
        async for batch in super().batches():
            yield batch
        if self._own_session and self.state.reconnects and self.state.finished:
            with contextlib.suppress(ConnectError):
                await self.client.call("DeleteSession", {"sessionId": self.state.session_id})
