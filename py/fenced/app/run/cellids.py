"""Which cell a saved run belongs to: a cell's identity, never its position (issue 11, item 9).

The run state kept across reloads and file switches (controller.Controller.state) says which execution
each cell showed. Matched by position, a new unsaved cell's output landed on whatever cell took its
place after a reload (a ```text sample at the same index). Matched by identity, a run whose cell is
gone is dropped.

A code cell's identity is decided the first time the run room sees it, and kept as long as the cell
object lives (so typing in a cell, or inserting cells above it, does not change it):
- `name:NAME` for a cell with a `name` attribute, `id:ID` for one with Runme's `id` attribute;
- `gen:NAME` for any other cell read from the file: Runme's generated name as the file had it (unique in
  the document: Runme de-duplicates with `-2`...), which a reload of the same file gives it again;
- `new:<random id>` for a cell made in this page (`+ Code`, a duplicate, a changed kind): kept in memory
  and in the run state only, never written to the file, and found again by nothing after a reload.

Pure (no `js`): tested under CPython. Cells are any objects with `kind`, `name`, `is_new` and
`current_attributes()` (fenced.document.Cell).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_DOCUMENTS = 32  # notebooks whose cells' identities are kept (the open editors, and a few more)


def _random_id() -> str:
    """Random and unique enough for a page (not a ULID: python-ulid is not in the boot snapshot)."""
    return os.urandom(10).hex()


def file_identity(cell: Any) -> str:
    """The identity of a cell read from the file (see the module's docstring)."""
    attrs = cell.current_attributes()
    if attrs.get("name"):
        return f"name:{attrs['name']}"
    if attrs.get("id"):
        return f"id:{attrs['id']}"
    return f"gen:{cell.name}"


class CellIds:
    """Identities of the cells of the notebooks shown (kept per notebook object, while it lives)."""

    def __init__(self, new_id: Callable[[], str] = _random_id) -> None:
        self._new_id = new_id
        # id(notebook) -> (notebook, {id(cell): (cell, identity)}); the objects are held so ids stay theirs.
        self._docs: OrderedDict[int, tuple[Any, dict[int, tuple[Any, str]]]] = OrderedDict()

    def _cells(self, notebook: Any) -> dict[int, tuple[Any, str]]:
        entry = self._docs.get(id(notebook))
        if entry is None or entry[0] is not notebook:
            entry = (notebook, {})
            self._docs[id(notebook)] = entry
            while len(self._docs) > MAX_DOCUMENTS:
                self._docs.popitem(last=False)
        else:
            self._docs.move_to_end(id(notebook))
        return entry[1]

    def learn(self, notebook: Any) -> None:
        """A notebook is shown: give its code cells their identities now, before any edit (a cell read
        from the file is known by its name as the file has it)."""
        for cell in notebook.cells:
            if cell.kind == "code":
                self.of(notebook, cell)

    def of(self, notebook: Any, cell: Any) -> str:
        """The identity of `cell` in `notebook` (decided on first sight, then kept)."""
        cells = self._cells(notebook)
        entry = cells.get(id(cell))
        if entry is not None and entry[0] is cell:
            return entry[1]
        identity = f"new:{self._new_id()}" if cell.is_new else file_identity(cell)
        cells[id(cell)] = (cell, identity)
        return identity
