"""No output lost across disconnects; bounded buffers; disconnect grace; the executions limit."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from fenced.connect import Code, ConnectError, Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from fenced.connect.protocol import HttpRequest
from tests.runner.support import RunnerProcess, arun


@pytest.fixture(scope="module")
def small_buffer_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess("--buffer-bytes", "65536", "--quiet") as proc:
        yield proc


@pytest.fixture(scope="module")
def strict_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess(
        "--disconnect-grace", "0.3", "--max-executions", "2", "--stop-grace", "0.3", "--quiet"
    ) as proc:
        yield proc


def make_client(proc: RunnerProcess, transport: object | None = None) -> RunnerClient:
    return RunnerClient(proc.url, proc.token, transport=transport or HttpxTransport())  # type: ignore[arg-type]


async def wait_not_running(c: RunnerClient, session_id: str, execution_id: str, timeout: float = 15) -> None:
    """Poll ListSessions until the execution has ended (a condition with a deadline, not a sleep)."""
    async with asyncio.timeout(timeout):
        while True:
            sessions = {s.id: s for s in await c.list_sessions()}
            executions = {e.id: e for e in sessions[session_id].executions}
            if not executions[execution_id].running:
                return
            await asyncio.sleep(0.02)


def test_drop_and_resume_loses_no_byte(client, tmp_path: Path) -> None:
    data = os.urandom(6 * 1024 * 1024)
    (tmp_path / "blob").write_bytes(data)

    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            first = c.watch(s.id, resume=False)
            await c.start(s.id, Program(script=f"cat {tmp_path / 'blob'}"))
            got = bytearray()
            async for event in first:
                if event.output is not None:
                    assert event.output.offset == len(got)
                    got += event.output.data
                    if len(got) >= 1024 * 1024:
                        break
            await first.aclose()  # the client goes away mid-stream; the runner's handler is cancelled
            second = c.watch(s.id, first.cursor)
            code = None
            async for event in second:
                assert event.truncated is None
                if event.output is not None:
                    assert event.output.offset == len(got)
                    got += event.output.data
                if event.exited is not None:
                    code = event.exited.exit_code
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await second.aclose()
            assert code == 0  # the execution survived the disconnect
            assert bytes(got) == data

    arun(main(), timeout=120)


class CuttingTransport(HttpxTransport):
    """Cuts every stream after `after` bytes, like a network drop, to exercise the client's resume."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.cuts = 0

    async def open_stream(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        handle = await super().open_stream(request)
        outer = self
        inner_chunks = handle.chunks

        async def chunks() -> AsyncIterator[bytes]:
            count = 0
            async for chunk in inner_chunks():
                yield chunk
                count += len(chunk)
                if count >= outer.after:
                    outer.cuts += 1
                    await handle.aclose()
                    raise ConnectError(Code.UNAVAILABLE, "cut by the test")

        handle.chunks = chunks  # type: ignore[method-assign]
        return handle


def test_watch_resumes_by_itself_after_drops(runner, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    (tmp_path / "blob").write_bytes(data)

    async def main() -> None:
        transport = CuttingTransport(after=1024 * 1024)
        async with make_client(runner, transport) as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            await c.start(s.id, Program(script=f"cat {tmp_path / 'blob'}"))
            got = bytearray()
            async for event in watch:
                if event.output is not None:
                    assert event.output.offset == len(got)
                    got += event.output.data
                if event.exited is not None:
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()
            assert transport.cuts >= 2 and watch.reconnects == transport.cuts
            assert bytes(got) == data

    arun(main(), timeout=120)


def test_execute_follows_on_watch_after_a_drop(runner) -> None:
    async def main() -> None:
        transport = CuttingTransport(after=600)
        async with make_client(runner, transport) as c:
            result = await c.run(Program(script="for i in $(seq 1 50); do echo $i; sleep 0.01; done"))
            assert transport.cuts >= 1
            assert bytes(result.stdout) == b"".join(f"{i}\n".encode() for i in range(1, 51))
            assert result.exit_code == 0

    arun(main())


def test_unwatched_foreground_output_waits_losslessly(small_buffer_runner, tmp_path: Path) -> None:
    data = os.urandom(4 * 1024 * 1024)  # 64x the buffer, 4x the runner's pipe size: cat must block
    (tmp_path / "blob").write_bytes(data)

    async def main() -> None:
        async with make_client(small_buffer_runner) as c:
            s = await c.create_session()
            await c.start(s.id, Program(script=f"cat {tmp_path / 'blob'}"))
            # nobody watches yet: the runner stops reading once its buffer is full (cat blocks)
            got = bytearray()
            watch = c.watch(s.id)
            async for event in watch:
                assert event.truncated is None
                if event.output is not None:
                    got += event.output.data
                if event.exited is not None:
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()
            assert bytes(got) == data

    arun(main())


def test_background_output_past_the_bound_is_truncated_explicitly(
    small_buffer_runner, tmp_path: Path
) -> None:
    data = os.urandom(1024 * 1024)
    (tmp_path / "blob").write_bytes(data)

    async def main() -> None:
        async with make_client(small_buffer_runner) as c:
            s = await c.create_session()
            started = await c.start(s.id, Program(script=f"cat {tmp_path / 'blob'}", background=True))
            await wait_not_running(c, s.id, started.execution_id)
            watch = c.watch(s.id)
            events = []
            async for event in watch:
                events.append(event)
                if event.exited is not None:
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()
            kinds = [e.kind for e in events]
            assert kinds[0] == "started" and kinds[1] == "truncated" and kinds[-1] == "exited"
            cut = events[1].truncated
            assert cut is not None and cut.stream == "stdout" and 0 < cut.offset < len(data)
            tail = b"".join(e.output.data for e in events if e.output is not None)
            assert events[2].output is not None and events[2].output.offset == cut.offset
            assert tail == data[cut.offset :]
            assert len(tail) <= 65536 + 256 * 1024  # the bound, plus at most one read
            assert events[-1].exited.stdout_bytes == len(data)

    arun(main())


def test_disconnect_grace_stops_foreground_executions(strict_runner) -> None:
    async def main() -> None:
        async with make_client(strict_runner) as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, Program(script="echo up; sleep 100"))
            async for event in watch:
                if event.output is not None:
                    break
            await watch.aclose()
            await wait_not_running(c, s.id, started.execution_id)
            again = c.watch(s.id, watch.cursor)
            async for event in again:
                if event.exited is not None:
                    assert event.exited.exit_code == 130
                    assert "no watcher" in event.exited.reason
                    break
            await again.aclose()

    arun(main())


def test_max_executions_is_resource_exhausted(strict_runner) -> None:
    async def main() -> None:
        async with make_client(strict_runner) as c:
            s = await c.create_session()
            watch = c.watch(s.id)  # keeps the grace timer off
            first = await c.start(s.id, Program(script="sleep 100"))
            await c.start(s.id, Program(script="sleep 100", background=True))
            with pytest.raises(ConnectError) as err:
                await c.start(s.id, Program(script="true"))
            assert err.value.code == Code.RESOURCE_EXHAUSTED
            await c.stop(first.execution_id)
            async for event in watch:
                if event.exited is not None and event.execution_id == first.execution_id:
                    break
            result = await c.run(Program(script="echo again"), session_id=s.id)
            assert bytes(result.stdout) == b"again\n"
            await c.delete_session(s.id)
            await watch.aclose()

    arun(main())


def test_idle_sessions_expire() -> None:
    with RunnerProcess("--session-idle-timeout", "0.2", "--quiet") as proc:

        async def main() -> None:
            async with make_client(proc) as c:
                s = await c.create_session()
                await c.run(Program(script="true"), session_id=s.id)
                async with asyncio.timeout(10):
                    while s.id in {x.id for x in await c.list_sessions()}:  # noqa: ASYNC110  # polls the runner
                        await asyncio.sleep(0.05)
                with pytest.raises(ConnectError) as err:
                    await c.start(s.id, Program(script="true"))
                assert err.value.code == Code.NOT_FOUND

        arun(main())
