"""Fire-and-forget coroutines that cannot be garbage-collected half-way.

asyncio's loop holds only a weak reference to a task: one that nobody else holds can vanish while it waits
(RUF006). `background` (or `keep`, for a task made elsewhere) holds it until it is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Future[Any]] = set()


def keep(task: asyncio.Future[Any]) -> asyncio.Future[Any]:
    """Hold `task` until it is done; returns it."""
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def background(coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
    """Schedule `coro` and hold its task until it is done."""
    return keep(asyncio.ensure_future(coro))
