"""What the run engine hands the view: a `Run` (one execution of one cell, as the notebook shows it) and
the `Sink` the engine reports to. Kept apart from the engine so the rooms that only show runs (outputs,
report, save, commands) do not import the engine's session and stream machinery.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .states import RUNNING, STARTING, RunState


@dataclass(eq=False)
class Run:
    """One execution of one cell, as the notebook shows it."""

    key: Hashable
    name: str = ""
    interactive: bool = True
    background: bool = False
    execution_id: str = ""
    state: RunState = STARTING
    pid: int = 0
    exit_code: int | None = None
    signal: str = ""
    reason: str = ""
    duration_ms: int = 0
    # Wall clock of its start (the outputs file; its elapsed time): for a run attached after a reload, the
    # runner's own count of how long it has run, so the page's clock never needs to agree with the runner's.
    started_at: float = field(default_factory=time.time)
    pwd: str = ""  # working directory when it ended (the runner's Exited event), "" before
    received: dict[str, int] = field(default_factory=lambda: {"stdout": 0, "stderr": 0})
    done: asyncio.Future[int | None] = field(default_factory=lambda: asyncio.get_event_loop().create_future())
    # Keyboard input and terminal sizes go out in the order they happened, one call at a time (a resize
    # followed by Enter must reach the PTY in that order): ("input", bytes) | ("size", (rows, cols)).
    _outbox: list[tuple[str, Any]] = field(default_factory=list)
    _sending: bool = False
    _size: tuple[int, int] | None = None  # the terminal's latest size
    _sent_size: tuple[int, int] | None = None  # the size the PTY has
    _stop_asked: bool = False

    @property
    def running(self) -> bool:
        return self.state in (STARTING, RUNNING)

    def finish(self, state: RunState, exit_code: int | None = None, reason: str = "") -> None:
        self.state, self.exit_code, self.reason = state, exit_code, reason or self.reason
        if not self.done.done():
            self.done.set_result(exit_code)


class Sink(Protocol):
    """Where the engine reports; the browser UI implements it with terminals."""

    def run_started(self, run: Run) -> None: ...

    def run_output(self, run: Run, stream: str, data: bytes) -> Awaitable[None] | None: ...

    def run_exited(self, run: Run) -> None: ...

    def run_notice(self, run: Run, text: str) -> None: ...

    def connection_changed(self, ok: bool, error: BaseException | None) -> None: ...

    def session_lost(self, runs: list[Run]) -> None:
        """The runner no longer has the session (it restarted): `runs` were running in it."""
        ...

    def secrets_learned(self, values: list[str]) -> None:
        """These secret values are known now: mask them in the output already shown."""
        ...
