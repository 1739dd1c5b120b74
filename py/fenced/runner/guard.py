"""The runner's front door: DNS-rebinding guard (`Host`) and CORS with preflight.

Host and Origin are checked by plain ASGI middleware, because preflights never reach Connect and a
rejected Host must not reach anything. The token is checked behind it by a Connect metadata interceptor
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


def normalize_origin(origin: str) -> str:
    """scheme://host[:port], lower-case, without default port or trailing slash."""
    parts = urlsplit(origin.strip().rstrip("/").lower())
    if not parts.scheme or not parts.hostname:
        return origin.strip().lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


def host_name(host_header: str) -> str:
    """The name part of a Host header ("[::1]:80" -> "::1", "a.b:8" -> "a.b")."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


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
        names = {h.lower() for h in config.allowed_hosts}
        bind = config.host.strip("[]").lower()
        if bind not in WILDCARD_BINDS:
            names.add(bind)
        if is_loopback(bind):
            names |= {"localhost", "127.0.0.1", "::1"}
        self.host_names = names
        self.any_host = "*" in names
        self.any_ip = bind in WILDCARD_BINDS

    def host_allowed(self, header: str) -> bool:
        name = host_name(header)
        if self.any_host or name in self.host_names:
            return True
        return self.any_ip and _is_ip(name)

    def origin_allowed(self, origin: str, scheme: str, host_header: str) -> bool:
        normalized = normalize_origin(origin)
        if self.any_origin or normalized in self.origins:
            return True
        return normalized == normalize_origin(f"{scheme}://{host_header}")  # same origin (fenced serve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        host = headers.get("host", "")
        if not self.host_allowed(host):
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


async def _deny(send: Send, status: int, code: Code, message: str) -> None:
    body = json.dumps({"code": code.value, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
