"""The cells' side of the view: a stable key per cell object, and the cell elements in `.nb-cells`.

`CellKeys` (pure) gives every cell object shown a small integer key, the DOM's `data-key`: other rooms
keep their per-cell state (run output) under it, and it survives the cell's element being re-created
(undo of a delete, a move). Keys are never reused within a page, not even across documents.

`CellsDom` owns the cell elements and the editor bundle's controller (`ctl`, web/editor/index.js), which
mounts CodeMirror in them lazily: it renders cells as HTML (`cellhtml`, with the providers of
`cellparts`) and makes the DOM changes the `dompatch` patches call for.
"""

from __future__ import annotations

from typing import Any

from fenced.app.jsffi import opt, spawn

from . import cellhtml, notices
from .cellparts import CellData, CellParts
from .images import ImageResolver, images_pending


class CellKeys:
    def __init__(self) -> None:
        self._cells: dict[int, Any] = {}  # key -> cell
        self._keys: dict[int, int] = {}  # id(cell) -> key
        self._next = 0

    def key(self, cell: Any) -> int:
        k = self._keys.get(id(cell))
        if k is None:
            self._next += 1
            k = self._next
            self._keys[id(cell)] = k
            self._cells[k] = cell
        return k

    def cell(self, key: int) -> Any:
        """The cell with this key, or None."""
        return self._cells.get(key)

    def clear(self) -> None:
        """A new document: forget the old cells (their keys are not given out again)."""
        self._cells.clear()
        self._keys.clear()


class CellsDom:
    def __init__(
        self, root: Any, el: Any, ctl: Any, keys: CellKeys, parts: CellParts, images: ImageResolver
    ) -> None:
        self.root = root  # the view's root (#notebook): the document's own warning goes on it
        self.el = el  # .nb-cells: its children are the cells' <article>s, in the model's order
        self.ctl = ctl
        self.keys = keys
        self.parts = parts
        self.images = images
        # key -> the name shown and whether it was generated (generated names depend on other cells)
        self._names: dict[int, tuple[str, bool]] = {}

    # --- markup -----------------------------------------------------------------------------------

    def data(self, cell: Any) -> CellData:
        key = self.keys.key(cell)
        if cell.kind == "code":
            name, generated = cell.name, bool(cell.name_generated)
            self._names[key] = (name, generated)
            return CellData(
                key, "code", cell.source, cell.language, name, cell.attribute_problem or "", generated
            )
        return CellData(key, "markdown", cell.source)

    def html(self, cells: Any, start: int = 0) -> str:
        return cellhtml.cells_html([self.data(c) for c in cells], start, self.parts)

    def show(self, cells: list[Any]) -> None:
        """Replace every cell element (a new document)."""
        self._names.clear()
        self.el.innerHTML = self.html(cells)

    # --- finding elements ---------------------------------------------------------------------------

    def element(self, index: int) -> Any:
        return opt(self.el.children.item(index)) if index >= 0 else None

    def element_by_key(self, key: int) -> Any:
        return opt(self.el.querySelector(f'[data-key="{key}"]'))

    def element_of(self, cell: Any) -> Any:
        return self.element_by_key(self.keys.key(cell))

    # --- changes ----------------------------------------------------------------------------------

    def insert(self, index: int, cells: Any) -> None:
        """Render `cells` (the model's cells from `index` on) and put them in place."""
        html = self.html(cells, index)
        ref = self.element(index)
        if ref is None:
            self.el.insertAdjacentHTML("beforeend", html)
        else:
            ref.insertAdjacentHTML("beforebegin", html)
        for i in range(index, index + len(cells)):
            self.ctl.observe(self.element(i))
        self.ctl.renumber(index)

    def remove(self, index: int, count: int) -> None:
        for _ in range(count):
            el = self.element(index)
            self.ctl.forget(el)
            el.remove()
        self.ctl.renumber(index)

    def move(self, src: int, dst: int) -> None:
        el = self.element(src)
        el.remove()
        self.el.insertBefore(el, self.element(dst))
        self.ctl.renumber(min(src, dst))

    def replace(self, index: int, cell: Any) -> None:
        old = self.element(index)
        self.ctl.forget(old)
        old.insertAdjacentHTML("afterend", cellhtml.cell_html(self.data(cell), index, self.parts))
        old.remove()
        self.ctl.observe(self.element(index))

    def show_source(self, cell: Any) -> None:
        el = self.element_of(cell)
        if el is None:
            return
        if cell.kind == "markdown" and not el.classList.contains("editing"):
            self.set_markdown_html(el, cell)
        else:
            self.ctl.setText(el, cell.source)

    def show_meta(self, cell: Any) -> None:
        """A code cell's language and attributes changed: its language label and editor, its warning."""
        el = self.element_of(cell)
        if el is None:
            return
        if el.dataset.lang != cell.language:
            el.dataset.lang = cell.language
            el.querySelector(".cell-lang").textContent = cell.language or "text"
            self.ctl.relanguage(el)
        key = self.keys.key(cell)
        self._names.pop(key, None)
        notices.update_cell(el, key, cell.attribute_problem)

    def set_markdown_html(self, el: Any, cell: Any) -> None:
        from . import markdown  # imported with the first document, not at boot

        html = markdown.render(cell.source)
        self.ctl.setHTML(el, html)
        if images_pending(html):
            spawn(self.images.resolve_in(el))

    def refresh_names(self, cells: Any) -> None:
        """Update generated names shown in the DOM (they depend on other cells)."""
        for i, cell in enumerate(cells):
            if cell.kind != "code":
                continue
            key = self.keys.key(cell)
            shown = (cell.name, bool(cell.name_generated))
            if self._names.get(key) != shown:
                self._names[key] = shown
                name, generated = shown
                el = self.element(i)
                el.dataset.cellName = name
                label = el.querySelector(".cell-name")
                label.textContent = name
                label.className, title = cellhtml.name_attrs(generated)
                if title:
                    label.title = title
                else:
                    label.removeAttribute("title")
                el.setAttribute("aria-label", cellhtml.code_label(name, cell.language))
