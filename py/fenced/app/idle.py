"""Waiting for the page to be idle, for work nobody is waiting on (warm-up, unpacking wheels' files)."""

from __future__ import annotations

import asyncio
from typing import Any

import js


def when_idle(timeout_ms: int = 2000, fallback_ms: int = 50) -> Any:
    """An awaitable that resolves when the page is next idle (at the latest after `timeout_ms`); where
    there is no `requestIdleCallback`, after `fallback_ms`."""
    from pyodide.ffi import create_once_callable

    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def resolve(*_: object) -> None:
        if not future.done():
            future.set_result(None)

    wake = create_once_callable(resolve)
    if hasattr(js.window, "requestIdleCallback"):
        js.window.requestIdleCallback(wake, js.Object.fromEntries([["timeout", timeout_ms]]))
    else:
        js.setTimeout(wake, fallback_ms)
    return future
