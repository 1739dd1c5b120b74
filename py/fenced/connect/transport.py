"""What a transport does for the sans-I/O core: send an `HttpRequest`, return bytes. Errors it raises
are `ConnectError`s: `unavailable` for a runner that cannot be reached (so `Watch` resumes), and
`deadline_exceeded` for a timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Protocol

from fenced.connect.protocol import HttpRequest, HttpResponse


class StreamHandle(Protocol):
    """An open streaming response: status and headers are known, the body arrives in chunks."""

    status: int
    headers: Mapping[str, str]

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None:
        """Abort the stream (cancels the request if it is still open)."""
        ...


class Transport(Protocol):
    async def unary(self, request: HttpRequest, timeout: float | None) -> HttpResponse: ...

    async def open_stream(self, request: HttpRequest) -> StreamHandle: ...

    async def aclose(self) -> None: ...


def default_transport() -> Transport:
    """fetch inside Pyodide, httpx under CPython (each imported only where it is used)."""
    import sys

    if sys.platform == "emscripten":
        from fenced.connect.fetch_transport import FetchTransport

        return FetchTransport()
    from fenced.connect.httpx_transport import HttpxTransport

    return HttpxTransport()
