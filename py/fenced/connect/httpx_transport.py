"""CPython transport on httpx (HTTP/1.1, keep-alive pool; streams read without a total timeout)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx

from fenced.connect.errors import Code, ConnectError
from fenced.connect.protocol import HttpRequest, HttpResponse

STREAM_IDLE_TIMEOUT = 75.0  # the runner sends a keep-alive every 15 s: silence this long means a dead link


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
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            verify=verify,
        )

    async def unary(self, request: HttpRequest, timeout: float | None) -> HttpResponse:
        try:
            response = await self._client.request(
                request.method,
                request.url,
                content=request.body,
                headers=request.headers,
                timeout=httpx.Timeout(timeout if timeout is not None else 30.0),
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
