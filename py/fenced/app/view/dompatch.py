"""DOM patches: the operations in `ops` return what changed; this mirrors it in the notebook's DOM.

Commands flush editor text into the model before they run an operation, so an element removed here
carries no edit the model has not seen (the editor bundle's `forget` drops it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import cellhtml, notices

if TYPE_CHECKING:
    from .notebook import NotebookView


def apply(v: NotebookView, patch: tuple[Any, ...]) -> None:
    """Mirror one operation's patch in the DOM."""
    kind = patch[0]
    if kind == "group":
        for p in patch[1]:
            apply(v, p)
    elif kind == "insert":
        insert_elements(v, patch[1], patch[2])
    elif kind == "delete":
        index, count = patch[1], patch[2]
        for _ in range(count):
            el = v.element(index)
            v._ctl.forget(el)
            el.remove()
        v._ctl.renumber(index)
        v.refresh_names()
        v.active = max(0, min(v.active, len(v.cells) - 1))
    elif kind == "move":
        src, dst = patch[1], patch[2]
        el = v.element(src)
        el.remove()
        ref = v.element(dst)
        v._cells_el.insertBefore(el, ref)
        v._ctl.renumber(min(src, dst))
        v.refresh_names()
    elif kind == "replace":
        index = patch[1]
        old = v.element(index)
        v._ctl.forget(old)
        old.insertAdjacentHTML("afterend", cellhtml.cell_html(v._data(v.cells[index]), index))
        old.remove()
        v._ctl.observe(v.element(index))
        v.refresh_names()
    elif kind == "source":
        cell = patch[1]
        el = v.element_of(cell)
        if el is not None:
            if cell.kind == "markdown" and not el.classList.contains("editing"):
                v._set_markdown_html(el, cell)
            else:
                v._ctl.setText(el, cell.source)
            if cell.kind == "code":
                v.refresh_names()
    elif kind == "meta":
        cell = patch[1]
        el = v.element_of(cell)
        if el is not None:
            if el.dataset.lang != cell.language:
                el.dataset.lang = cell.language
                el.querySelector(".cell-lang").textContent = cell.language or "text"
                v._ctl.relanguage(el)
            v._names.pop(v.key(cell), None)
            v.refresh_names()
            notices.update_cell(el, v.key(cell), cell.attribute_problem)
    elif kind == "frontmatter":  # the chrome reads the frontmatter itself when its dialog opens
        notices.update_document(v.root, v._cells_el, v.notebook.frontmatter_problem)


def insert_elements(v: NotebookView, index: int, count: int) -> None:
    """Render cells [index, index + count) of the model and put them in place."""
    html = cellhtml.cells_html([v._data(c) for c in v.cells[index : index + count]], index)
    ref = v.element(index)
    if ref is None:
        v._cells_el.insertAdjacentHTML("beforeend", html)
    else:
        ref.insertAdjacentHTML("beforebegin", html)
    for i in range(index, index + count):
        v._ctl.observe(v.element(i))
    v._ctl.renumber(index)
    v.refresh_names()


def target(patch: tuple[Any, ...], cells: Any) -> int | None:
    """Where the selection goes after undo/redo: the cell the operation touched."""
    kind = patch[0]
    if kind == "group":
        targets = [target(p, cells) for p in patch[1]]
        return next((t for t in reversed(targets) if t is not None), None)
    if kind in ("insert", "replace"):
        return patch[1]
    if kind == "delete":
        return min(patch[1], len(cells) - 1)
    if kind == "move":
        return patch[2]
    if kind in ("source", "meta"):
        for i, c in enumerate(cells):
            if c is patch[1]:
                return i
    return None
