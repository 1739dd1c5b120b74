"""Find within the notebook (pure): matches in cell sources, and offsets the browser understands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

MAX_MATCHES = 10_000


class Match(NamedTuple):
    cell: int
    start: int  # code point offsets in the cell's source
    end: int


def find_all(
    sources: Sequence[str], query: str, case_sensitive: bool = False, limit: int = MAX_MATCHES
) -> list[Match]:
    """Every non-overlapping occurrence of `query`, in document order (at most `limit`)."""
    if not query:
        return []
    needle = query if case_sensitive else query.casefold()
    out: list[Match] = []
    for index, source in enumerate(sources):
        hay = source if case_sensitive else _fold(source)
        if hay is None:  # casefold changed lengths (e.g. "ß"): fall back to lower()
            hay, needle_here = source.lower(), query.lower()
        else:
            needle_here = needle
        pos = hay.find(needle_here)
        while pos >= 0:
            out.append(Match(index, pos, pos + len(needle_here)))
            if len(out) >= limit:
                return out
            pos = hay.find(needle_here, pos + max(1, len(needle_here)))
    return out


def _fold(text: str) -> str | None:
    folded = text.casefold()
    return folded if len(folded) == len(text) else None


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 offset (what JavaScript and CodeMirror count) of code point offset `index`."""
    head = text[:index]
    return index + sum(1 for ch in head if ord(ch) > 0xFFFF)
