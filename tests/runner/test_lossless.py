"""Lossless resume at any output rate, vanished clients detected, and no watcher holding back the others."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator

import pytest

from fenced.connect import Code, ConnectError, Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from fenced.connect.protocol import HttpRequest
from tests.runner import rawhttp
from tests.runner.support import RunnerProcess, arun

PATTERN = b"0123456789abcdef\n"
YES = "yes 0123456789abcdef"


@pytest.fixture(scope="module")
def fast_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess(
        "--disconnect-grace",
        "1",
        "--stop-grace",
        "1",
        "--write-timeout",
        "2",
        "--session-idle-timeout",
        "3",
        "--quiet",
    ) as proc:
        yield proc


def client_for(proc: RunnerProcess, transport: object | None = None) -> RunnerClient:
    return RunnerClient(proc.url, proc.token, transport=transport or HttpxTransport())  # type: ignore[arg-type]


async def running(c: RunnerClient, session_id: str, execution_id: str) -> bool:
    sessions = {s.id: s for s in await c.list_sessions()}
    session = sessions.get(session_id)
    if session is None:
        return False
    return any(e.id == execution_id and e.running for e in session.executions)


def check_pattern(offset: int, data: bytes) -> None:
    """`yes` output: the data at `offset` is the pattern, repeated."""
    start = offset % len(PATTERN)
    reps = (start + len(data)) // len(PATTERN) + 1
    assert data == (PATTERN * reps)[start : start + len(data)], f"wrong bytes at offset {offset}"


class RandomCuts(HttpxTransport):
    """Cuts every stream after a random number of bytes (like a network drop), `cuts` times in all."""

    def __init__(self, cuts: int, low: int = 16 * 1024, high: int = 1024 * 1024) -> None:
        super().__init__()
        self.left = cuts
        self.cuts = 0
        self.rng = random.Random(1234)
        self.low, self.high = low, high

    async def open_stream(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        handle = await super().open_stream(request)
        if self.left <= 0:
            return handle
        self.left -= 1
        after = self.rng.randint(self.low, self.high)
        inner = handle.chunks
        outer = self

        async def chunks() -> AsyncIterator[bytes]:
            count = 0
            async for chunk in inner():
                yield chunk
                count += len(chunk)
                if count >= after:
                    outer.cuts += 1
                    await handle.aclose()
                    raise ConnectError(Code.UNAVAILABLE, "cut by the test")

        handle.chunks = chunks  # type: ignore[method-assign]
        return handle


def test_resume_at_full_speed_loses_nothing(fast_runner: RunnerProcess) -> None:
    """100 cuts while `yes` writes as fast as it can: every byte arrives once, no `Truncated`."""

    async def main() -> None:
        transport = RandomCuts(100)
        async with client_for(fast_runner, transport) as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, Program(script=YES))
            received = 0
            stopped = False
            exited = None
            async for event in watch:
                assert event.truncated is None, f"lost output after {transport.cuts} cuts: {event}"
                if event.output is not None:
                    assert event.output.offset == received
                    check_pattern(received, event.output.data)
                    received += len(event.output.data)
                    if transport.left == 0 and not stopped:
                        stopped = True
                        await c.stop(started.execution_id)
                if event.exited is not None:
                    exited = event.exited
                    break
            await watch.aclose()
            assert transport.cuts == 100 and watch.reconnects >= 100
            assert exited is not None and exited.stdout_bytes == received
            await c.delete_session(s.id)

    arun(main(), timeout=240)


def test_a_client_that_vanishes_during_heavy_output_is_noticed(fast_runner: RunnerProcess) -> None:
    """The socket closes mid-flood: the grace starts, the cell is stopped, the session can expire."""

    async def main() -> None:
        async with client_for(fast_runner) as c:
            s = await c.create_session()
            started = await c.start(s.id, Program(script=YES))
            sock = rawhttp.open_stream(fast_runner, "Watch", {"sessionId": s.id})
            assert rawhttp.read_at_least(sock, 1 << 20) >= 1 << 20
            sock.close()
            async with asyncio.timeout(20):  # grace 1 s + stop grace: well within
                while True:
                    if not await running(c, s.id, started.execution_id):
                        break
                    await asyncio.sleep(0.05)
            async with asyncio.timeout(20):  # and, nothing left in it, the session idles out (3 s)
                while True:
                    if s.id not in {x.id for x in await c.list_sessions()}:
                        break
                    await asyncio.sleep(0.1)

    for _ in range(3):
        arun(main(), timeout=60)


def test_a_stalled_watcher_does_not_hold_back_the_others(fast_runner: RunnerProcess) -> None:
    """A second Watch whose socket never reads is dropped after the write timeout; the first gets it all."""
    size = 48 * 1024 * 1024

    async def main() -> None:
        async with client_for(fast_runner) as c:
            s = await c.create_session()
            stalled = rawhttp.open_stream(fast_runner, "Watch", {"sessionId": s.id}, rcvbuf=4096)
            watch = c.watch(s.id)
            await c.start(s.id, Program(script=f"yes 0123456789abcdef | head -c {size}"))
            received = 0
            async for event in watch:
                if event.output is not None:
                    received += len(event.output.data)
                if event.exited is not None:
                    assert event.exited.exit_code == 0
                    break
            await watch.aclose()
            assert received == size
            assert await asyncio.to_thread(rawhttp.closed_by_peer, stalled, 20), (
                "the stalled stream stays open"
            )
            stalled.close()

    arun(main(), timeout=120)


def test_execute_resumes_losslessly_and_leaves_no_session(fast_runner: RunnerProcess) -> None:
    """The CLI's path (Execute, then Watch after a cut) through 30 cuts: every byte, and the one-off
    session it made is gone once the execution was followed to its end."""
    size = 24 * 1024 * 1024

    async def main() -> None:
        transport = RandomCuts(30)
        async with client_for(fast_runner, transport) as c:
            before = {s.id for s in await c.list_sessions()}
            stream = c.execute(Program(script=f"{YES} | head -c {size}"))
            received, exited = 0, None
            async for event in stream:
                assert event.truncated is None
                if event.output is not None:
                    assert event.output.offset == received
                    check_pattern(received, event.output.data)
                    received += len(event.output.data)
                if event.exited is not None:
                    exited = event.exited
            assert transport.cuts == 30 and exited is not None and exited.exit_code == 0
            assert received == exited.stdout_bytes == size
            # the runner forgets the one-off session just after its last message went out: wait for it
            # (an earlier test's idle session may expire meanwhile: only a new one would be a leak)
            ids: set[str] = set()

            async def refresh() -> None:
                ids.clear()
                ids.update(s.id for s in await c.list_sessions())

            await refresh()
            async with asyncio.timeout(10):
                while not ids <= before:
                    await asyncio.sleep(0.02)  # poll interval, not a wait: the loop checks the condition
                    await refresh()
            assert ids <= before

    arun(main(), timeout=240)
