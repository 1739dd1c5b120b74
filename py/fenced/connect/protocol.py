"""Sans-I/O Connect calls: build the HTTP request, then parse what comes back.

No sockets here: a transport sends an `HttpRequest` and hands status, headers and body bytes back.
Unary: `unary_request` -> `parse_unary_response`. Server stream: `stream_request` -> `StreamParser`
(feed chunks, get messages; `finish()` at EOF checks the end-of-stream message and raises its error).
Unary calls speak JSON; a stream speaks JSON or, per call, protobuf binary (`Codec`; `fenced.connect.wire`
encodes its request and decodes its messages; the end-of-stream message is JSON either way).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from fenced.connect.envelope import EnvelopeDecoder, encode_envelope
from fenced.connect.errors import Code, ConnectError

PROTOCOL_VERSION = "1"
UNARY_CONTENT_TYPE = "application/json"
STREAM_CONTENT_TYPE = "application/connect+json"
STREAM_PROTO_CONTENT_TYPE = "application/connect+proto"
Codec = Literal["json", "proto"]
STREAM_CONTENT_TYPES: dict[str, str] = {"json": STREAM_CONTENT_TYPE, "proto": STREAM_PROTO_CONTENT_TYPE}
MAX_TIMEOUT_DIGITS = 10


@dataclass(frozen=True)
class HttpRequest:
    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"


@dataclass
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""


@dataclass
class CallOptions:
    """Per-call knobs: `timeout` in seconds becomes `Connect-Timeout-Ms`; extra `headers` are sent as is."""

    timeout: float | None = None
    headers: dict[str, str] = field(default_factory=dict)


def timeout_header(seconds: float) -> str:
    ms = max(1, int(seconds * 1000))
    if len(str(ms)) > MAX_TIMEOUT_DIGITS:
        raise ValueError("timeout too long for Connect-Timeout-Ms")
    return str(ms)


def runner_base_url(url: str) -> str:
    """A runner's base URL as calls are joined to it: scheme://host[:port] and any path prefix (a runner
    behind a reverse proxy may live at https://host/runner/), without trailing slash, query or fragment."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def method_url(base_url: str, service: str, method: str) -> str:
    return f"{base_url.rstrip('/')}/{service}/{method}"


def _headers(content_type: str, options: CallOptions | None, token: str | None) -> dict[str, str]:
    headers = {"content-type": content_type, "connect-protocol-version": PROTOCOL_VERSION}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if options is not None:
        if options.timeout is not None:
            headers["connect-timeout-ms"] = timeout_header(options.timeout)
        headers.update({k.lower(): v for k, v in options.headers.items()})
    return headers


def encode_message(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


def decode_message(data: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise ConnectError(Code.INTERNAL, f"malformed JSON message: {exc}") from None
    if not isinstance(obj, dict):
        raise ConnectError(Code.INTERNAL, "a message must be a JSON object")
    return obj


def unary_request(
    url: str, message: Mapping[str, Any], *, token: str | None = None, options: CallOptions | None = None
) -> HttpRequest:
    return HttpRequest(url, _headers(UNARY_CONTENT_TYPE, options, token), encode_message(message))


def parse_unary_response(response: HttpResponse) -> dict[str, Any]:
    if response.status != 200:
        raise ConnectError.from_http(response.status, response.body)
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith(UNARY_CONTENT_TYPE):
        raise ConnectError(Code.INTERNAL, f"unexpected content-type {content_type!r}")
    return decode_message(response.body)


def stream_request(
    url: str,
    message: Mapping[str, Any],
    *,
    token: str | None = None,
    options: CallOptions | None = None,
    codec: Codec = "json",
    encode: Callable[[Mapping[str, Any]], bytes] | None = None,
) -> HttpRequest:
    """A server-streaming call; with `codec="proto"`, `encode` turns the (JSON-shaped) message into bytes."""
    if codec == "proto":
        if encode is None:
            raise ValueError("a protobuf stream needs an encoder for its request")
        body = encode(message)
    else:
        body = encode_message(message)
    return HttpRequest(url, _headers(STREAM_CONTENT_TYPES[codec], options, token), encode_envelope(body))


class StreamParser:
    """Parses one server-streaming response; construct with the status and headers, then feed bytes.
    `codec`/`decode`: what the stream's messages are in and how to read one (JSON by default)."""

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        *,
        codec: Codec = "json",
        decode: Callable[[bytes], dict[str, Any]] = decode_message,
    ) -> None:
        self._decode = decode
        self.trailers: dict[str, Any] = {}
        self.ended = False
        if status != 200:
            # Errors before the stream starts come as plain HTTP (e.g. the runner's Host/Origin guard).
            self._http_error: tuple[int, bytearray] | None = (status, bytearray())
            self._decoder = EnvelopeDecoder()
            return
        self._http_error = None
        content_type = headers.get("content-type", "")
        if content_type.split(";")[0].strip() != STREAM_CONTENT_TYPES[codec]:
            raise ConnectError(Code.INTERNAL, f"unexpected content-type {content_type!r}")
        self._decoder = EnvelopeDecoder(headers.get("connect-content-encoding", "identity"))

    def feed(self, chunk: bytes | memoryview) -> list[dict[str, Any]]:
        """Messages completed by this chunk; raises the stream's error when its end says so."""
        if self._http_error is not None:
            self._http_error[1].extend(chunk)
            return []
        if self.ended:
            if chunk:
                raise ConnectError(Code.INTERNAL, "data after the end of the stream")
            return []
        messages: list[dict[str, Any]] = []
        for envelope in self._decoder.feed(chunk):
            if self.ended:
                raise ConnectError(Code.INTERNAL, "data after the end of the stream")
            if envelope.end_stream:
                self._end(envelope.data)
            else:
                messages.append(self._decode(envelope.data))
        return messages

    def _end(self, data: bytes) -> None:
        self.ended = True
        end = decode_message(data) if data else {}
        self.trailers = end.get("metadata") or {}
        if end.get("error") is not None:
            raise ConnectError.from_json_obj(end["error"], Code.UNKNOWN)

    def finish(self) -> None:
        """At EOF: an HTTP error or a stream cut before its end-of-stream message raises."""
        if self._http_error is not None:
            status, body = self._http_error
            raise ConnectError.from_http(status, bytes(body))
        if not self.ended:
            raise ConnectError(Code.UNAVAILABLE, "the stream was cut before its end")
