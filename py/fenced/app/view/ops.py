"""Reversible notebook operations, each returning the `Patch` the view must make in the DOM. Pure: cells
are opaque objects (``fenced.document.Cell`` in the app, anything with the right attributes in tests) and
the document is anything with a ``cells`` list and a ``frontmatter`` attribute.

Applying then reverting an operation restores the exact objects and values, so an undone edit writes the
cell's original bytes again. `dompatch` mirrors each patch in the DOM (a `match` over the classes below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


class Doc(Protocol):
    cells: Any
    frontmatter: Any


# --- patches: what changed, for the DOM -----------------------------------------------------------------
# (NamedTuples rather than dataclasses: as cheap as tuples, and each class costs a third of a frozen
# dataclass in the boot snapshot's heap, which has little room; see docs/architecture.md.)


class Inserted(NamedTuple):
    """Cells ``start .. start + size - 1`` are new in the model."""

    start: int
    size: int


class Deleted(NamedTuple):
    """``size`` cells from ``start`` are gone from the model."""

    start: int
    size: int


class Moved(NamedTuple):
    src: int
    dst: int


class Replaced(NamedTuple):
    """The cell at ``at`` is another object (its kind changed)."""

    at: int


class SourceChanged(NamedTuple):
    cell: Any


class MetaChanged(NamedTuple):
    """A code cell's language and/or attributes."""

    cell: Any


class FrontmatterChanged(NamedTuple):
    """The frontmatter object or its text."""


Patch = Inserted | Deleted | Moved | Replaced | SourceChanged | MetaChanged | FrontmatterChanged


# --- operations -----------------------------------------------------------------------------------------


@dataclass
class InsertCells:
    index: int
    cells: list[Any]
    label: str = "Insert cell"

    def apply(self, doc: Doc) -> Patch:
        for i, cell in enumerate(self.cells):
            doc.cells.insert(self.index + i, cell)
        return Inserted(self.index, len(self.cells))

    def revert(self, doc: Doc) -> Patch:
        del doc.cells[self.index : self.index + len(self.cells)]
        return Deleted(self.index, len(self.cells))


@dataclass
class DeleteCells:
    index: int
    cells: list[Any]
    label: str = "Delete cell"

    def apply(self, doc: Doc) -> Patch:
        del doc.cells[self.index : self.index + len(self.cells)]
        return Deleted(self.index, len(self.cells))

    def revert(self, doc: Doc) -> Patch:
        for i, cell in enumerate(self.cells):
            doc.cells.insert(self.index + i, cell)
        return Inserted(self.index, len(self.cells))


@dataclass
class MoveCell:
    src: int
    dst: int
    label: str = "Move cell"

    def apply(self, doc: Doc) -> Patch:
        doc.cells.insert(self.dst, doc.cells.pop(self.src))
        return Moved(self.src, self.dst)

    def revert(self, doc: Doc) -> Patch:
        doc.cells.insert(self.src, doc.cells.pop(self.dst))
        return Moved(self.dst, self.src)


@dataclass
class ReplaceCell:
    """Swap a cell for another object (changing a cell's kind makes a new cell)."""

    index: int
    old: Any
    new: Any
    label: str = "Change cell type"

    def apply(self, doc: Doc) -> Patch:
        doc.cells[self.index] = self.new
        return Replaced(self.index)

    def revert(self, doc: Doc) -> Patch:
        doc.cells[self.index] = self.old
        return Replaced(self.index)


@dataclass
class SetSource:
    cell: Any
    old: str
    new: str
    label: str = "Edit text"

    def apply(self, doc: Doc) -> Patch:
        self.cell.source = self.new
        return SourceChanged(self.cell)

    def revert(self, doc: Doc) -> Patch:
        self.cell.source = self.old
        return SourceChanged(self.cell)


@dataclass
class SetMeta:
    """Language and/or attributes of a code cell (``None`` = leave that part alone)."""

    cell: Any
    old_language: str | None
    new_language: str | None
    old_attributes: dict[str, str] | None = None
    new_attributes: dict[str, str] | None = None
    label: str = "Change cell attributes"

    def _set(self, language: str | None, attributes: dict[str, str] | None) -> Patch:
        if language is not None and language != self.cell.language:
            self.cell.language = language
        if attributes is not None and dict(self.cell.attributes) != attributes:
            self.cell.attributes = dict(attributes)
        return MetaChanged(self.cell)

    def apply(self, doc: Doc) -> Patch:
        return self._set(self.new_language, self.new_attributes)

    def revert(self, doc: Doc) -> Patch:
        return self._set(self.old_language, self.old_attributes)


@dataclass
class SetFrontmatter:
    """Swap the frontmatter object; the raw texts restore objects edited in place."""

    old: Any
    old_raw: str | None
    new: Any
    new_raw: str | None
    label: str = "Edit frontmatter"

    @staticmethod
    def _set(doc: Doc, obj: Any, raw: str | None) -> Patch:
        doc.frontmatter = obj
        if obj is not None and raw is not None and obj.raw != raw:
            obj.raw = raw
        return FrontmatterChanged()

    def apply(self, doc: Doc) -> Patch:
        return self._set(doc, self.new, self.new_raw)

    def revert(self, doc: Doc) -> Patch:
        return self._set(doc, self.old, self.old_raw)


Operation = InsertCells | DeleteCells | MoveCell | ReplaceCell | SetSource | SetMeta | SetFrontmatter


def duplicate_attributes(attributes: dict[str, str], taken: set[str]) -> dict[str, str]:
    """Attributes for a copy of a cell: no ``id`` (ids are unique), and an explicit name made unique
    with ``-copy``, ``-copy-2``, ... against `taken` (generated names de-duplicate by themselves)."""
    out = {k: v for k, v in attributes.items() if k != "id"}
    name = out.get("name")
    if name:
        candidate, n = f"{name}-copy", 2
        while candidate in taken:
            candidate, n = f"{name}-copy-{n}", n + 1
        out["name"] = candidate
    return out


def clamp_move(index: int, delta: int, count: int) -> int | None:
    """Target index for moving cell `index` by `delta`, or None when it cannot move."""
    target = index + delta
    if not 0 <= index < count or not 0 <= target < count or target == index:
        return None
    return target
