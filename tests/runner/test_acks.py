"""The acknowledgement protocol at the wire: what a watcher_id and Ack make the runner keep, and what an
older client (no watcher_id, no Ack) still gets."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from fenced.connect import Event, Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from tests.runner.support import RunnerProcess, arun

BUFFER = 64 * 1024
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def small() -> Iterator[RunnerProcess]:
    with RunnerProcess("--buffer-bytes", str(BUFFER), "--disconnect-grace", "30", "--quiet") as proc:
        yield proc


def client_for(proc: RunnerProcess) -> RunnerClient:
    return RunnerClient(proc.url, proc.token, transport=HttpxTransport())


class Pump:
    """Reads a stream in a task, so that waiting for its next message can time out without ending it."""

    def __init__(self, messages: AsyncIterator[dict[str, Any]]) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.messages = messages
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        async for message in self.messages:
            self.queue.put_nowait(message)

    async def next(self, within: float) -> dict[str, Any] | None:
        """The next message, or None when none comes within `within` seconds (the stream stalled)."""
        try:
            async with asyncio.timeout(within):
                return await self.queue.get()
        except TimeoutError:
            return None

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def events_of(message: dict[str, Any]) -> list[Event]:
    return [Event.from_json(e) for e in message.get("events") or ()]


def test_an_older_client_gets_everything_and_is_asked_for_no_ack(small: RunnerProcess) -> None:
    async def main() -> None:
        async with client_for(small) as c:
            s = await c.create_session()
            messages = c.stream("Watch", {"sessionId": s.id})
            first = await messages.__anext__()
            assert "ackBytes" not in first  # no watcher_id: nothing to acknowledge
            await c.start(s.id, Program(script="head -c 1048576 /dev/zero"))
            got = 0
            async for message in messages:
                for event in events_of(message):
                    got += len(event.output.data) if event.output else 0
                    if event.exited is not None:
                        assert event.exited.stdout_bytes == got == MIB
                        await messages.aclose()  # type: ignore[attr-defined]
                        return

    arun(main())


def test_unacknowledged_output_holds_the_process_back_until_acknowledged(small: RunnerProcess) -> None:
    async def main() -> None:
        async with client_for(small) as c:
            s = await c.create_session()
            pump = Pump(c.stream("Watch", {"sessionId": s.id, "watcherId": "w-hold"}))
            first = await pump.next(10)
            assert first is not None and int(first["ackBytes"]) == BUFFER // 4
            # more than the pipe holds (1 MiB), or the process would exit and then be read to its end
            await c.start(s.id, Program(script=f"head -c {3 * MIB} /dev/zero", background=True))
            got, since_ack, cursor, stalls, exited = 0, 0, 0, 0, None
            while exited is None:
                message = await pump.next(0.3)
                if message is None:  # stalled: the runner waits for this client
                    assert since_ack <= BUFFER + 256 * 1024, since_ack  # its buffer (and a read), never more
                    stalls += 1
                    await c.ack(s.id, "w-hold", cursor)
                    since_ack = 0
                    continue
                for event in events_of(message):
                    cursor = event.seq
                    if event.output:
                        got += len(event.output.data)
                        since_ack += len(event.output.data)
                    if event.exited is not None:
                        exited = event.exited
            assert stalls >= 4  # 3 MiB through a 64 KiB buffer: it waited for the client again and again
            assert exited.stdout_bytes == got == 3 * MIB  # even a background cell: nothing dropped
            await pump.close()

    arun(main(), timeout=180)


async def _read_some(messages: AsyncIterator[dict[str, Any]], at_least: int) -> tuple[int, int]:
    got = cursor = 0
    while got < at_least:
        for event in events_of(await messages.__anext__()):
            cursor = event.seq
            got += len(event.output.data) if event.output else 0
    return got, cursor


async def _resume_truncated(c: RunnerClient, session_id: str, cursor: int, watcher_id: str) -> list[Event]:
    """Follow the session from `cursor` to the exit: as the same acknowledging watcher (the client's own
    resume loop), or as an older client when `watcher_id` is empty. Returns the Truncated events seen."""
    events: list[Event] = []
    if watcher_id:
        watch = c.watch(session_id, cursor, watcher_id=watcher_id)
        async for event in watch:
            events.append(event)
            if event.exited is not None:
                break
        await watch.aclose()
    else:
        async for message in c.stream("Watch", {"sessionId": session_id, "cursor": str(cursor)}):
            events += events_of(message)
            if any(e.exited is not None for e in events):
                break
    return [e for e in events if e.truncated is not None]


def blocked_writing(pid: int) -> bool:
    """Whether the cell's `cat` (a child of its shell `pid`) is blocked writing: the runner stopped reading."""
    for child in psutil.Process(pid).children(recursive=True):
        if child.name() == "cat":
            with contextlib.suppress(OSError):
                return Path(f"/proc/{child.pid}/wchan").read_text().endswith("pipe_write")
    return False


def test_a_background_cell_waits_for_an_acknowledging_client_that_is_away(
    small: RunnerProcess, tmp_path: Path
) -> None:
    """Cut with output unacknowledged: the runner holds the cell back until its client is back, and the
    resume loses nothing. An older client is not waited for: the cell runs on and its resume is truncated."""
    blob = tmp_path / "blob"
    blob.write_bytes(os.urandom(2 * MIB))

    async def main() -> None:
        async with client_for(small) as c:
            for watcher_id in ("w-away", ""):
                s = await c.create_session()
                fields = {"sessionId": s.id, **({"watcherId": watcher_id} if watcher_id else {})}
                messages = c.stream("Watch", fields)
                await messages.__anext__()
                started = await c.start(s.id, Program(script=f"cat {blob}", background=True))
                _got, cursor = await _read_some(messages, 16 * 1024)
                await messages.aclose()  # type: ignore[attr-defined]
                async with asyncio.timeout(30):
                    while True:
                        session = next(x for x in await c.list_sessions() if x.id == s.id)
                        if watcher_id and blocked_writing(started.pid):
                            break  # held back while its client is away
                        if not watcher_id and not session.executions[0].running:
                            break  # an older client's cell runs on without it
                        await asyncio.sleep(0.05)
                truncated = await _resume_truncated(c, s.id, cursor, watcher_id)
                assert (not truncated) if watcher_id else truncated, (watcher_id, truncated)
                await c.delete_session(s.id)

    arun(main(), timeout=120)


def test_a_released_watcher_is_not_waited_for(small: RunnerProcess, tmp_path: Path) -> None:
    blob = tmp_path / "blob"
    blob.write_bytes(os.urandom(2 * MIB))

    async def main() -> None:
        async with client_for(small) as c:
            s = await c.create_session()
            messages = c.stream("Watch", {"sessionId": s.id, "watcherId": "w-gone"})
            await messages.__anext__()
            started = await c.start(s.id, Program(script=f"cat {blob}", background=True))
            _got, cursor = await _read_some(messages, 16 * 1024)
            await c.ack(s.id, "w-gone", cursor, release=True)
            await messages.aclose()  # type: ignore[attr-defined]
            async with asyncio.timeout(30):  # nobody to wait for: the background cell runs to its end
                while True:
                    session = next(x for x in await c.list_sessions() if x.id == s.id)
                    if not next(e for e in session.executions if e.id == started.execution_id).running:
                        break
                    await asyncio.sleep(0.05)
            assert await _resume_truncated(c, s.id, cursor, "w-gone")
            await c.delete_session(s.id)

    arun(main(), timeout=120)


def test_a_resume_replaces_the_stream_it_resumes(small: RunnerProcess) -> None:
    async def main() -> None:
        async with client_for(small) as c:
            s = await c.create_session()
            old = c.stream("Watch", {"sessionId": s.id, "watcherId": "w-twice"})
            await old.__anext__()
            new = c.stream("Watch", {"sessionId": s.id, "watcherId": "w-twice"})
            await new.__anext__()
            async with asyncio.timeout(10):  # the old stream ends cleanly: its client has a newer one
                async for _message in old:
                    pass
            sessions = {x.id: x for x in await c.list_sessions()}
            assert sessions[s.id].watchers == 1
            await new.aclose()  # type: ignore[attr-defined]
            await c.delete_session(s.id)

    arun(main())


def test_ack_speaks_both_codecs(small: RunnerProcess) -> None:
    import httpx

    from fenced._proto.runner.v1 import runner_pb2 as pb

    headers = {"authorization": f"Bearer {small.token}", "connect-protocol-version": "1"}
    url = small.url + "/fenced.runner.v1.RunnerService/"
    created = httpx.post(
        url + "CreateSession", content=b"{}", headers={**headers, "content-type": "application/json"}
    )
    sid = created.json()["session"]["id"]
    request = pb.AckRequest(session_id=sid, watcher_id="w", cursor=3, release=True)
    r = httpx.post(
        url + "Ack",
        content=request.SerializeToString(),
        headers={**headers, "content-type": "application/proto"},
    )
    assert r.status_code == 200 and pb.AckResponse.FromString(r.content) == pb.AckResponse()
    r = httpx.post(url + "Ack", json={"sessionId": sid, "watcherId": "w", "cursor": "3"}, headers=headers)
    assert r.status_code == 200 and r.json() == {}
    r = httpx.post(url + "Ack", json={"sessionId": "nope", "watcherId": "w"}, headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = httpx.post(url + "Ack", json={"sessionId": sid, "watcherId": "w" * 65}, headers=headers)
    assert r.status_code == 200  # an unknown watcher: nothing to keep for it, nothing to refuse


class SlowAcks(HttpxTransport):
    """Acknowledgements take a while to reach the runner (a loaded machine, a long way)."""

    async def unary(self, request: Any, timeout: float | None) -> Any:
        if request.url.endswith("/Ack"):
            await asyncio.sleep(0.3)  # (fault injection: the latency of the way, not a wait for a condition)
        return await super().unary(request, timeout)


def test_output_that_arrives_while_an_ack_is_on_its_way_is_acknowledged_after_it(
    small: RunnerProcess,
) -> None:
    """The resume loop's Ack in flight held the next one back, and when it came back it did not send it:
    the runner, waiting for that very Ack, sent nothing more until its keep-alive (15 s) prompted the
    client. 3 MiB through a 64 KiB buffer would stall ~48 times; it must flow."""

    async def main() -> float:
        async with RunnerClient(small.url, small.token, transport=SlowAcks()) as c:
            s = await c.create_session()
            watch = c.watch(s.id, watcher_id="w-slow-acks")
            events: asyncio.Queue[Event] = asyncio.Queue()

            async def pump() -> None:
                async for event in watch:
                    events.put_nowait(event)

            task = asyncio.ensure_future(pump())
            async with asyncio.timeout(30):  # the Watch is open (its first message came) before the start
                while not watch.state.ack_bytes:  # noqa: ASYNC110 (the stream state has no event to await)
                    await asyncio.sleep(0.01)
            await c.start(s.id, Program(script=f"head -c {3 * MIB} /dev/zero", background=True))
            got, longest, last = 0, 0.0, asyncio.get_running_loop().time()
            while True:
                event = await events.get()
                now = asyncio.get_running_loop().time()
                longest, last = max(longest, now - last), now
                assert event.truncated is None
                got += len(event.output.data) if event.output else 0
                if event.exited is not None:
                    assert event.exited.stdout_bytes == got == 3 * MIB
                    break
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await watch.aclose()
            return longest

    longest = arun(main(), timeout=120)
    assert longest < 10, f"the stream stalled {longest:.1f} s waiting for an Ack nobody sent"
