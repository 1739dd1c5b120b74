"""Output events for the page: adjacent chunks of one stream merged, so the page works per message.

Pure (no `js`). The stream itself (resuming, acknowledging, parsing big chunks a slice at a time) is
`fenced.connect.streams`, shared with the CLI.
"""

from __future__ import annotations

from fenced.connect import Event, Output


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
