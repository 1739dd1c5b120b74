"""Jupyter's keyboard habits as a pure function: (mode, key, modifiers, pending prefix) -> command.

Command mode is when a cell (not its text) has focus; edit mode is when a cell's editor has focus.
`SHORTCUTS` is the single table the "?" dialog shows, so help and behaviour cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["command", "edit"]
COMMAND: Mode = "command"
EDIT: Mode = "edit"


@dataclass(frozen=True)
class KeyPress:
    key: str  # KeyboardEvent.key
    ctrl: bool = False
    meta: bool = False
    shift: bool = False
    alt: bool = False

    @property
    def mod(self) -> bool:
        """Ctrl on Linux/Windows, Cmd on macOS (either is accepted everywhere)."""
        return self.ctrl or self.meta


# (keys as shown, what it does, mode)
SHORTCUTS: list[tuple[str, str, Mode]] = [
    ("Enter", "Edit the selected cell", COMMAND),
    ("Esc", "Leave the editor (command mode); renders a Markdown cell", EDIT),
    ("Shift+Enter", "Render a Markdown cell and select the next cell", EDIT),
    ("Ctrl+Enter", "Render a Markdown cell", EDIT),
    ("J / ↓", "Select the next cell", COMMAND),
    ("K / ↑", "Select the previous cell", COMMAND),
    ("Home / End", "Select the first / last cell", COMMAND),
    ("A", "Insert a code cell above", COMMAND),
    ("B", "Insert a code cell below", COMMAND),
    ("D, D", "Delete the selected cell", COMMAND),
    ("M", "Make the cell Markdown", COMMAND),
    ("Y", "Make the cell code", COMMAND),
    ("Alt+↑ / Alt+↓", "Move the cell up / down", COMMAND),
    ("Ctrl/Cmd+Z", "Undo (in the editor: undo typing)", COMMAND),
    ("Ctrl/Cmd+Shift+Z, Ctrl+Y", "Redo", COMMAND),
    ("F", "Find in the notebook", COMMAND),
    ("Ctrl/Cmd+S", "Save", COMMAND),
    ("?", "Show these shortcuts", COMMAND),
]

_COMMAND_KEYS = {
    "Enter": "edit",
    "j": "next",
    "ArrowDown": "next",
    "k": "prev",
    "ArrowUp": "prev",
    "Home": "first",
    "End": "last",
    "a": "insert-above",
    "b": "insert-below",
    "m": "to-markdown",
    "y": "to-code",
    "f": "find",
    "?": "shortcuts",
    "Escape": "blur",
}


def command_for(mode: Mode, press: KeyPress, pending: str | None = None) -> tuple[str | None, str | None]:
    """Return ``(command, new_pending)``. `pending` carries the first D of "D D"."""
    key = press.key
    if mode == EDIT:
        if key == "Escape" and not (press.mod or press.alt):
            return "command-mode", None
        if key == "Enter" and press.shift and not (press.mod or press.alt):
            return "render-next", None
        if key == "Enter" and press.mod and not press.alt:
            return "render", None
        return None, None
    # command mode
    if press.mod and not press.alt:
        lower = key.lower()
        if lower == "z":
            return ("redo" if press.shift else "undo"), None
        if lower == "y" and not press.shift:
            return "redo", None
        return None, None
    if press.alt:
        if key == "ArrowUp":
            return "move-up", None
        if key == "ArrowDown":
            return "move-down", None
        return None, None
    if key == "?":
        return "shortcuts", None
    if press.shift and key not in ("Enter",):
        return None, None
    lower = key.lower() if len(key) == 1 else key
    if lower == "d":
        return ("delete", None) if pending == "d" else (None, "d")
    if key == "Enter" and press.shift:
        return "next", None
    return _COMMAND_KEYS.get(lower), None
