"""The cells' side of the view: a stable key per cell object, and the cell elements in `.nb-cells`.

`CellKeys` (pure) gives every cell object shown a small integer key, the DOM's `data-key`: other rooms
keep their per-cell state (run output) under it, and it survives the cell's element being re-created
(undo of a delete, a move). Keys are never reused within a page, not even across documents.

`CellsDom` owns the cell elements and the editor bundle's controller (`ctl`, web/editor/index.js), which
mounts CodeMirror in them lazily: it renders cells as HTML (`cellhtml`, with the providers of
`cellparts`) and makes the DOM changes the `dompatch` patches call for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fenced.app.jsffi import opt, spawn
from fenced.document.naming import fallback_name, is_usable

from . import cellhtml, notices
from .cellparts import CellData, CellParts
from .images import ImageResolver, images_pending


def cell_role(cell: Any) -> str:
    """`runnable`, `sample` (output or a transcript: shown without a Run button) or `other`, by
    fenced.document.runnable's rule (shared with Run all and the CLI)."""
    from fenced.document.runnable import role

    return str(role(cell.language, cell.interpreter).value)


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
        self,
        root: Any,
        el: Any,
        ctl: Any,
        keys: CellKeys,
        parts: CellParts,
        images: ImageResolver,
        anchors_of: Callable[[Any], list[str]] = lambda _cell: [],
    ) -> None:
        self.root = root  # the view's root (#notebook): the document's own warning goes on it
        self.el = el  # .nb-cells: its children are the cells' <article>s, in the model's order
        self.ctl = ctl
        self.keys = keys
        self.parts = parts
        self.images = images
        self.anchors_of = anchors_of  # a Markdown cell's headings' anchors (the view's DocumentAnchors)
        # key -> the name shown and whether it was generated (generated names depend on other cells)
        self._names: dict[int, tuple[str, bool]] = {}
        self._fallbacks: dict[int, str] = {}  # id(cell) -> `cell-N` where Runme's name is not usable
        self._roles: dict[int, str] = {}  # key -> the role its markup was made for (run buttons or not)

    # --- markup -----------------------------------------------------------------------------------

    def data(self, cell: Any) -> CellData:
        key = self.keys.key(cell)
        if cell.kind == "code":
            name, generated = self._shown_name(cell, cell.name), bool(cell.name_generated)
            self._names[key] = (name, generated)
            role = cell_role(cell)
            self._roles[key] = role
            return CellData(
                key, "code", cell.source, cell.language, name, cell.attribute_problem or "", role, generated
            )
        return CellData(key, "markdown", cell.source)

    def _shown_name(self, cell: Any, runme_name: str) -> str:
        """Runme's name, or Fenced's `cell-N` fallback when Runme's is empty or punctuation only
        (fenced.document.catalog's rule: shown and accepted, never written)."""
        if is_usable(runme_name):
            return runme_name
        return self._fallbacks.get(id(cell), runme_name)

    def html(self, cells: Any, start: int = 0, whole: bool = False) -> str:
        """The cells' markup; `whole`: `cells` is the whole document (fallback names are counted)."""
        if whole:
            self._count_fallbacks(cells)
        return cellhtml.cells_html([self.data(c) for c in cells], start, self.parts)

    def _count_fallbacks(self, cells: Any) -> None:
        codes = [c for c in cells if c.kind == "code"]
        names = [c.name for c in codes]
        self._fallbacks = {}
        if all(is_usable(n) for n in names):
            return
        taken = set(names)
        for number, (cell, name) in enumerate(zip(codes, names, strict=True), start=1):
            if not is_usable(name):
                fallback = fallback_name(number, taken)
                taken.add(fallback)
                self._fallbacks[id(cell)] = fallback

    def show(self, cells: list[Any]) -> None:
        """Replace every cell element (a new document)."""
        self._names.clear()
        self._roles.clear()
        self.el.innerHTML = self.html(cells, whole=True)

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

    def role_changed(self, cell: Any) -> bool:
        """A code cell's role (runnable, sample, other) differs from the one its markup was made for:
        its element must be made again (the Run button comes or goes)."""
        return cell.kind == "code" and self._roles.get(self.keys.key(cell)) not in (None, cell_role(cell))

    def index_of(self, cell: Any) -> int | None:
        el = self.element_of(cell)
        return int(el.dataset.cellIndex) if el is not None else None

    def set_markdown_html(self, el: Any, cell: Any) -> None:
        from . import markdown  # imported with the first document, not at boot

        html = markdown.render(cell.source, self.anchors_of(cell))
        self.ctl.setHTML(el, html)
        if images_pending(html):
            spawn(self.images.resolve_in(el))

    def refresh_names(self, cells: Any) -> None:
        """Update generated names shown in the DOM (they depend on other cells)."""
        self._count_fallbacks(cells)
        for i, cell in enumerate(cells):
            if cell.kind != "code":
                continue
            key = self.keys.key(cell)
            shown = (self._shown_name(cell, cell.name), bool(cell.name_generated))
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
