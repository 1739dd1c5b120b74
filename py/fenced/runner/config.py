"""`RunnerConfig`: every knob of a runner in one frozen value, shared by the CLI, `create_app` and tests."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Literal

CompressPolicy = Literal["auto", "always", "never"]
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """Whether `host` (a bind address or name) only accepts connections from this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def generate_token(nbytes: int = 32) -> str:
    """A fresh bearer token: random bytes, URL-safe so it can ride in a URL fragment.

    Never starts with "-": a token pasted after `--token` must not read as an option (1 in 64 would).
    """
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not token.startswith("-"):
            return token


@dataclass(frozen=True)
class RunnerConfig:
    """How a runner listens, whom it serves and how much it allows.

    `token` is required by `create_app` (every RPC needs `Authorization: Bearer <token>`); the CLI
    generates one when none is given. `allow_origins` are the browser origins (scheme://host:port)
    allowed by CORS; the runner's own origin is always allowed. `allowed_hosts` are extra names the
    `Host` header may carry (e.g. a reverse proxy's name; "*" disables the DNS-rebinding guard).
    `tokens_file` (lines `name token`, re-read on SIGHUP) replaces `token` when set; `audit_log` is a file
    that gets a JSON line per execution, when it has ended.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    token: str = ""
    allow_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    tls_cert: str | None = None
    tls_key: str | None = None
    max_executions: int = 64
    shell: str | None = None
    buffer_bytes: int = 8 * 1024 * 1024
    max_request_bytes: int = 4 * 1024 * 1024
    session_idle_timeout: float = 3600.0
    disconnect_grace: float = 60.0
    stop_grace: float = 2.0
    keepalive: float = 15.0
    app_url: str | None = None
    tokens_file: str | None = None
    audit_log: str | None = None
    compress: CompressPolicy = "auto"  # gzip streams: for clients not on loopback ("auto"), or always, never
    # Bounds on what clients can make the runner hold (each a `fenced runner` flag; see its --help).
    max_sessions: int = 256
    max_watchers: int = 32
    max_metadata_bytes: int = 16 * 1024
    max_connections: int = 2048
    max_header_bytes: int = 16 * 1024
    request_timeout: float = 10.0
    # An idle keep-alive connection is kept this long (uvicorn's default is 5 s). A page holds one connection
    # for its Watch and sends Start/SendInput on another, which a user reaches for after a pause: closing it
    # after 5 s made the next click pay a new TCP (and TLS) handshake, one or more round trips. 75 s as nginx.
    keep_alive_timeout: float = 75.0
    write_timeout: float = 10.0
    # --allow-runbooks: only code cells of the Markdown runbooks under these folders run (runner.review).
    allow_runbooks: tuple[str, ...] = ()

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"

    def url(self, port: int | None = None) -> str:
        """The runner's base URL for the given (actually bound) port."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.port if port is None else port}"
