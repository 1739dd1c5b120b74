"""Headings of the notebook's markdown cells, for the outline panel (pure, no `js`).

A line scanner rather than a Markdown parse: it has to be cheap on a 5,000-cell notebook and is only
used for navigation. It knows ATX and setext headings and skips fenced code; that is all an outline needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple


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
    out: list[Heading] = []
    for index, source in cells:
        fence: str | None = None
        prev = ""
        for line in source.split("\n"):
            m = _FENCE.match(line)
            if fence is not None:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):].strip():
                    fence = None
                prev = ""
                continue
            if m:
                fence = m.group(1)
                prev = ""
                continue
            atx = _ATX.match(line)
            if atx:
                out.append(Heading(index, len(atx.group(1)), clean(atx.group(2) or "")))
                prev = ""
                continue
            setext = _SETEXT.match(line)
            if setext and prev.strip() and not _NOT_PARAGRAPH.match(prev):
                out.append(Heading(index, 1 if setext.group(1)[0] == "=" else 2, clean(prev)))
                prev = ""
                continue
            prev = line
    return out
