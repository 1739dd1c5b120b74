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


# Where a shortcut works: command mode, edit mode, both, or anywhere on the page.
Where = Literal["command", "edit", "command, edit", "anywhere"]

# (keys as shown, what it does, where): every shortcut of the page, this module's and those other parts
# catch themselves (the run keys of fenced.app.run, Save/Open of fenced.app.files, the palette). It is the
# one table the "?" dialog shows, so help and behaviour cannot drift apart.
SHORTCUTS: list[tuple[str, str, Where]] = [
    (
        "Tab / Shift+Tab",
        "Move between cells and controls (a cell's editor keeps Tab only in edit mode)",
        "command",
    ),
    ("Enter", "Edit the selected cell (edit mode: Tab indents there)", "command"),
    ("Esc", "Leave the editor (command mode); renders a Markdown cell", "edit"),
    ("Tab / Shift+Tab", "Indent / outdent the lines (press Esc first to move on with Tab)", "edit"),
    (
        "Shift+Enter",
        "Code cell: run it and select the next cell; Markdown: render, select the next",
        "command, edit",
    ),
    ("Ctrl/Cmd+Enter", "Code cell: run it; Markdown: render it", "command, edit"),
    ("Alt+Enter", "Code cell: run it and add a code cell below", "command, edit"),
    ("J / ↓", "Select the next cell", "command"),
    ("K / ↑", "Select the previous cell", "command"),
    ("Home / End", "Select the first / last cell", "command"),
    ("A", "Insert a code cell above", "command"),
    ("B", "Insert a code cell below", "command"),
    ("D, D", "Delete the selected cell", "command"),
    ("M", "Make the cell Markdown", "command"),
    ("Y", "Make the cell code", "command"),
    ("Alt+↑ / Alt+↓", "Move the cell up / down", "command"),
    ("Ctrl/Cmd+Z", "Undo (in the editor: undo typing)", "command, edit"),
    ("Ctrl/Cmd+Shift+Z, Ctrl+Y", "Redo", "command"),
    ("F", "Find in the notebook (Enter / Shift+Enter: next / previous match)", "command"),
    ("Ctrl/Cmd+B", "Show or hide the sidebar (outline, folder)", "command"),
    ("?", "Show these shortcuts", "command"),
    ("Ctrl/Cmd+Shift+P", "Command palette: every command, and run a cell by name", "anywhere"),
    ("Ctrl/Cmd+O", "Open a file", "anywhere"),
    ("Ctrl/Cmd+S", "Save", "anywhere"),
    ("Ctrl/Cmd+Shift+S", "Save as", "anywhere"),
    ("Esc", "Close a dialog or a menu", "anywhere"),
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
        if lower == "b" and not press.shift:
            return "sidebar", None
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
