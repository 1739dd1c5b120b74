"""HTML for cells, built as strings (pure, no `js`): one `innerHTML` for a whole notebook is far
cheaper than thousands of DOM calls through the Python/JS bridge.

Test hooks live here: every cell is an ``<article class="cell">`` with ``data-cell-index``,
``data-cell-kind`` (``markdown``/``code``) and, for code, ``data-cell-name``. A code cell's text starts
as a static ``<pre>``; the editor bundle swaps in CodeMirror (``.cm-content``) when it is on screen.
Other rooms add to a code cell through `cellparts` (``.cell-toolbar``: fenced.app.run's Run/Stop buttons;
``.cell-gutter``, present only when a provider fills it), and ``.cell-output[data-output]`` is the cell's
output area, left empty and hidden for fenced.app.run to fill (issue 6).
"""

from __future__ import annotations

from html import escape

from .cellparts import CellData, CellParts, Provider
from .notices import cell_attrs_html, cell_note_html

__all__ = ["CellData", "actions_html", "cell_html", "cells_html", "code_label", "estimated_height"]

_NO_PARTS = CellParts()


def estimated_height(kind: str, source: str) -> int:
    """A guess of a cell's rendered height in px, for `contain-intrinsic-size` while it is off screen
    in a big notebook: good guesses keep the scroll bar honest and the page from jumping."""
    lines = source.split("\n")
    if kind == "code":
        return 44 + 19 * len(lines)
    h = 16
    for line in lines:
        stripped = line.strip()
        if not stripped:
            h += 8
        elif stripped.startswith("#"):
            h += 44
        else:
            h += 24 * (1 + len(line) // 110)
    return h


def code_label(name: str, language: str) -> str:
    return f"Code cell {name}" + (f" ({language})" if language else "")


def cell_html(c: CellData, index: int, parts: CellParts = _NO_PARTS) -> str:
    """The markup of one cell; `parts` fills the code cell's slots."""
    return _cell_html(c, index, parts.renderer("toolbar"), parts.renderer("gutter"))


def cells_html(cells: list[CellData], start: int = 0, parts: CellParts = _NO_PARTS) -> str:
    toolbar, gutter = parts.renderer("toolbar"), parts.renderer("gutter")
    return "".join(_cell_html(c, start + i, toolbar, gutter) for i, c in enumerate(cells))


def _cell_html(c: CellData, index: int, toolbar: Provider | None, gutter: Provider | None) -> str:
    if c.kind == "code":
        lang = escape(c.language)
        name = escape(c.name)
        side = f'<div class="cell-gutter">{gutter(c)}</div>' if gutter is not None else ""
        tools = toolbar(c) if toolbar is not None else ""
        return (
            f'<article class="cell cell-code" data-key="{c.key}" data-cell-index="{index}" data-cell-kind="code"'
            f' data-cell-name="{name}" data-lang="{lang}" data-state="idle" tabindex="-1"'
            f' style="--h:{estimated_height("code", c.source)}px"'
            f' aria-label="{escape(code_label(c.name, c.language))}"{cell_attrs_html(c.key, c.warning)}>{side}'
            f'<div class="cell-header"><span class="cell-lang">{lang or "text"}</span>'
            f'<span class="cell-name">{name}</span><div class="cell-toolbar">{tools}</div></div>'
            f"{cell_note_html(c.key, c.warning)}"
            f'<div class="cell-source"><pre class="cell-static"><code>{escape(c.source, quote=False)}</code></pre></div>'
            f'<div class="cell-output" data-output hidden></div></article>'
        )
    return (
        f'<article class="cell cell-markdown" data-key="{c.key}" data-cell-index="{index}"'
        f' data-cell-kind="markdown" tabindex="-1" aria-label="Markdown cell"'
        f' style="--h:{estimated_height("markdown", c.source)}px">'
        f'<div class="cell-source markdown-body" data-md="pending"><div class="md-pending">'
        f"{escape(c.source, quote=False)}</div></div></article>"
    )


# The actions bar moved into the active cell: (op, label, text, kinds it applies to)
CELL_ACTIONS: list[tuple[str, str, str, str]] = [
    ("edit", "Edit cell", "Edit", "markdown"),
    ("render", "Render cell", "Render", "markdown"),
    ("attributes", "Cell attributes", "Attributes…", "code"),
    ("language", "Change language", "Language…", "code"),
    ("move-up", "Move cell up", "↑", "both"),
    ("move-down", "Move cell down", "↓", "both"),
    ("duplicate", "Duplicate cell", "Duplicate", "both"),
    ("to-markdown", "Make Markdown cell", "To Markdown", "code"),
    ("to-code", "Make code cell", "To code", "markdown"),
    ("add-code-above", "Add code cell above", "+ Code ↑", "both"),
    ("add-code-below", "Add code cell below", "+ Code ↓", "both"),
    ("add-markdown-above", "Add Markdown cell above", "+ Text ↑", "both"),
    ("add-markdown-below", "Add Markdown cell below", "+ Text ↓", "both"),
    ("delete", "Delete cell", "Delete", "both"),
]


def actions_html() -> str:
    buttons = "".join(
        f'<button type="button" class="cell-action" data-op="{op}" data-for="{kinds}" aria-label="{escape(label)}"'
        f' title="{escape(label)}">{escape(text)}</button>'
        for op, label, text, kinds in CELL_ACTIONS
    )
    return f'<div class="cell-actions" role="toolbar" aria-label="Cell actions">{buttons}</div>'
