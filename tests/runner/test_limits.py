"""Bounded resources with clear errors: sessions, metadata, watchers, connections, slow and idle clients."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from fenced.connect import Code, ConnectError, Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from tests.runner import rawhttp
from tests.runner.support import ROOT, RunnerProcess, arun, wait_for


@pytest.fixture(scope="module")
def capped() -> Iterator[RunnerProcess]:
    with RunnerProcess(
        "--max-sessions", "3", "--max-metadata-bytes", "100", "--max-watchers", "2", "--quiet"
    ) as proc:
        yield proc


def client_for(proc: RunnerProcess) -> RunnerClient:
    return RunnerClient(proc.url, proc.token, transport=HttpxTransport())


def test_sessions_metadata_and_watchers_are_capped(capped: RunnerProcess) -> None:
    async def main() -> None:
        async with client_for(capped) as c:
            info = await c.get_info()
            assert (info.limits.max_sessions, info.limits.max_metadata_bytes, info.limits.max_watchers) == (
                3,
                100,
                2,
            )
            with pytest.raises(ConnectError) as err:
                await c.create_session(metadata={"k": "v" * 100})
            assert err.value.code == Code.RESOURCE_EXHAUSTED and "metadata" in err.value.message
            sessions = [await c.create_session(metadata={"k": "v" * 90}) for _ in range(3)]
            with pytest.raises(ConnectError) as err:
                await c.create_session()
            assert err.value.code == Code.RESOURCE_EXHAUSTED and "sessions" in err.value.message
            with pytest.raises(ConnectError) as err:
                await c.run(Program(script="true"))  # a one-off Execute needs a session of its own
            assert err.value.code == Code.RESOURCE_EXHAUSTED
            sid = sessions[0].id
            socks = [rawhttp.open_stream(capped, "Watch", {"sessionId": sid}) for _ in range(2)]
            async with asyncio.timeout(10):
                while True:  # both are open once the runner counts them
                    if next(s for s in await c.list_sessions() if s.id == sid).watchers == 2:
                        break
                    await asyncio.sleep(0.02)
            third = c.watch(sid, resume=False)
            with pytest.raises(ConnectError) as err:
                await third.__anext__()
            assert err.value.code == Code.RESOURCE_EXHAUSTED and "watchers" in err.value.message
            for sock in socks:
                sock.close()
            await c.delete_session(sid)
            await c.create_session()  # room again

    arun(main())


def get_info(proc: RunnerProcess) -> httpx.Response:
    return httpx.post(
        proc.url + rawhttp.SERVICE + "GetInfo",
        content=b"{}",
        headers={"content-type": "application/json", "authorization": f"Bearer {proc.token}"},
        timeout=10,
    )


def get_info_latency(proc: RunnerProcess) -> float:
    t0 = time.perf_counter()
    r = get_info(proc)
    assert r.status_code == 200, r.text
    return time.perf_counter() - t0


def slowloris(proc: RunnerProcess, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", proc.port), timeout=10)
        s.sendall(b"POST " + rawhttp.SERVICE.encode() + b"GetInfo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        socks.append(s)
    return socks


def test_get_info_answers_under_a_slowloris_of_1100_connections() -> None:
    """At a 1,024 soft fd limit the runner raises its own limit; half-sent requests are cut after the
    request timeout; GetInfo answers throughout, and the log stays quiet."""
    with RunnerProcess("--request-timeout", "3", "--quiet", nofile=(1024, None)) as proc:
        socks = slowloris(proc, 1100)
        try:
            latencies = [get_info_latency(proc) for _ in range(20)]
            assert max(latencies) < 2, latencies
            for s in socks[:50]:  # trickling more bytes does not keep a request alive past the timeout
                s.sendall(b"x")
            assert wait_for(lambda: all(rawhttp.closed_by_peer(s, 0.01) for s in socks), 30)
            assert get_info_latency(proc) < 2
        finally:
            for s in socks:
                s.close()
        assert len("\n".join(proc.stderr_lines)) < 10_000, proc.stderr_lines[:20]


def test_accept_errors_are_logged_at_most_once_a_second() -> None:
    """Out of file descriptors (a hard limit it cannot raise): one line a second, not a flood."""
    with RunnerProcess("--request-timeout", "2", nofile=(128, 128)) as proc:
        t0 = time.monotonic()
        socks = []
        try:
            for _ in range(300):
                socks.append(socket.create_connection(("127.0.0.1", proc.port), timeout=10))
            assert wait_for(lambda: any("accept" in line for line in proc.stderr_lines), 10)
            time.sleep(0.1)  # let the runner hit the limit a few more times
            assert wait_for(lambda: rawhttp.closed_by_peer(socks[0], 0.01), 10)
        finally:
            for s in socks:
                s.close()
        assert wait_for(lambda: get_info(proc).status_code == 200, 20)
        elapsed = time.monotonic() - t0
        accept_lines = [line for line in proc.stderr_lines if "accept" in line]
        assert 1 <= len(accept_lines) <= elapsed + 2, accept_lines
        assert "Traceback" not in "\n".join(proc.stderr_lines)


def test_idle_connections_are_closed() -> None:
    with (
        RunnerProcess("--keep-alive-timeout", "0.5", "--quiet") as proc,
        socket.create_connection(("127.0.0.1", proc.port), timeout=10) as s,
    ):
        s.sendall(rawhttp.request_bytes(proc, "GetInfo", b"{}", content_type="application/json"))
        assert rawhttp.closed_by_peer(s, 10)  # answered, then closed after the idle timeout


def test_every_limit_is_a_flag_with_a_default() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fenced.cli", "runner", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    flat = " ".join(out.split("options:", 1)[1].split())
    for flag in (
        "--max-sessions",
        "--max-watchers",
        "--max-metadata-bytes",
        "--max-connections",
        "--request-timeout",
        "--keep-alive-timeout",
        "--write-timeout",
        "--max-header-bytes",
        "--buffer-bytes",
        "--max-executions",
        "--max-request-bytes",
    ):
        assert flag in flat, flag
        after = flat[flat.index(flag) :][:400]
        assert "default:" in after, (flag, after)


def test_oversized_headers_are_refused() -> None:
    with RunnerProcess("--max-header-bytes", "4096", "--quiet") as proc:
        big = {"X-Filler": "x" * 8000}
        with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as s:
            s.sendall(
                rawhttp.request_bytes(proc, "GetInfo", b"{}", content_type="application/json", extra=big)
            )
            reply = s.recv(4096)
            assert reply.startswith(b"HTTP/1.1 4"), reply
        small = {"X-Filler": "x" * 2000}
        with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as s:
            s.sendall(
                rawhttp.request_bytes(proc, "GetInfo", b"{}", content_type="application/json", extra=small)
            )
            assert s.recv(4096).startswith(b"HTTP/1.1 200")


def test_an_idle_kept_alive_connection_outlives_the_request_timeout() -> None:
    """Between requests the keep-alive timeout rules (a page's connection waits for the next click);
    once a request starts arriving, it has the request timeout to arrive in full."""
    with RunnerProcess("--request-timeout", "1", "--keep-alive-timeout", "30", "--quiet") as proc:
        request = rawhttp.request_bytes(proc, "GetInfo", b"{}", content_type="application/json")
        with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as s:
            s.sendall(request)
            assert rawhttp.read_response(s)[0] == 200
            time.sleep(2)  # idle for twice the request timeout: the time passing is what is tested
            s.sendall(request)
            assert rawhttp.read_response(s)[0] == 200
            s.sendall(request[:20])  # a request starts arriving, and stalls
            t0 = time.monotonic()
            assert rawhttp.closed_by_peer(s, 10)
            assert time.monotonic() - t0 < 5
