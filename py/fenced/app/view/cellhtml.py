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

from .cellparts import CellAction, CellData, CellParts, Provider
from .notices import cell_attrs_html, cell_note_html

__all__ = [
    "CellAction",
    "CellData",
    "actions_html",
    "cell_html",
    "cells_html",
    "code_label",
    "estimated_height",
    "name_html",
]

_NO_PARTS = CellParts()
GENERATED_NAME_TIP = "generated from the first line; set a name"


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


def name_attrs(generated: bool) -> tuple[str, str]:
    """(class, title) of a code cell's name: a name Fenced made up from the first line is dimmed and says so
    (as Runme does), so that nobody takes it for one the author chose."""
    return ("cell-name generated", GENERATED_NAME_TIP) if generated else ("cell-name", "")


def name_html(name: str, generated: bool) -> str:
    cls, title = name_attrs(generated)
    tip = f' title="{title}"' if title else ""
    return f'<span class="{cls}"{tip}>{escape(name)}</span>'


def cell_html(c: CellData, index: int, parts: CellParts = _NO_PARTS) -> str:
    """The markup of one cell; `parts` fills the code cell's slots."""
    return _cell_html(c, index, parts.renderer("toolbar"), parts.renderer("gutter"))


def cells_html(cells: list[CellData], start: int = 0, parts: CellParts = _NO_PARTS) -> str:
    toolbar, gutter = parts.renderer("toolbar"), parts.renderer("gutter")
    return "".join(_cell_html(c, start + i, toolbar, gutter) for i, c in enumerate(cells))


# A sample-output block (```text, ```output, ```console...: fenced.document.runnable) is shown, not run.
SAMPLE_TAG = '<span class="cell-sample" title="Sample output: shown, not run">sample</span>'


def _cell_html(c: CellData, index: int, toolbar: Provider | None, gutter: Provider | None) -> str:
    if c.kind == "code":
        lang = escape(c.language)
        name = escape(c.name)
        side = f'<div class="cell-gutter">{gutter(c)}</div>' if gutter is not None else ""
        tools = toolbar(c) if toolbar is not None else ""
        return (
            f'<article class="cell cell-code" data-key="{c.key}" data-cell-index="{index}" data-cell-kind="code"'
            f' data-cell-name="{name}" data-cell-role="{escape(c.role)}" data-lang="{lang}" data-state="idle"'
            ' tabindex="0"'
            f' style="--h:{estimated_height("code", c.source)}px"'
            f' aria-label="{escape(code_label(c.name, c.language))}"{cell_attrs_html(c.key, c.warning)}>{side}'
            f'<div class="cell-header"><span class="cell-lang">{lang or "text"}</span>{SAMPLE_TAG if c.role == "sample" else ""}'
            f'{name_html(c.name, c.name_generated)}<div class="cell-toolbar">{tools}</div></div>'
            f"{cell_note_html(c.key, c.warning)}"
            f'<div class="cell-source"><pre class="cell-static"><code>{escape(c.source, quote=False)}</code></pre></div>'
            f'<div class="cell-output" data-output hidden></div></article>'
        )
    return (
        f'<article class="cell cell-markdown" data-key="{c.key}" data-cell-index="{index}"'
        f' data-cell-kind="markdown" tabindex="0" aria-label="Markdown cell"'
        f' style="--h:{estimated_height("markdown", c.source)}px">'
        f'<div class="cell-source markdown-body" data-md="pending"><div class="md-pending">'
        f"{escape(c.source, quote=False)}</div></div></article>"
    )


# Shown on the selected or hovered cell: at most four, as in VS Code's and JupyterLab's cell toolbars.
BAR_ACTIONS: list[CellAction] = [
    CellAction("edit", "Edit cell", "edit", "markdown", "Enter"),
    CellAction("render", "Render cell", "check", "markdown", "Ctrl+Enter"),
    CellAction("move-up", "Move cell up", "arrow-up", "both", "Alt+↑"),
    CellAction("move-down", "Move cell down", "arrow-down", "both", "Alt+↓"),
    CellAction("delete", "Delete cell", "trash", "both", "D, D"),
]
# The "…" menu; other rooms add theirs (fenced.app.run: run above/below, output) with `CellMenu.add`.
MENU_ACTIONS: list[CellAction] = [
    CellAction("attributes", "Cell attributes…", "gear", "code"),
    CellAction("language", "Change language…", "code", "code"),
    CellAction("duplicate", "Duplicate cell", "copy", "both"),
    CellAction("to-markdown", "Make Markdown cell", "markdown", "code", "M"),
    CellAction("to-code", "Make code cell", "code", "markdown", "Y"),
    CellAction("add-code-above", "Add code cell above", "add", "both", "A"),
    CellAction("add-code-below", "Add code cell below", "add", "both", "B"),
    CellAction("add-markdown-above", "Add Markdown cell above", "markdown", "both"),
    CellAction("add-markdown-below", "Add Markdown cell below", "markdown", "both"),
]
# Every op the bar and the menu may ask for (tests/app/test_view_commands.py checks they are commands).
CELL_ACTIONS = [*BAR_ACTIONS, *MENU_ACTIONS]
MENU_ID = "cell-menu"


def _tip(a: CellAction) -> str:
    return f"{a.label} ({a.shortcut})" if a.shortcut else a.label


def _action_button(a: CellAction, cls: str) -> str:
    """An icon button whose accessible name is its (visually hidden, in the bar) text."""
    return (
        f'<button type="button" class="{cls}" data-op="{a.op}" data-for="{a.kinds}" data-icon="{a.icon}"'
        f' title="{escape(_tip(a))}"><span class="label">{escape(a.label)}</span></button>'
    )


def actions_html(menu: list[CellAction] | None = None) -> str:
    """The one cell actions bar (moved into the selected or hovered cell) with its "…" menu, a popover."""
    items = "".join(_action_button(a, "menu-item") for a in (menu if menu is not None else MENU_ACTIONS))
    return (
        '<div class="cell-actions" role="toolbar" aria-label="Cell actions">'
        + "".join(_action_button(a, "cell-action") for a in BAR_ACTIONS)
        + f'<button type="button" class="cell-action more" popovertarget="{MENU_ID}" data-icon="ellipsis"'
        ' title="More cell actions"><span class="label">More cell actions</span></button>'
        f'<div id="{MENU_ID}" class="menu cell-menu" popover>{items}</div></div>'
    )
