"""Keyboard input and terminal sizes for running cells: sent in the order they happened, one call at a time.

A resize followed by Enter must reach the PTY in that order, so each run has a queue (`Run._outbox`) that
one task empties: consecutive keystrokes go out in one call, and of consecutive sizes only the latest.
An execution that ended meanwhile is not an error; input that could not be delivered is said on the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fenced.app.tasks import background
from fenced.connect import Code, ConnectError, RunnerClient

from .runs import Run

Kind = Literal["input", "size"]


class Outbox:
    def __init__(self, client: RunnerClient, notice: Callable[[Run, str], None]) -> None:
        self.client = client
        self.notice = notice  # a line on the cell (input that did not get through)

    def queue(self, run: Run, kind: Kind, value: Any) -> None:
        """Send `value` (input bytes, or a (rows, cols) size) after whatever `run` has queued before."""
        box = run._outbox
        if box and box[-1][0] == kind:  # merge: consecutive keys in one call; only the latest size
            box[-1] = (kind, box[-1][1] + value) if kind == "input" else (kind, value)
        else:
            box.append((kind, value))
        if not run._sending:
            run._sending = True
            background(self._send(run))

    async def _send(self, run: Run) -> None:
        try:
            while run._outbox and run.running:
                kind, value = run._outbox.pop(0)
                try:
                    if kind == "input":
                        await self.client.send_input(run.execution_id, value)
                    elif value != run._sent_size:
                        await self.client.resize(run.execution_id, *value)
                        run._sent_size = value
                except ConnectError as exc:
                    if exc.code in (Code.FAILED_PRECONDITION, Code.NOT_FOUND):
                        continue  # it exited meanwhile
                    if kind == "input":
                        self.notice(run, f"input not delivered: {exc.message or exc.code.value}")
        finally:
            run._outbox.clear()
            run._sending = False
