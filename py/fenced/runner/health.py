"""`GET /healthz` for probes (Kubernetes, systemd, a load balancer): no token, no information but "ok".

A thin ASGI layer in front of everything else, so a probe needs neither the token nor an allowed Host
(kubelet probes with the pod's IP, which an --allow-host list would not name). It answers 503 while the
runner shuts down, so a readiness probe takes it out of rotation first.
"""

from __future__ import annotations

from collections.abc import Callable

from fenced.runner.guard import ASGIApp, Receive, Scope, Send

HEALTH_PATH = "/healthz"


class HealthCheck:
    """Answers `GET`/`HEAD /healthz`; passes every other request on to `app`."""

    def __init__(self, app: ASGIApp, healthy: Callable[[], bool]) -> None:
        self.app = app
        self.healthy = healthy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != HEALTH_PATH or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        ok = self.healthy()
        body = b"ok\n" if ok else b"shutting down\n"
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200 if ok else 503, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
