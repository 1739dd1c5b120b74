"""Tasks of the file layer: a failure is logged and told to the user as one "files-bug" message."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from fenced.app import jsffi
from fenced.app.notify import bug_report

_report = bug_report("files-bug", "Something went wrong")


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
    """Run a handler's async part; a bug shows up as a message instead of vanishing."""
    return jsffi.spawn(coro, _report)
