"""Tasks of the run room: a failure is logged and told to the user as one "run-bug" message."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from fenced.app import jsffi
from fenced.app.notify import bug_report

_report = bug_report("run-bug", "Something went wrong while running")


def spawn(coro: Coroutine[Any, Any, Any], eager: bool = False) -> asyncio.Future[Any]:
    """`jsffi.spawn` for the run room (`eager`: the Start request of a click leaves at once)."""
    return jsffi.spawn(coro, _report, eager=eager)
