"""fenced.app.view: the notebook view (render, edit, cell operations, undo, keyboard, dialogs, palette).

`NotebookView` is the browser-only entry point; it is imported lazily here so that the pure modules of
this package (`sanitize`, `markdown`, `ops`, `history`, `keymap`, `outline`, `find`, `forms`,
`cellhtml`, `cellparts`, `commandtable`, `commands`, `events`) import under plain CPython for the unit
tests in tests/app/.

Its extension points, for the other rooms (fenced.app.files, fenced.app.run), are documented in
docs/architecture.md: `NotebookView.events` (typed signals, `events`), `NotebookView.cell_parts` (HTML
providers for slots of a code cell, `cellparts`) and `NotebookView.commands` (the page's command table,
`commandtable`). This package imports no other room of fenced.app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .notebook import NotebookView

__all__ = ["NotebookView"]


def __getattr__(name: str) -> Any:
    if name == "NotebookView":
        from .notebook import NotebookView

        return NotebookView
    raise AttributeError(name)
