"""Streams pass reverse proxies unbuffered: `X-Accel-Buffering: no` on every streaming response.

A `Watch` or `Execute` stream sends a few bytes at a time and must reach the browser at once; nginx
buffers proxied responses unless told otherwise, per location (`proxy_buffering off`) or per response by
this header, which covers a proxy configured without the shipped recipe (`deploy/nginx/fenced.conf`).
"""

from __future__ import annotations

from fenced.runner.guard import ASGIApp, Message, Receive, Scope, Send

STREAM_TYPES = (b"application/connect+", b"application/grpc")
NO_BUFFERING = (b"x-accel-buffering", b"no")


def is_stream(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.lower().startswith(STREAM_TYPES) for k, v in headers)


class Unbuffered:
    """Adds `X-Accel-Buffering: no` to responses whose content type is a Connect or gRPC stream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_unbuffered(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if is_stream(headers):
                    message = {**message, "headers": [*headers, NO_BUFFERING]}
            await send(message)

        await self.app(scope, receive, send_unbuffered)
