"""Fences Runme leaves in the Markdown instead of making them cells (``ignore=true``, ``transform=false``,
``mermaid``): the rule, and finding them in a Markdown cell's text. Apart from the parser so that a cell
can ask for its own without the cell and parser modules importing each other.
"""

from __future__ import annotations

from .attributes import ParsedInfo, parse_bool, parse_info
from .scanner import normalize, scan

__all__ = ["ignored_fences", "is_ignored"]


def is_ignored(info: ParsedInfo) -> bool:
    """Runme keeps these fences in the Markdown instead of making them cells."""
    attrs = info.attributes
    if attrs:
        if parse_bool(attrs.get("ignore")):
            return True
        transform = parse_bool(attrs.get("transform"))
        if transform is not None:
            return not transform
    return info.language == "mermaid"


def ignored_fences(markdown: str) -> list[tuple[str, str]]:
    """``(name attribute, code)`` for each fence in ``markdown`` that stays Markdown."""
    if "```" not in markdown and "~~~" not in markdown:
        return []
    out = []
    for code in scan(normalize(markdown)).code:
        if code.markup:
            info = parse_info(code.info.strip(" \t"))
            if is_ignored(info):
                out.append((info.attributes.get("name", ""), code.content))
    return out
