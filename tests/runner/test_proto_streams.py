"""`RunnerClient(stream_codec="proto")` against a real runner: Watch and Execute speak protobuf binary
(decoded by `fenced.connect.wire`), byte-exact, resuming after cuts; unary calls and other clients keep
JSON."""

from __future__ import annotations

import os
from pathlib import Path

from fenced.connect import Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from fenced.connect.protocol import HttpRequest
from tests.runner.support import RunnerProcess, arun
from tests.runner.test_resume import CuttingTransport


class RecordingTransport(HttpxTransport):
    """Notes the content type of every call it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    async def unary(self, request: HttpRequest, timeout: float | None):  # type: ignore[no-untyped-def]
        self.sent.append((request.url.rsplit("/", 1)[1], request.headers["content-type"]))
        return await super().unary(request, timeout)

    async def open_stream(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        self.sent.append((request.url.rsplit("/", 1)[1], request.headers["content-type"]))
        return await super().open_stream(request)


def proto_client(runner: RunnerProcess, transport: HttpxTransport) -> RunnerClient:
    return RunnerClient(runner.url, runner.token, transport=transport, stream_codec="proto")


def test_execute_in_proto_is_byte_exact(runner, tmp_path: Path) -> None:
    data = bytes(range(256)) * 4000  # every byte value, ~1 MB
    (tmp_path / "blob").write_bytes(data)
    script = f"cd {tmp_path} && cat blob && printf 'err\\377' >&2 && exit 3"

    async def main() -> None:
        transport = RecordingTransport()
        async with proto_client(runner, transport) as c:
            result = await c.run(Program(script=script, known_id="cell-1", known_name="blobby"))
        assert bytes(result.stdout) == data
        assert bytes(result.stderr) == b"err\xff"
        assert (result.exit_code, result.pwd) == (3, str(tmp_path))
        started = next(e.started for e in result.events if e.started is not None)
        assert started.pid > 0 and (started.known_id, started.known_name) == ("cell-1", "blobby")
        exited = result.events[-1].exited
        assert exited is not None and exited.stdout_bytes == len(data) and exited.stderr_bytes == 4
        assert ("Execute", "application/connect+proto") in transport.sent

    arun(main())


def test_watch_in_proto_resumes_after_drops_losing_nothing(runner, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    (tmp_path / "blob").write_bytes(data)

    async def main() -> None:
        transport = CuttingTransport(after=1024 * 1024)
        async with proto_client(runner, transport) as c:
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
            await watch.aclose()
        assert transport.cuts >= 2 and bytes(got) == data

    arun(main(), timeout=120)


def test_unary_calls_stay_json_and_json_clients_keep_working(runner) -> None:
    async def main() -> None:
        proto, plain = RecordingTransport(), RecordingTransport()
        async with (
            proto_client(runner, proto) as p,
            RunnerClient(runner.url, runner.token, transport=plain) as j,
        ):
            s = await p.create_session()
            watch = p.watch(s.id)
            await p.start(s.id, Program(script="echo hi"))
            async for event in watch:
                if event.exited is not None:
                    break
            await watch.aclose()
            result = await j.run(Program(script="echo json"), session_id=s.id)
        assert bytes(result.stdout) == b"json\n"
        assert {m for m, ct in proto.sent if ct == "application/connect+proto"} == {"Watch"}
        assert all(ct == "application/json" for m, ct in proto.sent if m != "Watch")
        assert ("Execute", "application/connect+json") in plain.sent

    arun(main())
