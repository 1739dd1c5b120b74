"""Warnings about a document's metadata, shown as soon as it is opened (issue 11: broken metadata is
never dropped without a word).

A code cell whose attribute block does not read (``Cell.attribute_problem``) carries ``data-warning``
with the message and a visible note under its header that the cell is described by; a document whose
frontmatter does not read (``Notebook.frontmatter_problem``) gets the same on ``#notebook`` and a note
above the cells. Both go away when an edit replaces the broken text, and come back with undo.
"""

from __future__ import annotations

from html import escape
from typing import Any

DOC_NOTE = "doc-warning"


def cell_note_id(key: int) -> str:
    return f"cell-warning-{key}"


def cell_note_html(key: int, message: str) -> str:
    """The visible note of a cell's warning (pure: part of the cell's HTML)."""
    if not message:
        return ""
    return (
        f'<p class="cell-warning" role="note" id="{cell_note_id(key)}">'
        f'<span aria-hidden="true">⚠ </span>{escape(message, quote=False)}</p>'
    )


def cell_attrs_html(key: int, message: str) -> str:
    """The cell element's attributes for its warning (pure)."""
    if not message:
        return ""
    return f' data-warning="{escape(message)}" aria-describedby="{cell_note_id(key)}"'


def update_cell(element: Any, key: int, message: str | None) -> None:
    """Show, change or remove a cell's warning in place (after an attribute edit or its undo)."""
    for old in element.querySelectorAll(":scope > .cell-warning"):
        old.remove()
    if not message:
        element.removeAttribute("data-warning")
        element.removeAttribute("aria-describedby")
        return
    element.dataset.warning = message
    element.setAttribute("aria-describedby", cell_note_id(key))
    element.querySelector(".cell-header").insertAdjacentHTML("afterend", cell_note_html(key, message))


def update_document(root: Any, cells: Any, message: str | None) -> None:
    """Show, change or remove the document's warning: ``data-warning`` on `root` (``#notebook``) and a
    note above `cells` (the cells' container)."""
    for old in cells.parentElement.querySelectorAll(f":scope > .{DOC_NOTE}"):
        old.remove()
    if not message:
        root.removeAttribute("data-warning")
        return
    root.dataset.warning = message
    cells.insertAdjacentHTML(
        "beforebegin",
        f'<div class="{DOC_NOTE}" role="note" aria-label="Document warning"><p>'
        f'<span aria-hidden="true">⚠ </span>{escape(message, quote=False)}</p></div>',
    )


def update_note(cells: Any, key: str, message: str | None) -> None:
    """Show, change or remove a note about the document above `cells` (e.g. the MDX note: what an MDX
    document shows as text): a `role=note` element carrying `data-note=key`."""
    for old in cells.parentElement.querySelectorAll(f':scope > .doc-note[data-note="{key}"]'):
        old.remove()
    if not message:
        return
    cells.insertAdjacentHTML(
        "beforebegin",
        f'<div class="doc-note" role="note" data-note="{escape(key)}" aria-label="About this document"><p>'
        f'<span aria-hidden="true">ⓘ </span>{escape(message, quote=False)}</p></div>',
    )
