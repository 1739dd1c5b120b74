"""Run the runner under uvicorn: bind (port 0 allowed), announce the URL and token, shut down cleanly.

`serve(config)` blocks until SIGINT/SIGTERM; `serve_async(config)` is the same inside a running loop.
Both stop every execution *before* uvicorn waits for open connections, since `Watch` streams never end
on their own. Connections are bounded as `connections` describes (request, keep-alive and write
timeouts, header size, a connection cap that fits the open-files limit, quiet logs under a flood).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any, TextIO

import uvicorn

from fenced.runner import connections
from fenced.runner.app import RunnerApp, create_app
from fenced.runner.config import RunnerConfig, is_loopback
from fenced.runner.guard import ASGIApp

LISTENING = "fenced runner listening on"
KEEP_ALIVE_S = RunnerConfig.keep_alive_timeout  # the default of --keep-alive-timeout (see config)


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket; with port 0 the kernel picks a free one."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets that say TCP, and
    # without it every small response on a kept-alive connection waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host.strip("[]"), port))
    sock.set_inheritable(False)
    return sock


def announce(config: RunnerConfig, port: int, *, token_generated: bool, out: TextIO) -> None:
    """The machine-readable line (tests and `fenced serve` look for it), then a ready-to-open URL."""
    url = config.url(port)
    print(f"{LISTENING} {url}", file=out, flush=True)
    if config.app_url:
        sep = "&" if "?" in config.app_url else "?"
        fragment = (
            f"#token={config.token}" if config.token else ""
        )  # none with --tokens-file: each has theirs
        print(f"open: {config.app_url}{sep}runner={url}{fragment}", file=out, flush=True)
    elif token_generated:
        print(f"open: {url}/#token={config.token}", file=out, flush=True)
    if not is_loopback(config.host) and not config.tls_cert:
        print(
            f"WARNING: listening on {config.host} without TLS: the token and every command and output cross the "
            "network in clear text. Use --tls-cert/--tls-key or a TLS reverse proxy.",
            file=sys.stderr,
            flush=True,
        )


def reload_on_hangup(app: RunnerApp) -> None:
    """SIGHUP re-reads the tokens file and reopens the audit log (only where signals can be had)."""
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, app.reload)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: RunnerApp, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._runner_app = app
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            reload_on_hangup(self._runner_app)
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self._runner_app.runner.close()  # ends executions and every Watch stream first
        await super().shutdown(sockets)


async def serve_async(
    config: RunnerConfig,
    *,
    fallback: ASGIApp | None = None,
    token_generated: bool = False,
    out: TextIO | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve until a signal (or `server.should_exit`); prints the listening line to `out` (stdout)."""
    max_connections = connections.raise_open_files_limit(config.max_connections, config.max_executions)
    connections.accept_errors_once_per_second(asyncio.get_running_loop())
    connections.quiet_uvicorn()
    app = create_app(config, fallback=fallback)
    sock = sock or bind(config.host, config.port)
    port = sock.getsockname()[1]
    uv_config = uvicorn.Config(
        app,
        lifespan="on",
        log_level="warning",
        access_log=False,
        ws="none",
        http=connections.guarded_h11(config.request_timeout, config.write_timeout),
        ssl_certfile=config.tls_cert,
        ssl_keyfile=config.tls_key,
        timeout_graceful_shutdown=5,
        # typed int by uvicorn, but only ever handed to call_later: fractions of a second work
        timeout_keep_alive=config.keep_alive_timeout,  # type: ignore[arg-type]
        h11_max_incomplete_event_size=config.max_header_bytes,
        limit_concurrency=max_connections,
        server_header=False,
    )
    server = _Server(
        uv_config, app, lambda: announce(config, port, token_generated=token_generated, out=out or sys.stdout)
    )
    await server.serve(sockets=[sock])


def serve(config: RunnerConfig, **kwargs: Any) -> None:
    """Blocking `serve_async` in a fresh event loop."""
    asyncio.run(serve_async(config, **kwargs))
