"""A run's output from the runner's replay buffer: what "Open full output" shows past the page's cap.

A Watch of its own from cursor 0, without resuming, alongside the session's: the page's copy of the
output stopped at the cap, while the runner may still keep the rest. No `js` here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from fenced.connect import RunnerClient

from .runs import Run


async def output_after(
    client: RunnerClient, session_id: str, cursor: int, run: Run, kept: Mapping[str, int], timeout: float
) -> tuple[list[tuple[str, bytes]], int]:
    """`run`'s output past the first `kept` bytes of each stream, as the runner still has it (its
    replay buffer), in order, up to `cursor` (what the page has seen); and how many bytes of it are gone."""
    target, have = cursor, dict(kept)
    parts: list[tuple[str, bytes]] = []
    lost = 0
    stream = client.watch(session_id, 0, resume=False)

    async def collect() -> None:
        nonlocal lost
        async for event in stream:
            out = event.output
            if event.execution_id == run.execution_id and out is not None:
                start, end = have.get(out.stream, 0), out.offset + len(out.data)
                if end > start:
                    lost += max(0, out.offset - start)
                    parts.append((out.stream, out.data[max(0, start - out.offset) :]))
                    have[out.stream] = end
            if event.seq >= target or (event.execution_id == run.execution_id and event.exited):
                return

    try:
        await asyncio.wait_for(collect(), timeout)
    finally:
        await stream.aclose(release=True)
    return parts, lost
