"""Raw HTTP against a real runner: auth, CORS, the Host guard, malformed requests, codecs, limits."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator

import httpx
import pytest

from fenced._proto.runner.v1 import runner_pb2 as pb
from tests.runner.support import RunnerProcess

SERVICE = "/fenced.runner.v1.RunnerService/"
APP_ORIGIN = "http://127.0.0.1:9"  # a page on another origin (nothing needs to listen there)


@pytest.fixture(scope="module")
def guarded() -> Iterator[RunnerProcess]:
    with RunnerProcess("--allow-origin", APP_ORIGIN, "--max-request-bytes", "4096", "--quiet") as proc:
        yield proc


def post(
    proc: RunnerProcess,
    method: str,
    body: bytes,
    *,
    content_type: str = "application/json",
    token: str | None = "",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    h = {"content-type": content_type, "connect-protocol-version": "1", **(headers or {})}
    token = proc.token if token == "" else token
    if token is not None:
        h["authorization"] = f"Bearer {token}"
    return httpx.post(proc.url + SERVICE + method, content=body, headers=h, timeout=10)


def envelope(data: bytes, flags: int = 0) -> bytes:
    return struct.pack(">BI", flags, len(data)) + data


def end_stream(body: bytes) -> dict:
    """The JSON end-of-stream message that closes a Connect streaming response (asserted to be last)."""
    while body:
        flags, length = struct.unpack(">BI", body[:5])
        payload, body = body[5 : 5 + length], body[5 + length :]
        if flags & 2:
            assert not body
            return json.loads(payload)
    raise AssertionError("no end-of-stream message")


def assert_still_serves(proc: RunnerProcess) -> None:
    r = post(proc, "GetInfo", b"{}")
    assert r.status_code == 200 and r.json()["version"]


def test_missing_and_wrong_token_are_unauthenticated(guarded) -> None:
    for token in (None, "wrong", guarded.token + "x", guarded.token[:-1]):
        r = post(guarded, "GetInfo", b"{}", token=token)
        assert r.status_code == 401, token
        assert r.json()["code"] == "unauthenticated"
    r = post(guarded, "GetInfo", b"{}", token=None, headers={"authorization": f"Basic {guarded.token}"})
    assert r.status_code == 401
    # streaming calls too, before any command runs
    r = post(
        guarded,
        "Execute",
        envelope(b'{"config":{"script":"touch /tmp/x"}}'),
        content_type="application/connect+json",
        token="wrong",
    )
    assert r.status_code == 200 and end_stream(r.content)["error"]["code"] == "unauthenticated"
    assert_still_serves(guarded)


def test_cors_preflight_and_response_for_an_allowed_origin(guarded) -> None:
    r = httpx.options(
        guarded.url + SERVICE + "Execute",
        headers={
            "origin": APP_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type,connect-protocol-version",
            "access-control-request-private-network": "true",
        },
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == APP_ORIGIN
    allowed = {h.strip() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "connect-protocol-version", "connect-timeout-ms"} <= allowed
    assert "POST" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-private-network"] == "true"
    r = post(guarded, "GetInfo", b"{}", headers={"origin": APP_ORIGIN})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "grpc-status" in r.headers["access-control-expose-headers"]


def test_cors_refuses_a_foreign_origin(guarded) -> None:
    evil = "http://evil.example"
    r = httpx.options(
        guarded.url + SERVICE + "GetInfo",
        headers={
            "origin": evil,
            "access-control-request-method": "POST",
            "access-control-request-private-network": "true",
        },
    )
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-private-network" not in r.headers
    r = post(guarded, "GetInfo", b"{}", headers={"origin": evil})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    r = post(
        guarded, "GetInfo", b"{}", headers={"origin": guarded.url}
    )  # same origin, as with `fenced serve`
    assert r.status_code == 200


def test_host_header_must_name_the_runner(guarded) -> None:
    for host in ("evil.example", f"evil.example:{guarded.port}", "127.0.0.2.nip.io"):
        r = post(guarded, "GetInfo", b"{}", headers={"host": host})
        assert r.status_code == 403, host
        assert r.json()["code"] == "permission_denied"
    for host in (f"127.0.0.1:{guarded.port}", f"localhost:{guarded.port}", "localhost"):
        assert post(guarded, "GetInfo", b"{}", headers={"host": host}).status_code == 200, host


@pytest.mark.parametrize(
    ("method", "body", "content_type", "status", "code"),
    [
        ("GetInfo", b"{not json", "application/json", 400, "invalid_argument"),
        ("GetInfo", b"\xff\xff\xff", "application/proto", 400, "invalid_argument"),
        ("GetInfo", b"{}", "text/plain", 415, None),
        ("NoSuchMethod", b"{}", "application/json", 404, None),
        (
            "Start",
            json.dumps({"sessionId": "x", "config": {"script": "a" * 8000}}).encode(),
            "application/json",
            429,
            "resource_exhausted",
        ),
    ],
)
def test_malformed_unary_requests_are_connect_errors(
    guarded, method, body, content_type, status, code
) -> None:
    r = post(guarded, method, body, content_type=content_type)
    assert r.status_code == status
    if code:
        assert r.json()["code"] == code
    assert_still_serves(guarded)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\x00\x00\x00", "invalid_argument"),  # cut envelope header
        (b"\x00\x00\x00\x00\x10{}", "invalid_argument"),  # length larger than the body
        (envelope(b"{bad json"), "invalid_argument"),
        (envelope(b"{}", flags=1), "internal"),  # claims compression that was not negotiated
        (envelope(b"x" * 5000), "resource_exhausted"),
        (envelope(b"{}") + envelope(b"{}"), "unimplemented"),  # two messages to a server stream
    ],
)
def test_malformed_stream_requests_are_connect_errors(guarded, body: bytes, code: str) -> None:
    r = post(guarded, "Watch", body, content_type="application/connect+json")
    assert r.status_code == 200
    assert end_stream(r.content)["error"]["code"] == code
    assert_still_serves(guarded)


def test_both_codecs_are_served(guarded) -> None:
    r = post(guarded, "GetInfo", pb.GetInfoRequest().SerializeToString(), content_type="application/proto")
    assert r.status_code == 200 and r.headers["content-type"] == "application/proto"
    assert pb.GetInfoResponse.FromString(r.content).default_shell.endswith("sh")
    request = pb.ExecuteRequest(config=pb.ProgramConfig(script="printf 'a\\0b'"))
    r = post(
        guarded, "Execute", envelope(request.SerializeToString()), content_type="application/connect+proto"
    )
    assert r.status_code == 200
    body, out, exited = r.content, b"", None
    while body:
        flags, length = struct.unpack(">BI", body[:5])
        payload, body = body[5 : 5 + length], body[5 + length :]
        if flags & 2:
            assert json.loads(payload) == {}
            continue
        for event in pb.ExecuteResponse.FromString(payload).events:
            out += event.output.data
            if event.HasField("exited"):
                exited = event.exited
    assert out == b"a\0b"
    assert exited is not None and exited.HasField("exit_code") and exited.exit_code == 0


def test_landing_page_needs_no_token_and_carries_none(guarded) -> None:
    r = httpx.get(guarded.url + "/")
    assert r.status_code == 200 and "Fenced runner" in r.text and guarded.token not in r.text
