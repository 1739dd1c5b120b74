"""Malformed requests get Connect errors (never a 500 or a traceback) and leave no file behind."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.runner.rawhttp import SERVICE, envelope
from tests.runner.support import RunnerProcess, wait_for

APP_ORIGIN = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def proc() -> Iterator[RunnerProcess]:
    with RunnerProcess("--allow-origin", APP_ORIGIN) as runner:  # not --quiet: the log is checked too
        yield runner


def post(
    proc: RunnerProcess,
    method: str,
    message: object,
    *,
    content_type: str = "application/json",
    token: str | None = "",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    h = {"content-type": content_type, "connect-protocol-version": "1", **(headers or {})}
    token = proc.token if token == "" else token
    if token is not None:
        h["authorization"] = f"Bearer {token}"
    return httpx.post(proc.url + SERVICE + method, content=body, headers=h, timeout=10)


def assert_clean_log(proc: RunnerProcess) -> None:
    log = "\n".join(proc.stderr_lines)
    assert "Traceback" not in log and "Exception in ASGI" not in log, log


def workdir(proc: RunnerProcess) -> Path:
    r = post(
        proc, "Execute", envelope(b'{"config":{"script":"echo $0"}}'), content_type="application/connect+json"
    )
    body = r.content
    while body:
        length = int.from_bytes(body[1:5], "big")
        payload, body = json.loads(body[5 : 5 + length]), body[5 + length :]
        for event in payload.get("events", []):
            if "output" in event:
                import base64

                return Path(base64.b64decode(event["output"]["data"]).decode().strip()).parent
    raise AssertionError("no output")


def session(proc: RunnerProcess, **fields: object) -> str:
    r = post(proc, "CreateSession", fields)
    assert r.status_code == 200, r.text
    return r.json()["session"]["id"]


@pytest.mark.parametrize(
    ("method", "fields"),
    [
        ("Start", {"config": {"script": "true", "env": ["A=\u0000"]}}),
        ("Start", {"config": {"script": "true", "env": ["\u0000A=1"]}}),
        ("Start", {"config": {"script": "true", "programName": "ba\u0000sh"}}),
        ("Start", {"config": {"script": "true", "arguments": ["x\u0000"]}}),
        ("Start", {"config": {"script": "true", "directory": "/tm\u0000p"}}),
        ("Start", {"config": {"script": "true"}, "winsize": {"rows": 70000, "cols": 80}}),
        (
            "Start",
            {"config": {"script": "true", "interactive": True}, "winsize": {"rows": 24, "cols": 70000}},
        ),
        ("CreateSession", {"env": ["A=\u0000"]}),
        ("CreateSession", {"directory": "/tm\u0000p"}),
        ("CreateSession", {"shell": "ba\u0000sh"}),
    ],
)
def test_nul_bytes_and_out_of_range_sizes_are_invalid_argument(
    proc: RunnerProcess, method: str, fields: dict
) -> None:
    where = workdir(proc)
    before = set(os.listdir(where))
    if method == "Start":
        fields = {**fields, "sessionId": session(proc)}
    r = post(proc, method, fields)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_argument"
    assert wait_for(lambda: set(os.listdir(where)) <= before, 5), set(os.listdir(where)) - before
    assert_clean_log(proc)


def test_resize_out_of_range_is_invalid_argument(proc: RunnerProcess) -> None:
    sid = session(proc)
    r = post(proc, "Start", {"sessionId": sid, "config": {"script": "sleep 30", "interactive": True}})
    assert r.status_code == 200
    eid = r.json()["executionId"]
    for size in (
        {"rows": 70000, "cols": 80},
        {"rows": 24, "cols": 65536},
        {"rows": 24, "cols": 80, "x": 1 << 20},
    ):
        r = post(proc, "Resize", {"executionId": eid, "winsize": size})
        assert r.status_code == 400 and r.json()["code"] == "invalid_argument", (size, r.text)
    assert post(proc, "Resize", {"executionId": eid, "winsize": {"rows": 30, "cols": 100}}).status_code == 200
    post(proc, "DeleteSession", {"sessionId": sid})
    assert_clean_log(proc)


@pytest.mark.parametrize("origin", ["http://a:b", "http://a:99999", "http://[::1", "http://[", "://", "\x7f"])
def test_malformed_origin_is_refused_without_a_traceback(proc: RunnerProcess, origin: str) -> None:
    for token in ("", None):
        r = post(proc, "GetInfo", {}, token=token, headers={"origin": origin})
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = httpx.options(
        proc.url + SERVICE + "GetInfo", headers={"origin": origin, "access-control-request-method": "POST"}
    )
    assert r.status_code == 403
    assert_clean_log(proc)


@pytest.mark.parametrize(
    "content_type", ["application/grpc", "application/grpc+proto", "application/grpc+json"]
)
@pytest.mark.parametrize("token", ["", None])
def test_grpc_without_trailers_is_unimplemented(
    proc: RunnerProcess, content_type: str, token: str | None
) -> None:
    for method in ("GetInfo", "Watch"):
        r = post(proc, method, envelope(b""), content_type=content_type, token=token)
        assert r.status_code < 500
        assert r.headers.get("grpc-status") == "12" or r.json()["code"] == "unimplemented"
    assert_clean_log(proc)


@pytest.fixture(scope="module")
def proxied() -> Iterator[RunnerProcess]:
    with RunnerProcess("--allow-host", "runner.test", "--allow-host", "proxy.test:8443", "--quiet") as runner:
        yield runner


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:evil.com", False),
        ("127.0.0.1:", False),
        ("127.0.0.1:0", False),
        ("127.0.0.1:65536", False),
        ("127.0.0.1:+{port}", False),
        ("127.0.0.1: {port}", False),
        ("[::1]x", False),
        ("::1", False),
        ("[::1", False),
        ("evil.test:{port}", False),
        ("proxy.test", False),  # allowed with its port only
        ("proxy.test:8444", False),
        ("proxy.test:{port}", False),
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("LOCALHOST:{port}", True),
        ("[::1]:{port}", True),
        ("localhost", True),
        ("localhost:9000", False),  # a loopback name from another port: needs --allow-host (ssh -L, a proxy)
        ("runner.test", True),
        ("runner.test:{port}", True),
        ("runner.test:8443", True),  # allowed without a port: a reverse proxy's port, whatever it is
        ("proxy.test:8443", True),
    ],
)
def test_the_host_check_compares_name_and_port(proxied: RunnerProcess, host: str, allowed: bool) -> None:
    r = post(proxied, "GetInfo", {}, headers={"host": host.format(port=proxied.port)})
    if allowed:
        assert r.status_code == 200, (host, r.text)
    else:
        assert r.status_code == 403 and r.json()["code"] == "permission_denied", host


def test_raw_garbage_gets_an_http_error_not_a_traceback(proc: RunnerProcess) -> None:
    for raw in (
        b"GARBAGE\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: \x00\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00",
    ):
        with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as sock:
            sock.sendall(raw)
            reply = sock.recv(4096)
            assert not reply or reply.startswith(b"HTTP/1.1 4"), reply
    assert_clean_log(proc)


@pytest.mark.parametrize(
    ("bind", "host", "allowed"),
    [
        ("10.0.0.5", "10.0.0.5:8765", True),
        ("10.0.0.5", "10.0.0.5", True),
        ("10.0.0.5", "10.0.0.5:1", False),  # the runner's own name, another port
        ("10.0.0.5", "10.0.0.6:8765", False),
        ("0.0.0.0", "192.168.1.2:8765", True),
        ("0.0.0.0", "192.168.1.2:9", False),
        ("0.0.0.0", "evil.test:8765", False),
        ("127.0.0.1", "localhost:9000", False),
        ("127.0.0.1", "127.0.0.1:9000", False),
    ],
)
def test_the_runners_own_names_need_its_port(bind: str, host: str, allowed: bool) -> None:
    from fenced.runner.config import RunnerConfig
    from fenced.runner.guard import Guard

    guard = Guard(None, RunnerConfig(host=bind, port=8765, token="t"), "/x/", None)  # type: ignore[arg-type]
    assert guard.host_allowed(host, "http", 8765) is allowed


@pytest.mark.parametrize(
    ("allow", "host", "allowed"),
    [
        ("127.0.0.1", "127.0.0.1:9000", True),  # an ssh -L tunnel named with --allow-host: any port
        ("127.0.0.1:9000", "127.0.0.1:9000", True),
        ("127.0.0.1:9000", "127.0.0.1:9001", False),
        ("localhost:9000", "127.0.0.1:9000", False),
    ],
)
def test_a_tunnel_from_another_port_is_named_with_allow_host(allow: str, host: str, allowed: bool) -> None:
    from fenced.runner.config import RunnerConfig
    from fenced.runner.guard import Guard

    config = RunnerConfig(host="127.0.0.1", port=8765, token="t", allowed_hosts=(allow,))
    guard = Guard(None, config, "/x/", None)  # type: ignore[arg-type]
    assert guard.host_allowed(host, "http", 8765) is allowed
