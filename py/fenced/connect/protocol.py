"""Sans-I/O Connect calls (JSON codec): build the HTTP request, then parse what comes back.

No sockets here: a transport sends an `HttpRequest` and hands status, headers and body bytes back.
Unary: `unary_request` -> `parse_unary_response`. Server stream: `stream_request` -> `StreamParser`
(feed chunks, get messages; `finish()` at EOF checks the end-of-stream message and raises its error).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fenced.connect.envelope import EnvelopeDecoder, encode_envelope
from fenced.connect.errors import Code, ConnectError

PROTOCOL_VERSION = "1"
UNARY_CONTENT_TYPE = "application/json"
STREAM_CONTENT_TYPE = "application/connect+json"
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
    url: str, message: Mapping[str, Any], *, token: str | None = None, options: CallOptions | None = None
) -> HttpRequest:
    return HttpRequest(
        url, _headers(STREAM_CONTENT_TYPE, options, token), encode_envelope(encode_message(message))
    )


class StreamParser:
    """Parses one server-streaming response; construct with the status and headers, then feed bytes."""

    def __init__(self, status: int, headers: Mapping[str, str]) -> None:
        self.trailers: dict[str, Any] = {}
        self.ended = False
        if status != 200:
            # Errors before the stream starts come as plain HTTP (e.g. the runner's Host/Origin guard).
            self._http_error: tuple[int, bytearray] | None = (status, bytearray())
            self._decoder = EnvelopeDecoder()
            return
        self._http_error = None
        content_type = headers.get("content-type", "")
        if not content_type.startswith(STREAM_CONTENT_TYPE):
            raise ConnectError(Code.INTERNAL, f"unexpected content-type {content_type!r}")
        self._decoder = EnvelopeDecoder(headers.get("connect-content-encoding", "identity"))

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
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
                messages.append(decode_message(envelope.data))
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
