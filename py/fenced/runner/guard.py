"""The runner's front door: DNS-rebinding guard (`Host`) and CORS with preflight.

Host and Origin are checked by plain ASGI middleware, because preflights never reach Connect and a
rejected Host must not reach anything. The Host check compares the name and the port: the port must be
a port (1-65535) and the runner's own, loopback names included; an `ssh -L` tunnel or a local proxy that
forwards from another port is named with --allow-host (NAME: any port, as a reverse proxy has its own;
NAME:PORT: that one). Malformed Host or Origin values are refused like foreign ones (403); gRPC, which
needs HTTP trailers the server cannot send, and unknown request compressions get a clear
`unimplemented` before reaching Connect. The token is checked behind it by a Connect metadata interceptor
(`fenced.runner.tokens.TokenAuth`), which answers `unauthenticated` in each protocol's own framing.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from connectrpc.code import Code

from fenced.runner.config import RunnerConfig, is_loopback

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ALLOW_HEADERS = (
    "authorization, content-type, connect-protocol-version, connect-timeout-ms, connect-accept-encoding, "
    "connect-content-encoding, grpc-timeout, x-grpc-web, x-user-agent"
)
EXPOSE_HEADERS = (
    "grpc-status, grpc-message, grpc-status-details-bin, connect-content-encoding, content-encoding"
)
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
# Request compressions the Connect app is given (app.py); any other gets 415 here, not Connect's 501.
ENCODINGS = frozenset({"", "identity", "gzip"})
ENCODING_HEADERS = ("content-encoding", "connect-content-encoding", "grpc-encoding")


DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(origin: str) -> str | None:
    """scheme://host[:port], lower-case, without default port or trailing slash; None if malformed."""
    try:
        parts = urlsplit(origin.strip().rstrip("/").lower())
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = DEFAULT_PORTS.get(parts.scheme)
    suffix = f":{port}" if port and port != default else ""
    return f"{parts.scheme}://{host}{suffix}"


def split_host(value: str) -> tuple[str, int | None] | None:
    """(name, port or None) of a Host header or an --allow-host entry ("[::1]:80" -> ("::1", 80));
    None when malformed (IPv6 without brackets, a port that is not 1-65535, an empty name)."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    elif value.count(":") > 1:
        return None
    else:
        name, colon, port_text_raw = value.partition(":")
        port_text = port_text_raw if colon else None
    if not name:
        return None
    if port_text is None:
        return name, None
    if not (
        port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 and 0 < int(port_text) < 65536
    ):
        return None
    return name, int(port_text)


def host_name(host_header: str) -> str:
    """The name part of a Host header ("[::1]:80" -> "::1", "a.b:8" -> "a.b"); "" if malformed."""
    parsed = split_host(host_header)
    return parsed[0] if parsed else ""


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guard:
    """ASGI middleware in front of the Connect app (and of an optional fallback for other paths)."""

    def __init__(self, app: ASGIApp, config: RunnerConfig, rpc_prefix: str, fallback: ASGIApp | None) -> None:
        self.app = app
        self.config = config
        self.rpc_prefix = rpc_prefix
        self.fallback = fallback
        self.origins = {normalize_origin(o) for o in config.allow_origins}
        self.any_origin = "*" in config.allow_origins
        self.any_host = "*" in config.allowed_hosts
        # --allow-host NAME[:PORT]: with a port, that port only; without, any (a reverse proxy's port).
        self.extra_hosts = {parsed for h in config.allowed_hosts if h != "*" and (parsed := split_host(h))}
        bind = config.host.strip("[]").lower()
        names = set()  # the runner's own names: only with the runner's own port
        if bind not in WILDCARD_BINDS:
            names.add(bind)
        if is_loopback(bind):
            names |= {"localhost", "127.0.0.1", "::1"}
        self.host_names = names
        self.any_ip = bind in WILDCARD_BINDS

    def host_allowed(self, header: str, scheme: str = "http", port: int | None = None) -> bool:
        """Whether a Host header names this runner: name and port (`port`: the one the request came to)."""
        if self.any_host:
            return True
        parsed = split_host(header)
        if parsed is None:
            return False
        name, given = parsed
        own_port = given is None or port is None or given == port  # no port is not another port
        if own_port and (name in self.host_names or (self.any_ip and _is_ip(name))):
            return True
        return (name, given) in self.extra_hosts or (name, None) in self.extra_hosts

    def origin_allowed(self, origin: str, scheme: str, host_header: str) -> bool:
        if self.any_origin:
            return True
        normalized = normalize_origin(origin)
        if normalized is None:
            return False
        if normalized in self.origins:
            return True
        return normalized == normalize_origin(f"{scheme}://{host_header}")  # same origin (fenced serve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_headers = scope.get("headers", ())
        size = sum(len(k) + len(v) + 4 for k, v in raw_headers)
        if size > self.config.max_header_bytes:  # h11 bounds what it buffers, not a block read at once
            message = f"request headers of {size} bytes are over the limit of {self.config.max_header_bytes}"
            await _deny(send, 431, Code.RESOURCE_EXHAUSTED, message + " (--max-header-bytes)")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
        host = headers.get("host", "")
        server = scope.get("server") or (None, None)
        if not self.host_allowed(host, scope.get("scheme", "http"), server[1]):
            await _deny(
                send, 403, Code.PERMISSION_DENIED, f"Host {host!r} is not an allowed name for this runner"
            )
            return
        origin = headers.get("origin")
        cors: list[tuple[bytes, bytes]] = []
        if origin is not None:
            allowed = self.origin_allowed(origin, scope.get("scheme", "http"), host)
            if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
                await self._preflight(send, origin, allowed, headers)
                return
            if not allowed:
                await _deny(
                    send, 403, Code.PERMISSION_DENIED, f"origin {origin!r} is not allowed (--allow-origin)"
                )
                return
            cors = [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
                (b"vary", b"Origin"),
            ]
        target = self.app
        if not scope["path"].startswith(self.rpc_prefix):
            target = self.fallback or _landing
        elif _needs_trailers(headers.get("content-type", "")) and "http.response.trailers" not in scope.get(
            "extensions", {}
        ):
            target = _no_grpc
        elif any(headers.get(name, "").strip() not in ENCODINGS for name in ENCODING_HEADERS):
            target = _unknown_encoding
        if not cors:
            await target(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *cors]
            await send(message)

        await target(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str, allowed: bool, headers: dict[str, str]) -> None:
        if not allowed:
            await _deny(
                send, 403, Code.PERMISSION_DENIED, f"origin {origin!r} is not allowed (--allow-origin)"
            )
            return
        out = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", b"POST, GET, OPTIONS"),
            (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
            (b"access-control-max-age", b"7200"),
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            (b"content-length", b"0"),
        ]
        if headers.get("access-control-request-private-network") == "true":
            out.append((b"access-control-allow-private-network", b"true"))
        await send({"type": "http.response.start", "status": 204, "headers": out})
        await send({"type": "http.response.body", "body": b""})


async def _deny(
    send: Send, status: int, code: Code, message: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"code": code.value, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


def _needs_trailers(content_type: str) -> bool:
    """gRPC proper (not gRPC-Web) puts its status in HTTP trailers."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/grpc" or kind.startswith("application/grpc+")


NO_GRPC = "gRPC needs HTTP/2 trailers, which this runner does not send: use Connect or gRPC-Web"


async def _unknown_encoding(scope: Scope, receive: Receive, send: Send) -> None:
    """An unsupported request compression: Connect's `unimplemented`, with HTTP's own status for it."""
    await _deny(send, 415, Code.UNIMPLEMENTED, "unknown request compression: supported are identity and gzip")


async def _no_grpc(scope: Scope, receive: Receive, send: Send) -> None:
    """415 with a Connect error body, and grpc-status 12 (unimplemented) for a gRPC client."""
    grpc = [(b"grpc-status", b"12"), (b"grpc-message", NO_GRPC.replace(" ", "%20").encode())]
    await _deny(send, 415, Code.UNIMPLEMENTED, NO_GRPC, grpc)


LANDING = b"""<!doctype html><meta charset="utf-8"><title>Fenced runner</title>
<p>This is a <b>Fenced runner</b>. Open the Fenced app and connect it to this URL with the token the
runner printed when it started.</p>
"""


async def _landing(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["method"] not in ("GET", "HEAD"):
        await _deny(send, 404, Code.NOT_FOUND, f"no such method: {scope['path']}")
        return
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(LANDING)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": LANDING if scope["method"] == "GET" else b""})
