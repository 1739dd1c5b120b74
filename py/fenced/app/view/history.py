"""Undo/redo stack of reversible operations (see `ops`). Pure; the view applies what it returns.

One stack for cell operations and text edits: text edits enter it when the view takes them from the
editors (after a pause in typing, on leaving a cell, before any cell operation), so one entry is one
burst of typing, while CodeMirror's own history gives fine-grained undo inside a cell being edited.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class History(Generic[T]):
    """Linear history: pushing after an undo drops the redo branch; bounded to `limit` entries."""

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self._done: list[T] = []
        self._undone: list[T] = []

    def push(self, op: T) -> None:
        self._done.append(op)
        self._undone.clear()
        if len(self._done) > self.limit:
            del self._done[: len(self._done) - self.limit]

    def undo(self) -> T | None:
        """The operation to revert, or None; it moves to the redo side."""
        if not self._done:
            return None
        op = self._done.pop()
        self._undone.append(op)
        return op

    def redo(self) -> T | None:
        """The operation to apply again, or None."""
        if not self._undone:
            return None
        op = self._undone.pop()
        self._done.append(op)
        return op

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def __len__(self) -> int:
        return len(self._done)
