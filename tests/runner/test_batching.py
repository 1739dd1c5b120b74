"""Output that follows other output closely goes out with it (`fenced.runner.batching`): the first output
after a quiet spell at once, what comes within the window in one event soon after, streams in order, and
a program that writes line by line on a terminal is a few events, not one per read."""

from __future__ import annotations

import asyncio
import time

from fenced.connect import Program
from fenced.runner.batching import WINDOW, OutputBatching
from tests.runner.support import arun

OUT, ERR = 1, 2
SCRIPT = "exec 3<> <(:); for i in $(seq 1 300); do echo $i; read -t 0.001 -u 3; done"


def test_the_first_output_goes_out_at_once_and_what_follows_it_closely_goes_together() -> None:
    async def main() -> list[tuple[int, bytes]]:
        sent: list[tuple[int, bytes]] = []
        second = asyncio.Event()

        def emit(stream: int, data: bytes) -> None:
            sent.append((stream, data))
            if len(sent) == 2:
                second.set()

        batch = OutputBatching(emit, window=0.05)
        batch.add(OUT, b"first\n")
        assert sent == [(OUT, b"first\n")]  # no latency for a prompt, an echo, a first line
        batch.add(OUT, b"a\n")
        batch.add(OUT, b"b\n")
        assert sent == [(OUT, b"first\n")]  # held: within the window of the last event
        await asyncio.wait_for(second.wait(), 5)  # the window's timer sends them, without anyone asking
        return sent

    assert arun(main()) == [(OUT, b"first\n"), (OUT, b"a\nb\n")]


def test_streams_stay_in_order_and_a_flush_sends_what_is_held() -> None:
    async def main() -> list[tuple[int, bytes]]:
        sent: list[tuple[int, bytes]] = []
        batch = OutputBatching(lambda stream, data: sent.append((stream, data)), window=60)
        batch.add(OUT, b"1")
        batch.add(OUT, b"2")
        batch.add(ERR, b"oops")  # the other stream: what stdout held goes first
        batch.add(OUT, b"3")
        batch.flush()  # (the process ended: nothing may stay behind its Exited event)
        batch.flush()
        return sent

    assert arun(main()) == [(OUT, b"1"), (OUT, b"2"), (ERR, b"oops"), (OUT, b"3")]


def test_a_flood_goes_out_in_pieces_of_the_limit_without_waiting() -> None:
    async def main() -> list[tuple[int, bytes]]:
        sent: list[tuple[int, bytes]] = []
        batch = OutputBatching(lambda stream, data: sent.append((stream, data)), window=60, limit=10)
        for _ in range(7):
            batch.add(OUT, b"xxxx")
        return sent

    sent = arun(main())
    assert [len(d) for _, d in sent] == [4, 12, 12]  # the first at once, then one per 10+ bytes held


def test_a_program_writing_line_by_line_on_a_terminal_is_a_few_events(client) -> None:
    """A line every millisecond (bash's builtin echo, and `read -t` as a sleep that starts no process): the
    runner used to send an event per read, here one per line; now at most one per window."""

    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            began = time.monotonic()
            started = await c.start(s.id, Program(script=SCRIPT, interactive=True))
            events, data = 0, b""
            async for event in watch:
                if event.execution_id != started.execution_id:
                    continue
                if event.output is not None:
                    events += 1
                    data += event.output.data
                if event.exited is not None:
                    break
            took = time.monotonic() - began
            await watch.aclose()
            assert data.replace(b"\r\n", b"\n") == b"".join(b"%d\n" % i for i in range(1, 301))
            assert events <= took / WINDOW + 2, (events, took)

    arun(main())


def test_a_start_goes_out_with_what_follows_it_at_once(runner, client) -> None:
    """A Watch sends a cell's start with its first output (or its exit) in one message: for a quick
    cell one message fewer for every client to read and decode. Read at the wire, frame by frame; up to
    ten cells, one after the other, as a busy machine may make a cell's first output later than the hold."""
    import json

    import httpx

    async def main() -> list[list[str]]:
        async with client() as c:
            s = await c.create_session()
            headers = {
                "authorization": f"Bearer {runner.token}",
                "content-type": "application/connect+json",
                "connect-protocol-version": "1",
            }
            body = json.dumps({"sessionId": s.id}).encode()
            url = f"{runner.url}/fenced.runner.v1.RunnerService/Watch"
            envelope = b"\0" + len(body).to_bytes(4, "big") + body
            messages: list[list[str]] = []
            cells = 0
            async with (
                httpx.AsyncClient(timeout=30) as http,
                http.stream("POST", url, content=envelope, headers=headers) as response,
            ):
                assert response.status_code == 200
                buffer = b""
                async for chunk in response.aiter_raw():
                    buffer += chunk
                    while len(buffer) >= 5 and len(buffer) >= 5 + int.from_bytes(buffer[1:5], "big"):
                        size = int.from_bytes(buffer[1:5], "big")
                        frame, buffer = json.loads(buffer[5 : 5 + size]), buffer[5 + size :]
                        kinds = [k for e in frame.get("events", []) for k in e if k in KINDS]
                        if kinds:
                            messages.append(kinds)
                        if (not cells or "exited" in kinds) and cells < 10:
                            if any(m[0] == "started" and len(m) > 1 for m in messages):
                                return messages
                            cells += 1  # the stream is open, or the last cell ended: the next one
                            await c.start(s.id, Program(script="echo hi", interactive=True))
                        elif "exited" in kinds:
                            return messages
            return messages

    messages = arun(main())
    assert any(m[0] == "started" and len(m) > 1 for m in messages), messages  # not a message of its own
    assert all(m.count("started") <= 1 for m in messages)


KINDS = ("started", "output", "exited", "truncated", "warning")
