"""What a cell's output says about its run, and the run state mirrored on the cell element.

`describe` gives the status line (label and details) and what `[data-run-when]` says after the cell's
name. `CellMirror` writes the state on the cell element (`data-state`, `data-exit-code`, `data-pid`,
`data-output-collapsed`, `data-waiting`) and its gutter's execution count (`[data-run-count]`) for styles
and tests; only what changed is written (it is asked for a few times a run, and each DOM call from
Python costs).
"""

from __future__ import annotations

from typing import Any

import js

from fenced.app.jsffi import opt

from .runs import Run
from .states import FAILED, RUNNING, STARTING, SUCCEEDED, CellState
from .units import clock, iso, seconds

When = tuple[str, str, str]  # what [data-run-when] says: text, tooltip, ISO start time


def describe(run: Run, waiting: bool, now_ms: float | None) -> tuple[CellState, str, str, When]:
    """`run`'s state, status label and details, and its [data-run-when] (`now_ms`: the page's clock)."""
    if run.state in (STARTING, RUNNING):
        pid = f"pid {run.pid}" if run.pid else ""
        since = "Running since " + clock(run.started_at)
        if waiting:  # no clock ticking on while nobody can tell whether it still runs
            return run.state, "Waiting for runner…", pid, ("waiting for runner", since, "")
        now = now_ms if now_ms is not None else float(js.Date.now())
        elapsed = seconds(max(0.0, now - run.started_at * 1000))  # from its start on the runner
        return (
            run.state,
            "Running" if run.state == RUNNING else "Starting…",
            f"{pid} · {elapsed}" if pid else elapsed,
            (f"running · {elapsed}", since, ""),
        )
    parts = []
    if run.pid:
        parts.append(f"pid {run.pid}")
    if run.duration_ms:
        parts.append(seconds(run.duration_ms))
    if run.state == SUCCEEDED:
        label = "✓ Exited 0"
    elif run.exit_code is None:
        label = f"✗ Failed: {run.reason or 'no exit code'}"
    elif run.signal:
        label = f"✗ Stopped ({run.signal}), exit code {run.exit_code}"
    else:
        label = f"✗ Exited {run.exit_code}"
    if run.reason and run.exit_code is not None and run.state == FAILED:
        parts.append(run.reason)
    took = seconds(run.duration_ms) if run.duration_ms else ""
    at = clock(run.started_at)
    outcome = "succeeded" if run.state == SUCCEEDED else "failed"
    when = (
        f"{at} · {took}" if took else at,
        f"Last run {outcome}: started at {at}" + (f", took {took}" if took else ""),
        iso(run.started_at),
    )
    return run.state, label, " · ".join(parts), when


class CellMirror:
    """The run state on one cell element and its gutter (found once per element, not per state)."""

    def __init__(self) -> None:
        self.el: Any = None
        self._count_el: Any = None
        self._when_el: Any = None
        self._done: dict[str, str | None] = {}  # what `write` last wrote to this element

    def attach(self, cell_el: Any) -> None:
        """Mirror on (a possibly new) cell element from now on: everything is written again."""
        self.el = cell_el
        self._done = {}
        self._count_el = opt(cell_el.querySelector("[data-run-count]"))
        self._when_el = opt(cell_el.querySelector("[data-run-when]"))

    def write(
        self, state: CellState, run: Run | None, count: int, when: When, collapsed: bool, waiting: bool
    ) -> None:
        """The cell's state attributes, its execution count ([3], [*] while busy) and its last run."""
        el = self.el
        if el is None:
            return
        busy = state in (STARTING, RUNNING)
        shown = "[*]" if busy else (f"[{count}]" if count else "")
        text, tip, at = when
        wanted: dict[str, str | None] = {
            "data-output-collapsed": "true" if collapsed else None,
            "data-state": RUNNING if busy else state,
            "data-exit-code": str(run.exit_code)
            if run is not None and run.exit_code is not None and state in (SUCCEEDED, FAILED)
            else None,
            "data-pid": str(run.pid) if run is not None and run.pid else None,
            "data-waiting": "true" if waiting and busy else None,
        }
        for name, value in wanted.items():
            if self._changed(name, value):
                _set_attribute(el, name, value)
        count_el = self._count_el
        if count_el is not None and self._changed("count", shown):
            count_el.textContent = shown
            count_el.title = f"Execution {count} of this page" if count else ""
        when_el = self._when_el
        if when_el is None:
            return
        if self._changed("when", text):
            when_el.textContent = text
        if self._changed("tip", tip):
            when_el.title = tip
        duration = str(run.duration_ms) if run is not None and run.duration_ms and not run.running else None
        for name, value in (("data-ran-at", at or None), ("data-duration-ms", duration)):
            if self._changed(name, value):
                _set_attribute(when_el, name, value)

    def _changed(self, key: str, value: str | None) -> bool:
        """Whether `value` differs from what was last written under `key` (noted as written)."""
        done = self._done
        if key in done and done[key] == value:
            return False
        done[key] = value
        return True


def _set_attribute(el: Any, name: str, value: str | None) -> None:
    if value is None:
        el.removeAttribute(name)
    else:
        el.setAttribute(name, value)
