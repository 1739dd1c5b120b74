"""States of a cell's run (pure). Their values are what `data-state` shows on a cell element.

Literal types rather than Enums: mypy checks every spelling all the same, and they cost nothing in the
boot snapshot's heap, which has little room (docs/architecture.md).
"""

from __future__ import annotations

from typing import Final, Literal

RunState = Literal["starting", "running", "succeeded", "failed"]  # one execution of one cell (`runs.Run`)
CellState = Literal["idle", "starting", "running", "succeeded", "failed"]  # a cell's output area

STARTING: Final = "starting"
RUNNING: Final = "running"
SUCCEEDED: Final = "succeeded"
FAILED: Final = "failed"
IDLE: Final = "idle"  # before its first run (or after a cancelled prompt)
