"""Pyodide transport on the browser's `fetch`: a ReadableStream reader for streams, AbortController to
cancel. `js` and `pyodide` are imported inside the methods so this module imports under CPython too.

fetch rejects with a bare `TypeError` both when the runner is down and when CORS refuses the request
(the browser hides which), so that is reported as "unreachable or CORS refused".

A unary call awaits one promise, the response and its body together (`_fetch_with_body`), not two: each
promise Pyodide hands to Python becomes a Future that costs the page two tasks when it resolves (the
waiting task's wake-up and the loop's bookkeeping), a good part of what a trivial cell costs in a Run all.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fenced.connect.errors import Code, ConnectError
from fenced.connect.protocol import HttpRequest, HttpResponse


def _is_type_error(exc: BaseException) -> bool:
    name = getattr(exc, "name", None) or getattr(getattr(exc, "js_error", None), "name", None)
    return name == "TypeError" or str(exc).startswith("TypeError")


def _is_abort(exc: BaseException) -> bool:
    name = getattr(exc, "name", None) or getattr(getattr(exc, "js_error", None), "name", None)
    return name == "AbortError" or str(exc).startswith("AbortError")


def _fetch_error(exc: BaseException, url: str) -> ConnectError:
    if _is_type_error(exc):
        return ConnectError(
            Code.UNAVAILABLE,
            f"runner at {url} is unreachable or CORS refused the request (start it with --allow-origin for this "
            f"page's origin): {exc}",
        )
    if _is_abort(exc):
        return ConnectError(Code.CANCELED, "request aborted")
    return ConnectError(Code.UNAVAILABLE, f"fetch failed: {exc}")


def _headers(js_headers: Any) -> dict[str, str]:
    from js import Object

    return {str(k).lower(): str(v) for k, v in Object.fromEntries(js_headers).to_py().items()}


@functools.cache
def _fetch_with_body() -> Any:
    """JS `(url, init) => fetch(url, init)` resolving to `[response, body]`, chained in JS (Pyodide makes a
    Future of any promise a JS call returns to Python, so the chain cannot be built from here); None
    where the page's Content-Security-Policy allows no `Function` (then the body is a second await)."""
    from js import Function

    try:
        return Function.new(
            "url", "init", "return fetch(url, init).then((r) => r.arrayBuffer().then((b) => [r, b]));"
        )
    except Exception:  # EvalError under a CSP without 'unsafe-eval'
        return None


def _init(request: HttpRequest, controller: Any) -> Any:
    from js import Object
    from pyodide.ffi import to_js

    return to_js(
        {
            "method": request.method,
            "headers": request.headers,
            "body": to_js(request.body),
            "signal": controller.signal,
            "mode": "cors",
            "credentials": "omit",
            # No `cache` mode: POST responses are never cached anyway, and Chromium skips its CORS
            # preflight cache for "no-store" requests, which cost every call one more round trip.
        },
        dict_converter=Object.fromEntries,
    )


async def _fetch_unary(request: HttpRequest, controller: Any) -> tuple[Any, bytes]:
    """The response and its body."""
    with_body = _fetch_with_body()
    if with_body is None:
        response = await _fetch(request, controller)
        try:
            return response, (await response.arrayBuffer()).to_bytes()
        except Exception as exc:
            raise _fetch_error(exc, request.url) from None
    try:
        got = await with_body(request.url, _init(request, controller))
    except Exception as exc:  # JsException: pyodide raises it for a rejected promise
        raise _fetch_error(exc, request.url) from None
    return got[0], got[1].to_bytes()


async def _fetch(request: HttpRequest, controller: Any) -> Any:
    from js import fetch

    init = _init(request, controller)
    try:
        return await fetch(request.url, init)
    except Exception as exc:  # JsException: pyodide raises it for a rejected promise
        raise _fetch_error(exc, request.url) from None


class FetchStream:
    def __init__(self, response: Any, controller: Any, url: str) -> None:
        self._response = response
        self._controller = controller
        self._url = url
        self.status = int(response.status)
        self.headers: Mapping[str, str] = _headers(response.headers)
        self._reader: Any = None

    async def chunks(self) -> AsyncIterator[bytes]:
        if self._response.body is None:
            return
        self._reader = self._response.body.getReader()
        while True:
            try:
                result = await self._reader.read()
            except Exception as exc:
                raise _fetch_error(exc, self._url) from None
            if result.done:
                return
            yield result.value.to_bytes()

    async def aclose(self) -> None:
        self._controller.abort()


class FetchTransport:
    async def unary(self, request: HttpRequest, timeout: float | None) -> HttpResponse:
        from js import AbortController

        controller = AbortController.new()

        async def call() -> HttpResponse:
            response, body = await _fetch_unary(request, controller)
            return HttpResponse(int(response.status), _headers(response.headers), body)

        try:
            return await asyncio.wait_for(call(), timeout)
        except TimeoutError:
            controller.abort()
            raise ConnectError(Code.DEADLINE_EXCEEDED, "the runner did not answer in time") from None

    async def open_stream(self, request: HttpRequest) -> FetchStream:
        from js import AbortController

        controller = AbortController.new()
        response = await _fetch(request, controller)
        return FetchStream(response, controller, request.url)

    async def aclose(self) -> None:
        return None
