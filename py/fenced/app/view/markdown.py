"""Markdown cell rendering: markdown-it-py (CommonMark + GFM tables + strikethrough), then sanitised.

Pure Python so it is tested under CPython; the browser calls `render()` for cells as they scroll into
view. markdown-it's own link validation (no ``javascript:``/``vbscript:``/``file:`` links) is a first
layer; `sanitize` is the one that matters for raw HTML in the document.
"""

from __future__ import annotations

from typing import Any

from .sanitize import sanitize

_md: Any = None


def _renderer() -> Any:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        _md.enable(["table", "strikethrough"])
        from fenced.document.scanner import quiet_markdown_it_debug_logs

        quiet_markdown_it_debug_logs()
    return _md


def render(source: str) -> str:
    """Safe HTML for a markdown cell's source."""
    try:
        html = _renderer().render(source)
    except Exception:  # a renderer bug must not lose the cell: show its text
        from html import escape

        html = f"<pre>{escape(source)}</pre>"
    return sanitize(html)
