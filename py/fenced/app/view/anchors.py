"""Heading anchors and what a link in a document points at (pure, no `js`).

Headings get ids as GitHub gives them (github-slugger's rules): the heading's text lowercased, with
everything but letters, digits, marks, `_`, `-` and spaces removed, spaces turned into `-`; a repeated
slug gets `-1`, `-2`... in document order. Like GitHub, the element's id carries a `user-content-` prefix
(`id="user-content-install"`), so a document can never take an id the page itself uses (`#messages`,
`#notebook`...); a `#install` link finds it through `DocumentAnchors`, not through the browser.

Slugs are counted over the whole document (cells are rendered one by one, lazily, and a document often
repeats a heading in different cells), from the outline's line scanner (`outline.cell_headings`); a
heading the scanner does not see (one inside a block quote) is slugged on its own by the renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal
from urllib.parse import unquote

from .outline import cell_headings

PREFIX = "user-content-"
LinkKind = Literal["fragment", "relative", "external"]


def slug(text: str) -> str:
    """GitHub's anchor for a heading's text (before de-duplication)."""
    import unicodedata  # a C extension with big tables: not in the boot snapshot's heap

    out: list[str] = []
    for ch in text.lower():
        if ch == " ":
            out.append("-")
        elif ch in "-_" or ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out.append(ch)
    return "".join(out)


class Slugger:
    """De-duplicates slugs in document order: `notes`, `notes-1`, `notes-2` (github-slugger)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def next(self, text: str) -> str:
        base = slug(text)
        result = base
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result


class DocumentAnchors:
    """Every heading's anchor in the document shown: the anchors of each markdown cell, in order, and the
    cell a `#fragment` names. Built as far as it is asked (a cell's anchors depend only on the cells
    above it, and a 5,000-cell notebook rendered from the top should not scan its end first); each
    cell's headings are scanned once per source (`reset` after an edit re-counts, it does not re-scan)."""

    def __init__(self) -> None:
        self._scanned: dict[int, tuple[Any, str, list[str]]] = {}  # id(cell) -> (cell, source, texts)
        self.reset()

    def reset(self) -> None:
        """The document changed (or another was shown): count again from the top when next asked."""
        self._slugger = Slugger()
        self._upto = 0
        self._by_cell: dict[int, list[str]] = {}
        self._cell_of: dict[str, int] = {}

    def forget(self) -> None:
        """Another document: drop the scanned headings too."""
        self._scanned.clear()
        self.reset()

    def _texts(self, cell: Any) -> list[str]:
        entry = self._scanned.get(id(cell))
        if entry is None or entry[0] is not cell or entry[1] is not cell.source:
            entry = (cell, cell.source, [text for _level, text in cell_headings(cell.source)])
            self._scanned[id(cell)] = entry
        return entry[2]

    def _extend(self, cells: Sequence[Any], upto: int) -> None:
        end = min(upto, len(cells))
        for index in range(self._upto, end):
            cell = cells[index]
            if cell.kind != "markdown":
                continue
            for text in self._texts(cell):
                anchor = self._slugger.next(text)
                self._by_cell.setdefault(index, []).append(anchor)
                self._cell_of.setdefault(anchor, index)
        self._upto = max(self._upto, end)

    def of_cell(self, cells: Sequence[Any], index: int) -> list[str]:
        """The anchors of cell `index`'s headings, in order."""
        self._extend(cells, index + 1)
        return self._by_cell.get(index, [])

    def find(self, cells: Sequence[Any], fragment: str) -> tuple[int, int] | None:
        """(cell index, which of its headings) that a `#fragment` names, or None. Tried as written,
        decoded, lowercased, then slugged as a heading's text would be (`#Install Linux`)."""
        self._extend(cells, len(cells))
        raw = fragment.lstrip("#")
        if raw.startswith(PREFIX):
            raw = raw[len(PREFIX) :]
        for candidate in (raw, unquote(raw), unquote(raw).lower(), slug(unquote(raw))):
            index = self._cell_of.get(candidate)
            if index is not None:
                return index, self._by_cell[index].index(candidate)
        return None


def link_kind(href: str) -> LinkKind:
    """`fragment` (`#part`), `relative` (a path in the document's own tree: `other.md`, `../install`,
    `/installation`; followed inside Fenced) or `external` (a scheme, or `//host`: opened in a new tab)."""
    h = href.strip()
    if h.startswith("#"):
        return "fragment"
    if h.startswith(("//", "\\\\")):
        return "external"
    head = h.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" in head:
        return "external"
    return "relative"
