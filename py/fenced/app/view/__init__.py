"""fenced.app.view: the notebook view (render, edit, cell operations, undo, keyboard, dialogs).

`NotebookView` is the browser-only entry point; it is imported lazily here so that the pure modules of
this package (`sanitize`, `markdown`, `ops`, `history`, `keymap`, `outline`, `find`, `forms`,
`cellhtml`) import under plain CPython for the unit tests in tests/app/.
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
