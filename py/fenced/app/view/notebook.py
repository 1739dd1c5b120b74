"""NotebookView: shows a `fenced.document.Notebook` and turns edits into model changes.

Thin by design: DOM events (see `events`) become operations from `ops` applied to the model and pushed
on the `History`; each operation returns a patch that `dompatch` mirrors in the DOM. Heavy, frequent work
stays in the JS half of the editor bundle (lazy CodeMirror mounting, visibility, edit tracking); Python
is called per batch of cells coming into view and after a pause in typing, never per key press.
"""

from __future__ import annotations

import asyncio
import gc
import traceback
from collections.abc import Callable
from typing import Any

import js

from fenced.app import loader
from fenced.app.tasks import background

from . import bridge, cellhtml, dompatch, notices, ops
from .cellhtml import CellData
from .history import History
from .images import ImageResolver, images_pending
from .keymap import COMMAND, EDIT
from .sanitize import REL_SRC_ATTR

# Rendered Markdown cells showing a relative image (resolved, unavailable or pending): see `rename`.
IMAGE_CELLS = (
    '.cell[data-cell-kind="markdown"]:not(.editing):has(img[src^="blob:"], img.image-unavailable, '
    f"img[{REL_SRC_ATTR}])"
)
EAGER_LIMIT = 400  # notebooks up to this many cells get every editor mounted while the page is idle


class NotebookView:
    """The notebook editor: `show(text, name, folder)`, `text()`, `notebook`, `mark_saved()`;
    `on_change()` is called after every edit (typing: after a short pause)."""

    instance: NotebookView | None = None  # the page's view, for tests and the console

    def __init__(self, root: Any, on_change: Callable[[], None]) -> None:
        NotebookView.instance = self
        self.root = root
        self.on_change = on_change
        self.name = ""
        self.history: History[Any] = History()
        self.mode = COMMAND
        self.active = 0
        self._nb: Any = None
        self._ctl: Any = None
        self._cells_el: Any = None
        self._keys: dict[int, Any] = {}  # key -> cell
        self._key_of: dict[int, int] = {}  # id(cell) -> key
        self._next_key = 0
        self._names: dict[int, str] = {}  # key -> name shown
        self._proxies: list[Any] = []
        self._saved_len = 0
        self._chrome: Any = None  # panels.Chrome, created with the first document
        self.images = ImageResolver()
        self._frozen = False  # show() froze a document's objects (see the end of show)
        self.started = False  # show() was called (the idle warm-up stops then)
        self._install_test_hook()
        # The editor bundle's download starts now, while boot finishes (it is evaluated after, when the
        # shell is interactive: never in boot's way); warmup then readies it and Python for the first show.
        bridge.start_loading()
        from . import warmup

        background(warmup.run(self))

    # --- the contract ---------------------------------------------------------------------------

    @property
    def notebook(self) -> Any:
        return self._nb

    async def show(self, text: str, name: str, folder: object | None = None) -> None:
        """Parse `text` and render it, replacing the current document."""
        mark = js.performance.mark
        mark("view:show")
        self.started = True
        if self._frozen:
            gc.unfreeze()  # the previous document's objects may be collected again
        await loader.ensure_packages()
        bundle = bridge.start_loading()
        from fenced.document import loads

        self.root.dataset.viewState = "loading"
        mark("view:packages")
        nb = loads(text)
        mark("view:parsed")
        module = await bundle
        mark("view:bundle")
        self._ensure_ui(module)
        self._ctl.reset()
        self._nb, self.name = nb, name
        self.images.reset(bridge.opt(folder), name)
        self.history.clear()
        self._saved_len = 0
        self._keys.clear()
        self._key_of.clear()
        self._names.clear()
        self.mode, self.active = COMMAND, 0
        cells = list(nb.cells)
        html = cellhtml.cells_html([self._data(c) for c in cells])
        mark("view:html")
        self._cells_el.innerHTML = html
        mark("view:dom")
        self._chrome.document_shown()
        notices.update_document(self.root, self._cells_el, nb.frontmatter_problem)
        self.root.hidden = False
        js.document.body.dataset.view = "notebook"
        self._ctl.observeAll(len(cells) <= EAGER_LIMIT)
        if cells:
            self.select(0, focus=False, scroll=False)
        # A parsed 1 MB notebook is ~10^5 objects; a full GC pass over them (which Python may start in
        # any later call, e.g. mid-typing) takes tens of ms in Pyodide. Freezing moves them out of it.
        # Boot froze its own objects (fenced.app.boot), so for the first document this pass only
        # looks at what was made since; after an unfreeze above it is a full pass.
        gc.collect()
        gc.freeze()
        self._frozen = True
        mark("view:shown")

    def rename(self, name: str, folder: object | None = None) -> None:
        """The document was saved as another file: same cells and history, a new `name` (its path
        inside `folder`, if any). Rendered relative images are resolved again from the new place."""
        self.name = name
        if not self.images.rebase(bridge.opt(folder), name) or self._ctl is None:
            return
        for el in self._cells_el.querySelectorAll(IMAGE_CELLS):
            self._ctl.invalidate(el)

    def text(self) -> str:
        """The document as it would be saved (an unedited one is its original text)."""
        if self._nb is None:
            return ""
        self.flush()
        from fenced.document import dumps

        return dumps(self._nb)

    def mark_saved(self) -> None:
        self._saved_len = len(self.history)

    # --- set-up -----------------------------------------------------------------------------------

    def _ensure_ui(self, module: Any) -> None:
        if self._ctl is not None:
            return
        from .events import Events
        from .panels import Chrome

        self._chrome = Chrome(self)
        self._cells_el = self._chrome.cells
        callbacks, proxies = bridge.js_object(
            {
                "render": self._render_keys,
                "changed": self._editor_changed,
            }
        )
        self._proxies += proxies
        from .sanitize import policy

        self._ctl = module.createController(
            self._cells_el, callbacks, bridge.obj(stateEl=self.root, sanitize=policy())
        )
        self.events = Events(self)

    def _install_test_hook(self) -> None:
        """`window.fencedShowText(text, name)`: open a document without a file (tests, demos)."""
        from pyodide.ffi import create_proxy

        def show_text(text: str, name: str = "untitled.md") -> Any:
            return asyncio.ensure_future(self.show(str(text), str(name)))

        proxy = create_proxy(show_text)
        self._proxies.append(proxy)
        js.window.fencedShowText = proxy

    # --- cells and keys ---------------------------------------------------------------------------

    def key(self, cell: Any) -> int:
        k = self._key_of.get(id(cell))
        if k is None:
            self._next_key += 1
            k = self._next_key
            self._key_of[id(cell)] = k
            self._keys[k] = cell
        return k

    def _data(self, cell: Any) -> CellData:
        key = self.key(cell)
        if cell.kind == "code":
            name = cell.name
            self._names[key] = name
            return CellData(key, "code", cell.source, cell.language, name, cell.attribute_problem or "")
        return CellData(key, "markdown", cell.source)

    def element(self, index: int) -> Any:
        return bridge.opt(self._cells_el.children.item(index)) if index >= 0 else None

    def element_of(self, cell: Any) -> Any:
        return bridge.opt(self._cells_el.querySelector(f'[data-key="{self.key(cell)}"]'))

    def index_of(self, element: Any) -> int:
        return int(element.dataset.cellIndex)

    @property
    def chrome(self) -> Any:
        return self._chrome

    @property
    def cells(self) -> Any:
        return self._nb.cells if self._nb is not None else []

    # --- selection and modes ----------------------------------------------------------------------

    def select(self, index: int, focus: bool = True, scroll: bool = True) -> None:
        """Make cell `index` the active one (command mode focus goes to the cell element)."""
        n = len(self.cells)
        if n == 0:
            self.active = 0
            return
        index = max(0, min(index, n - 1))
        old = self.element(self.active) if self.active < n else None
        el = self.element(index)
        if old is not None and old is not el:
            old.classList.remove("active")
            old.tabIndex = -1
        el.classList.add("active")
        el.tabIndex = 0
        self.active = index
        self._chrome.attach_actions(el)
        if scroll:
            el.scrollIntoView(bridge.obj(block="nearest"))
        if focus:
            el.focus(bridge.obj(preventScroll=True))
            self.mode = COMMAND

    def edit(
        self, index: int | None = None, where: str = "", point: tuple[float, float] | None = None
    ) -> None:
        """Edit mode on a cell: focus its editor (a Markdown cell shows its source). `point`: the viewport
        position of a click on a code cell's static text, where the caret goes."""
        if index is None:
            index = self.active
        if not 0 <= index < len(self.cells):
            return
        cell, el = self.cells[index], self.element(index)
        offset = (
            bridge.opt(self._ctl.offsetAt(el, *point)) if point is not None and cell.kind == "code" else None
        )
        self.select(index, focus=False, scroll=True)
        if cell.kind == "markdown" and not el.classList.contains("editing"):
            el.classList.add("editing")
            self._ctl.mount(el, cell.source, True, where or "end")
        else:
            self._ctl.mount(el, None, True, where, offset)
        self.mode = EDIT

    def command_mode(self, advance: bool = False) -> None:
        """Leave the editor: render a Markdown cell being edited, focus the cell."""
        if not self.cells:
            return
        el = self.element(self.active)
        if el.classList.contains("editing"):
            self.render_markdown(self.active)
        else:
            self.flush()
        self.select(self.active + (1 if advance else 0))

    def render_markdown(self, index: int) -> None:
        self.flush()
        el = self.element(index)
        self._ctl.unmount(el, False)
        el.classList.remove("editing")
        self._set_markdown_html(el, self.cells[index])

    def _set_markdown_html(self, el: Any, cell: Any) -> None:
        from . import markdown  # imported with the first document, not at boot

        html = markdown.render(cell.source)
        self._ctl.setHTML(el, html)
        if images_pending(html):
            background(self.images.resolve_in(el))

    # --- model changes ----------------------------------------------------------------------------

    def run(self, op: Any) -> None:
        """Apply a new operation, record it for undo, update the DOM."""
        dompatch.apply(self, op.apply(self._nb))
        self.history.push(op)
        self.changed()

    def undo(self) -> None:
        self.flush()
        op = self.history.undo()
        if op is not None:
            self._after_history(op.revert(self._nb))

    def redo(self) -> None:
        self.flush()
        op = self.history.redo()
        if op is not None:
            self._after_history(op.apply(self._nb))

    def _after_history(self, patch: tuple[Any, ...]) -> None:
        dompatch.apply(self, patch)
        self.changed()
        target = dompatch.target(patch, self.cells)
        if target is not None and self.cells:
            self.select(target)

    def changed(self) -> None:
        self._chrome.document_changed()
        try:
            self.on_change()
        except Exception:
            js.console.error(traceback.format_exc())

    def flush(self) -> bool:
        """Take the editors' pending text into the model (one undo entry per cell edited)."""
        if self._ctl is None or self._nb is None:
            return False
        flat = self._ctl.takeChanges().to_py()
        edited = False
        names = False
        for i in range(0, len(flat), 2):
            cell = self._keys.get(int(flat[i]))
            if cell is None or cell.source == flat[i + 1]:
                continue
            old = cell.source
            op = ops.SetSource(cell, old, flat[i + 1])
            op.apply(self._nb)
            self.history.push(op)
            edited = True
            names = names or (cell.kind == "code" and _base_name(old) != _base_name(cell.source))
        if names:
            self.refresh_names()
        if edited:
            self.changed()
        return edited

    def _editor_changed(self) -> None:
        try:
            self.flush()
        except Exception:
            js.console.error(traceback.format_exc())

    def _render_keys(self, keys: Any) -> Any:
        """JS asks for the HTML of Markdown cells that came into view."""
        from . import markdown

        out: list[str | None] = []
        images: list[int] = []
        for k in keys.to_py():
            cell = self._keys.get(int(k))
            if cell is None or cell.kind != "markdown":
                out.append(None)
                continue
            try:
                html = markdown.render(cell.source)
            except Exception:
                js.console.error(traceback.format_exc())
                html = None
            if html and images_pending(html):
                images.append(int(k))
            out.append(html)
        if images:
            background(self._resolve_images(images))
        return bridge.js_list(out)

    async def _resolve_images(self, keys: list[int]) -> None:
        await asyncio.sleep(0)  # JS inserts the HTML after this call returns
        for k in keys:
            cell = self._keys.get(k)
            el = self.element_of(cell) if cell is not None else None
            if el is not None:
                await self.images.resolve_in(el)

    def refresh_names(self) -> None:
        """Update generated names shown in the DOM (they depend on other cells)."""
        for i, cell in enumerate(self.cells):
            if cell.kind != "code":
                continue
            key = self.key(cell)
            name = cell.name
            if self._names.get(key) != name:
                self._names[key] = name
                el = self.element(i)
                el.dataset.cellName = name
                el.querySelector(".cell-name").textContent = name
                el.setAttribute("aria-label", cellhtml.code_label(name, cell.language))


def _base_name(source: str) -> str:
    """A code cell's generated name before de-duplication: only when it changes can names shown
    elsewhere change, so typing below the first command costs no O(n) name refresh."""
    try:
        from fenced.document import generated_name
    except ImportError:  # pragma: no cover - then always refresh
        return source
    return generated_name(source)
