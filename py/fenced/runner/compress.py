"""gzip for streaming responses, so output crosses a slow link at (or beyond) the link's speed.

The browser speaks Connect's JSON codec, where output bytes travel as base64: 4 bytes on the wire for 3
of output, so a 10 Mbit/s link carried output at 69 % of its speed. HTTP gzip (which every browser and
httpx decode natively) wins that back even for random bytes (Huffman coding undoes base64's 6 bits per
character) and shrinks ordinary text output several times. Each message is flushed (Z_SYNC_FLUSH) as
it is sent, so nothing waits in the compressor.

Policy: "auto" compresses for clients that are not on loopback (behind a local reverse proxy, the
client is the address in X-Forwarded-For, as uvicorn resolves it), where bandwidth is what is short;
on loopback, compressing would only spend the CPU the page needs. "always" and "never" say it.
"""

from __future__ import annotations

import asyncio
import zlib

from fenced.runner.config import CompressPolicy as Policy
from fenced.runner.config import is_loopback
from fenced.runner.guard import ASGIApp, Message, Receive, Scope, Send
from fenced.runner.unbuffered import is_stream

POLICIES: tuple[Policy, ...] = ("auto", "always", "never")
LEVEL = 1  # ~30 MB/s per core; higher levels gain ~10 % size for twice the time
IN_THREAD_BYTES = 64 * 1024  # bigger bodies are compressed off the event loop


def accepts_gzip(scope: Scope) -> bool:
    """Whether the request's Accept-Encoding allows gzip (q=0 refuses it)."""
    for key, value in scope.get("headers", ()):
        if key.lower() != b"accept-encoding":
            continue
        for item in value.decode("latin-1").lower().split(","):
            name, _, params = item.strip().partition(";")
            if name.strip() in ("gzip", "*"):
                q = params.strip()
                return not (q.startswith("q=") and _float(q[2:]) == 0)
    return False


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 1.0


def wanted(scope: Scope, policy: Policy) -> bool:
    if policy == "never" or scope["type"] != "http" or not accepts_gzip(scope):
        return False
    if policy == "always":
        return True
    client = scope.get("client")
    return not (client and is_loopback(str(client[0])))


class GzipStreams:
    """Compresses Connect/gRPC streaming responses with gzip when `policy` and the client want it."""

    def __init__(self, app: ASGIApp, policy: Policy = "auto") -> None:
        if policy not in POLICIES:
            raise ValueError(f"compression policy must be one of {POLICIES}, not {policy!r}")
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not wanted(scope, self.policy):
            await self.app(scope, receive, send)
            return
        compressor: zlib._Compress | None = None

        async def send_gzip(message: Message) -> None:
            nonlocal compressor
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
                if is_stream(headers) and not encoded:
                    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
                    message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and compressor is not None:
                body = bytes(message.get("body", b""))
                more = bool(message.get("more_body", False))
                message = {**message, "body": await _deflate(compressor, body, more)}
            await send(message)

        await self.app(scope, receive, send_gzip)


async def _deflate(compressor: zlib._Compress, body: bytes, more: bool) -> bytes:
    mode = zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH

    def run() -> bytes:
        return compressor.compress(body) + compressor.flush(mode)

    if len(body) < IN_THREAD_BYTES:
        return run()
    return await asyncio.get_running_loop().run_in_executor(None, run)
