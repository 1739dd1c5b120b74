"""CPython transport on httpx (HTTP/1.1, keep-alive pool; streams read without a total timeout).

A burst of unary calls (a thousand Starts at once) goes out a few at a time, on connections kept alive
for the next: httpcore's pool looks at every waiting request and every idle connection for each one it
hands over, so a deep queue or a wide pool costs more than the calls themselves. Streams are not counted
here (each holds its connection while it lasts).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping

import httpx

from fenced.connect.errors import Code, ConnectError
from fenced.connect.protocol import HttpRequest, HttpResponse

STREAM_IDLE_TIMEOUT = 75.0  # the runner sends a keep-alive every 15 s: silence this long means a dead link
MAX_CONNECTIONS = 100
UNARY_AT_ONCE = 8  # unary calls in flight; more waits here (a runner answers them one after another anyway)


def _unavailable(exc: Exception) -> ConnectError:
    return ConnectError(Code.UNAVAILABLE, f"runner unreachable: {type(exc).__name__}: {exc}")


class HttpxStream:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.headers: Mapping[str, str] = {k.lower(): v for k, v in response.headers.items()}

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():  # decoded: a remote runner gzips streams
                yield chunk
        except httpx.TimeoutException as exc:
            raise ConnectError(
                Code.UNAVAILABLE, f"no data from the runner for {STREAM_IDLE_TIMEOUT:g}s"
            ) from exc
        except httpx.HTTPError as exc:
            raise _unavailable(exc) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpxTransport:
    """`verify` is passed to httpx (a CA bundle path for a runner with its own certificate)."""

    def __init__(self, client: httpx.AsyncClient | None = None, *, verify: bool | str = True) -> None:
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(30.0, read=STREAM_IDLE_TIMEOUT),
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=2 * UNARY_AT_ONCE),
            verify=verify,
        )
        self._unary_slots = asyncio.Semaphore(UNARY_AT_ONCE)

    async def unary(self, request: HttpRequest, timeout: float | None) -> HttpResponse:
        seconds = timeout if timeout is not None else 30.0
        try:
            async with self._unary_slots:  # (the deadline runs from when the request goes out)
                response = await self._client.request(
                    request.method,
                    request.url,
                    content=request.body,
                    headers=request.headers,
                    timeout=httpx.Timeout(seconds),
                )
        except httpx.TimeoutException as exc:
            raise ConnectError(Code.DEADLINE_EXCEEDED, "the runner did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise _unavailable(exc) from exc
        return HttpResponse(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
        )

    async def open_stream(self, request: HttpRequest) -> HttpxStream:
        built = self._client.build_request(
            request.method, request.url, content=request.body, headers=request.headers
        )
        try:
            response = await self._client.send(built, stream=True)
        except httpx.HTTPError as exc:
            raise _unavailable(exc) from exc
        return HttpxStream(response)

    async def aclose(self) -> None:
        await self._client.aclose()
