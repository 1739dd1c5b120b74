"""Streaming responses on the wire: unbuffered for reverse proxies, gzipped for clients far away."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Iterator

import httpx
import pytest

from fenced.runner.compress import accepts_gzip
from tests.runner.support import RunnerProcess, arun

SERVICE = "/fenced.runner.v1.RunnerService/"


@pytest.fixture(scope="module")
def gzipping() -> Iterator[RunnerProcess]:
    with RunnerProcess("--compress", "always", "--quiet") as proc:
        yield proc


@pytest.fixture(scope="module")
def auto() -> Iterator[RunnerProcess]:
    with RunnerProcess("--quiet") as proc:  # --compress auto: these clients are on loopback
        yield proc


def unary(proc: RunnerProcess, method: str, message: dict) -> httpx.Response:
    headers = {"content-type": "application/json", "authorization": f"Bearer {proc.token}"}
    return httpx.post(proc.url + SERVICE + method, json=message, headers=headers, timeout=10)


def watch_raw(proc: RunnerProcess, accept: str, script: str) -> tuple[httpx.Headers, bytes]:
    """A raw Watch (undecoded bytes) while `script` runs to its end; the session is deleted after."""
    session = unary(proc, "CreateSession", {}).json()["session"]["id"]
    body = json.dumps({"sessionId": session}).encode()
    headers = {
        "content-type": "application/connect+json",
        "authorization": f"Bearer {proc.token}",
        "accept-encoding": accept,
    }
    raw = b""
    with httpx.stream(
        "POST", proc.url + SERVICE + "Watch", content=struct.pack(">BI", 0, len(body)) + body, headers=headers
    ) as r:
        unary(proc, "Start", {"sessionId": session, "config": {"script": script}}).raise_for_status()
        for chunk in r.iter_raw():
            raw += chunk
            decoded = (
                zlib.decompressobj(31).decompress(raw)
                if "gzip" in r.headers.get("content-encoding", "")
                else raw
            )
            if b'"exited"' in decoded:
                break
        response_headers = r.headers
    unary(proc, "DeleteSession", {"sessionId": session})
    return response_headers, raw


def test_streams_say_no_buffering_and_unary_answers_do_not(auto: RunnerProcess) -> None:
    headers, _ = watch_raw(auto, "identity", "true")
    assert headers["x-accel-buffering"] == "no"
    assert "x-accel-buffering" not in unary(auto, "GetInfo", {}).headers


def test_streams_are_gzipped_for_remote_clients_and_each_message_arrives_whole(
    gzipping: RunnerProcess,
) -> None:
    script = "seq 1 20000; sleep 0.3; echo later"
    headers, raw = watch_raw(gzipping, "gzip, deflate", script)
    assert headers["content-encoding"] == "gzip" and "content-length" not in headers
    # Each message was flushed: what arrived decodes (without the gzip trailer) to whole envelopes.
    data = zlib.decompressobj(31).decompress(raw)
    output = b""
    while data:
        _flags, size = struct.unpack(">BI", data[:5])
        message, data = json.loads(data[5 : 5 + size]), data[5 + size :]
        for event in message.get("events", ()):
            if "output" in event:
                output += base64.b64decode(event["output"]["data"])
    assert output == "".join(f"{i}\n" for i in range(1, 20001)).encode() + b"later\n"
    assert len(raw) < len(output) / 2  # seq's digits compress well, base64 and JSON included


def test_no_gzip_unless_asked_or_for_loopback_clients_by_default(
    gzipping: RunnerProcess, auto: RunnerProcess
) -> None:
    assert "content-encoding" not in watch_raw(gzipping, "identity", "true")[0]
    assert "content-encoding" not in watch_raw(gzipping, "gzip;q=0", "true")[0]
    assert "content-encoding" not in watch_raw(auto, "gzip", "true")[0]
    assert accepts_gzip({"headers": [(b"accept-encoding", b"br, GZIP;q=0.5")]})
    assert not accepts_gzip({"headers": [(b"accept-encoding", b"br, identity")]})


def test_the_python_client_reads_gzipped_streams(gzipping: RunnerProcess) -> None:
    from fenced.connect import Program, RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    async def go() -> bytes:
        async with RunnerClient(gzipping.url, gzipping.token, transport=HttpxTransport()) as client:
            return bytes((await client.run(Program(script="seq 1 50000"))).stdout)

    assert arun(go()) == "".join(f"{i}\n" for i in range(1, 50001)).encode()
