"""Sans-I/O Connect: request shapes, unary errors, end-of-stream, HTTP status mapping, timeouts."""

from __future__ import annotations

import json

import pytest

from fenced.connect.envelope import FLAG_END_STREAM, encode_envelope
from fenced.connect.errors import CODE_TO_HTTP, Code, ConnectError, code_from_http
from fenced.connect.protocol import (
    CallOptions,
    HttpResponse,
    StreamParser,
    parse_unary_response,
    stream_request,
    timeout_header,
    unary_request,
)

JSON = {"content-type": "application/json"}
STREAM = {"content-type": "application/connect+json"}


def test_unary_request_shape() -> None:
    req = unary_request(
        "http://h/svc/M", {"a": 1}, token="tok", options=CallOptions(timeout=2.5, headers={"X-A": "b"})
    )
    assert req.method == "POST" and req.url == "http://h/svc/M"
    assert json.loads(req.body) == {"a": 1}
    assert req.headers == {
        "content-type": "application/json",
        "connect-protocol-version": "1",
        "authorization": "Bearer tok",
        "connect-timeout-ms": "2500",
        "x-a": "b",
    }


def test_stream_request_is_one_envelope() -> None:
    req = stream_request("http://h/svc/M", {"a": 1})
    assert req.headers["content-type"] == "application/connect+json" and "authorization" not in req.headers
    assert req.body == encode_envelope(b'{"a":1}')


def test_timeout_header() -> None:
    assert timeout_header(0.0001) == "1"
    assert timeout_header(30) == "30000"
    with pytest.raises(ValueError):
        timeout_header(1e10)


def test_unary_success_and_errors() -> None:
    assert parse_unary_response(HttpResponse(200, JSON, b'{"x":1}')) == {"x": 1}
    with pytest.raises(ConnectError) as err:
        parse_unary_response(HttpResponse(404, JSON, b'{"code":"not_found","message":"no session"}'))
    assert (err.value.code, err.value.message) == (Code.NOT_FOUND, "no session")
    with pytest.raises(ConnectError) as err:  # no Connect body: the status decides
        parse_unary_response(HttpResponse(503, {"content-type": "text/html"}, b"<h1>bad gateway</h1>"))
    assert err.value.code == Code.UNAVAILABLE
    with pytest.raises(ConnectError) as err:
        parse_unary_response(HttpResponse(200, {"content-type": "text/html"}, b"<html>"))
    assert err.value.code == Code.INTERNAL
    with pytest.raises(ConnectError) as err:
        parse_unary_response(HttpResponse(418, JSON, b'{"code":"made_up"}'))
    assert err.value.code == Code.UNKNOWN


def test_http_status_mapping_follows_the_spec() -> None:
    assert [code_from_http(s) for s in (400, 401, 403, 404, 429, 502, 503, 504, 500, 418)] == [
        Code.INTERNAL,
        Code.UNAUTHENTICATED,
        Code.PERMISSION_DENIED,
        Code.UNIMPLEMENTED,
        Code.UNAVAILABLE,
        Code.UNAVAILABLE,
        Code.UNAVAILABLE,
        Code.UNAVAILABLE,
        Code.UNKNOWN,
        Code.UNKNOWN,
    ]
    assert set(CODE_TO_HTTP) == set(Code)
    assert CODE_TO_HTTP[Code.RESOURCE_EXHAUSTED] == 429 and CODE_TO_HTTP[Code.CANCELED] == 499


def body(*messages: dict, end: dict | None = None) -> bytes:
    out = b"".join(encode_envelope(json.dumps(m).encode()) for m in messages)
    return out + encode_envelope(json.dumps(end or {}).encode(), FLAG_END_STREAM)


def test_stream_messages_then_clean_end() -> None:
    parser = StreamParser(200, STREAM)
    raw = body({"n": 1}, {"n": 2}, end={"metadata": {"k": ["v"]}})
    got = [m for i in range(0, len(raw), 3) for m in parser.feed(raw[i : i + 3])]
    parser.finish()
    assert got == [{"n": 1}, {"n": 2}] and parser.trailers == {"k": ["v"]}


def test_stream_error_in_end_of_stream() -> None:
    parser = StreamParser(200, STREAM)
    with pytest.raises(ConnectError) as err:
        parser.feed(body({"n": 1}, end={"error": {"code": "resource_exhausted", "message": "too many"}}))
    assert err.value.code == Code.RESOURCE_EXHAUSTED and err.value.message == "too many"


def test_stream_cut_before_its_end_is_unavailable() -> None:
    parser = StreamParser(200, STREAM)
    assert parser.feed(encode_envelope(b'{"n":1}') + b"\x00\x00") == [{"n": 1}]
    with pytest.raises(ConnectError) as err:
        parser.finish()
    assert err.value.code == Code.UNAVAILABLE


def test_stream_http_error_and_bad_content() -> None:
    parser = StreamParser(403, JSON)
    assert parser.feed(b'{"code":"permission_denied","message":"origin"}') == []
    with pytest.raises(ConnectError) as err:
        parser.finish()
    assert err.value.code == Code.PERMISSION_DENIED
    with pytest.raises(ConnectError):
        StreamParser(200, JSON)
    parser = StreamParser(200, STREAM)
    with pytest.raises(ConnectError) as err:
        parser.feed(encode_envelope(b"[1,2]"))
    assert err.value.code == Code.INTERNAL
    parser = StreamParser(200, STREAM)
    with pytest.raises(ConnectError):
        parser.feed(body() + encode_envelope(b"{}"))


def test_a_runner_url_may_carry_a_path_prefix() -> None:
    """Behind a reverse proxy the runner may live under a path (https://host/runner/): calls are joined
    to it, and the same runner is the same base URL however the user typed it."""
    from fenced.connect import RunnerClient
    from fenced.connect.protocol import method_url, runner_base_url

    for typed in ("https://h/runner/", "https://h/runner", " https://h/runner// ", "https://h/runner/?x=1#y"):
        assert runner_base_url(typed) == "https://h/runner"
    assert runner_base_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert runner_base_url("https://h/a/b/") == "https://h/a/b"
    client = RunnerClient("https://h/runner/", "t", transport=object())  # type: ignore[arg-type]
    assert method_url(client.base_url, "svc", "Start") == "https://h/runner/svc/Start"
