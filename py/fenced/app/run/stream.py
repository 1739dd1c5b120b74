"""Reading a session's Watch stream for the page: messages as they complete, output chunks merged.

Pure (no `js`): `fenced.connect` underneath, over whichever transport the client has.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fenced.connect import Event, Output, RunnerClient
from fenced.connect.messages import SERVICE
from fenced.connect.protocol import StreamParser, method_url, stream_request

PARSE_SLICE = 256 * 1024  # bytes of a network chunk parsed before the messages in them are handled


async def watch_messages(client: RunnerClient, session_id: str, cursor: int) -> AsyncIterator[dict[str, Any]]:
    """`client.stream("Watch")` without its own reconnecting (the engine does that), and with a big
    network chunk (a browser hands over megabytes at once) parsed a slice at a time, so the page can
    paint between the messages it holds."""
    request = stream_request(
        method_url(client.base_url, SERVICE, "Watch"),
        {"sessionId": session_id, "cursor": str(cursor)},
        token=client.token,
    )
    handle = await client.transport.open_stream(request)
    try:
        parser = StreamParser(handle.status, handle.headers)
        async for chunk in handle.chunks():
            for at in range(0, len(chunk), PARSE_SLICE):
                for message in parser.feed(chunk[at : at + PARSE_SLICE]):
                    yield message
        parser.finish()
    finally:
        await handle.aclose()


def coalesce(events: list[Event]) -> list[Event]:
    """Adjacent output chunks of one execution's stream as one (a PTY is read a few KiB at a time: this
    keeps the page's work per message, not per chunk)."""
    out: list[Event] = []
    parts: list[bytes] = []
    for event in events:
        last = out[-1] if out else None
        o, p = event.output, last.output if last is not None else None
        if (
            o is not None
            and p is not None
            and last is not None
            and last.execution_id == event.execution_id
            and p.stream == o.stream
            and p.offset + sum(map(len, parts)) == o.offset
        ):
            parts.append(o.data)
            continue
        _merge(out, parts)
        out.append(event)
        parts = [event.output.data] if event.output is not None else []
    _merge(out, parts)
    return out


def _merge(out: list[Event], parts: list[bytes]) -> None:
    if len(parts) > 1 and out and (first := out[-1].output) is not None:
        last = out[-1]
        out[-1] = Event(
            last.seq,
            last.execution_id,
            output=Output(first.stream, first.offset, b"".join(parts)),
        )
