"""Model changes: operations applied with undo, and the editors' text taken into the model.

Every change to the document goes through here, so each is one undo step (`History`), is mirrored in the
cells' DOM (`dompatch`) and tells the other rooms (`events.changed`, `events.cells_rendered`). Typed text
stays in the editor bundle until `flush` (after a pause in typing, or before any command that reads the
model), never a Python call per key press.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from fenced.app.jsffi import log_error

from . import dompatch, ops
from .events import CellsRendered, DocumentChanged

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .anchors import DocumentAnchors
    from .cells import CellKeys, CellsDom
    from .events import ViewEvents
    from .history import History

    class _Chrome(Protocol):
        def document_changed(self) -> None: ...

    class Changeable(Protocol):
        """What the model changes need of the view (`NotebookView`)."""

        history: History[ops.Operation]
        active: int
        keys: CellKeys
        anchors: DocumentAnchors
        events: ViewEvents

        @property
        def notebook(self) -> Any: ...

        @property
        def cells(self) -> Any: ...

        @property
        def dom(self) -> CellsDom: ...

        @property
        def chrome(self) -> _Chrome: ...

        def select(self, index: int, focus: bool = True, scroll: bool = True) -> None: ...

        def refresh_names(self) -> None: ...


class Edits:
    def __init__(self, view: Changeable) -> None:
        self.v = view

    def run(self, op: ops.Operation) -> None:
        """Apply a new operation, record it for undo, update the DOM."""
        self._patch(op.apply(self.v.notebook))
        self.v.history.push(op)
        self.changed()

    def undo(self) -> None:
        self.flush()
        op = self.v.history.undo()
        if op is not None:
            self._after_history(op.revert(self.v.notebook))

    def redo(self) -> None:
        self.flush()
        op = self.v.history.redo()
        if op is not None:
            self._after_history(op.apply(self.v.notebook))

    def _patch(self, patch: ops.Patch) -> None:
        v = self.v
        rendered = dompatch.apply(v.dom, patch, v.notebook)
        v.active = max(0, min(v.active, len(v.cells) - 1))
        if rendered is not None:
            v.events.cells_rendered.emit(CellsRendered(*rendered))

    def _after_history(self, patch: ops.Patch) -> None:
        self._patch(patch)
        self.changed()
        target = dompatch.target(patch, self.v.cells)
        if target is not None and self.v.cells:
            self.v.select(target)

    def changed(self) -> None:
        self.v.anchors.reset()
        self.v.chrome.document_changed()
        self.v.events.changed.emit(DocumentChanged())

    def flush(self) -> bool:
        """Take the editors' pending text into the model (one undo entry per cell edited)."""
        v = self.v
        nb = v.notebook
        if nb is None:  # no document shown (the cells' DOM comes with the first one)
            return False
        flat = v.dom.ctl.takeChanges().to_py()
        edited = False
        names = False
        for i in range(0, len(flat), 2):
            cell = v.keys.cell(int(flat[i]))
            if cell is None or cell.source == flat[i + 1]:
                continue
            old = cell.source
            op = ops.SetSource(cell, old, flat[i + 1])
            op.apply(nb)
            v.history.push(op)
            edited = True
            names = names or (cell.kind == "code" and _base_name(old) != _base_name(cell.source))
        if names:
            v.refresh_names()
        if edited:
            self.changed()
        return edited

    def editor_changed(self) -> None:
        """The editor bundle reports edits (after a pause in typing): a JS callback, so nothing raises."""
        try:
            self.flush()
        except Exception:
            log_error()


def _base_name(source: str) -> str:
    """A code cell's generated name before de-duplication: only when it changes can names shown
    elsewhere change, so typing below the first command costs no O(n) name refresh."""
    try:
        from fenced.document import generated_name
    except ImportError:  # pragma: no cover - then always refresh
        return source
    return str(generated_name(source))
