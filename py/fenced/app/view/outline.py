"""Headings of the notebook's markdown cells, for the outline panel (pure, no `js`).

A line scanner rather than a Markdown parse: it has to be cheap on a 5,000-cell notebook and is only
used for navigation. It knows ATX and setext headings and skips fenced code; that is all an outline needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple


class Heading(NamedTuple):
    cell: int  # index of the markdown cell
    level: int
    text: str


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-+*>]|\d+[.)]|#|<|`{3}|~{3})|^ {4}")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_MARKS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")


def clean(text: str) -> str:
    """Heading text without the usual inline markup."""
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    for _ in range(3):
        new = _MARKS.sub(r"\2", text)
        if new == text:
            break
        text = new
    return text.replace("\\", "").strip()


def headings(cells: Iterable[tuple[int, str]]) -> list[Heading]:
    """Headings in `(index, markdown source)` pairs, in order."""
    return [Heading(index, level, text) for index, source in cells for level, text in cell_headings(source)]


class HeadingCache:
    """`headings` for a notebook's markdown cells, rescanning only the cells whose source changed since the
    last call: the open outline is rebuilt after each pause in typing, and rescanning every cell of a
    5,000-cell notebook in Pyodide took ~380 ms. Entries are keyed by the cell object and hold its source
    object: a changed source is a new str, so identity says whether an entry is current."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Any, str, list[tuple[int, str]]]] = {}

    def headings(self, cells: Iterable[tuple[int, Any]]) -> list[Heading]:
        """Headings in `(index, cell)` pairs (cells with a `source`), in order."""
        out: list[Heading] = []
        fresh: dict[int, tuple[Any, str, list[tuple[int, str]]]] = {}
        for index, cell in cells:
            entry = self._entries.get(id(cell))
            if entry is None or entry[0] is not cell or entry[1] is not cell.source:
                entry = (cell, cell.source, cell_headings(cell.source))
            fresh[id(cell)] = entry
            out.extend(Heading(index, level, text) for level, text in entry[2])
        self._entries = fresh
        return out


def cell_headings(source: str) -> list[tuple[int, str]]:
    """(level, text) of the headings in one markdown cell's source."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    prev = ""
    for line in source.split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if (
                m
                and m.group(1)[0] == fence[0]
                and len(m.group(1)) >= len(fence)
                and not line.strip()[len(m.group(1)) :].strip()
            ):
                fence = None
            prev = ""
            continue
        if m:
            fence = m.group(1)
            prev = ""
            continue
        atx = _ATX.match(line)
        if atx:
            out.append((len(atx.group(1)), clean(atx.group(2) or "")))
            prev = ""
            continue
        setext = _SETEXT.match(line)
        if setext and prev.strip() and not _NOT_PARAGRAPH.match(prev):
            out.append((1 if setext.group(1)[0] == "=" else 2, clean(prev)))
            prev = ""
            continue
        prev = line
    return out
