"""DOM patches: the operations in `ops` return what changed (`ops.Patch`); this mirrors it in the cells' DOM.

Commands flush editor text into the model before they run an operation, so an element removed here
carries no edit the model has not seen (the editor bundle's `forget` drops it).
"""

from __future__ import annotations

from typing import Any

from . import notices
from .cells import CellsDom
from .ops import Deleted, FrontmatterChanged, Inserted, MetaChanged, Moved, Patch, Replaced, SourceChanged


def apply(dom: CellsDom, patch: Patch, notebook: Any) -> tuple[int, int] | None:
    """Mirror one operation's patch in the DOM (`notebook`: the model, already changed). Returns the
    range (index, count) of cells that got new elements, if any."""
    cells = notebook.cells
    match patch:
        case Inserted(index, count):
            dom.insert(index, cells[index : index + count])
            dom.refresh_names(cells)
            return index, count
        case Deleted(index, count):
            dom.remove(index, count)
            dom.refresh_names(cells)
        case Moved(src, dst):
            dom.move(src, dst)
            dom.refresh_names(cells)
        case Replaced(index):
            dom.replace(index, cells[index])
            dom.refresh_names(cells)
            return index, 1
        case SourceChanged(cell):
            dom.show_source(cell)
            if cell.kind == "code":
                dom.refresh_names(cells)
        case MetaChanged(cell):
            if dom.role_changed(cell):  # a sample became a command (or back): its Run button comes or goes
                at = dom.index_of(cell)
                if at is not None:
                    dom.replace(at, cell)
                    dom.refresh_names(cells)
                    return at, 1
            dom.show_meta(cell)
            dom.refresh_names(cells)
        case FrontmatterChanged():  # the chrome reads the frontmatter itself when its dialog opens
            notices.update_document(dom.root, dom.el, notebook.frontmatter_problem)
    return None


def target(patch: Patch, cells: Any) -> int | None:
    """Where the selection goes after undo/redo: the cell the operation touched."""
    match patch:
        case Inserted(index) | Replaced(index):
            return index
        case Deleted(index):
            return min(index, len(cells) - 1)
        case Moved(_, dst):
            return dst
        case SourceChanged(cell) | MetaChanged(cell):
            return next((i for i, c in enumerate(cells) if c is cell), None)
    return None
