"""NotebookView: shows a `fenced.document.Notebook` and turns edits into model changes.

Thin by design: DOM events (see `listeners`) become commands (`commands`, dispatched by name through the
`commandtable`) that apply operations from `ops` to the model and push them on the `History`; each
operation returns a patch that `dompatch` mirrors in the cells' DOM (`cells`). Heavy, frequent work stays
in the JS half of the editor bundle (lazy CodeMirror mounting, visibility, edit tracking); Python is
called per batch of cells coming into view and after a pause in typing, never per key press.

Other rooms extend the view only through its extension points: `events` (typed signals: `shown`,
`renamed`, `changed`, `cells_rendered`), `cell_parts` (HTML providers for slots of a code cell) and
`commands` (the page's command table, which the keymap, the toolbars and the palette share).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import js

from fenced.app import loader
from fenced.app.jsffi import js_list, js_object, log_error, obj, opt, spawn

from . import bridge, dompatch, notices, ops
from .anchors import DocumentAnchors, link_kind
from .cellparts import CellParts
from .cells import CellKeys, CellsDom
from .commands import ViewCommands
from .commandtable import CommandTable
from .events import (
    CellsRendered,
    DocumentChanged,
    DocumentClosed,
    DocumentRef,
    DocumentRenamed,
    DocumentShown,
    LinkOpened,
    ParkedDocument,
    ViewEvents,
)
from .history import History
from .images import ImageResolver, images_pending
from .keymap import COMMAND, EDIT, Mode
from .sanitize import REL_SRC_ATTR

# Rendered Markdown cells showing a relative image (resolved, unavailable or pending): see `rename`.
IMAGE_CELLS = (
    '.cell[data-cell-kind="markdown"]:not(.editing):has(img[src^="blob:"], img.image-unavailable, '
    f"img[{REL_SRC_ATTR}])"
)
MDX_NOTE = "mdx-note"
EAGER_LIMIT = 400  # notebooks up to this many cells get every editor mounted while the page is idle


class NotebookView:
    """The notebook editor: `show(text, doc)`, `rename(doc)`, `text()`, `notebook`, `mark_saved()`."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.events = ViewEvents(on_error=lambda _name: log_error())
        self.cell_parts = CellParts()
        self.commands = CommandTable(lambda: self._nb is not None)
        self.commands.add(*ViewCommands(self).commands())
        from .shell import Shell

        self.shell = Shell(self.commands, self._sidebar_changed)
        self.doc: DocumentRef | None = None
        self.history: History[ops.Operation] = History()
        self.mode: Mode = COMMAND
        self.active = 0
        self.keys = CellKeys()
        self.images = ImageResolver()
        self.anchors = DocumentAnchors()  # the headings' anchors of the document shown
        self._nb: Any = None
        self._dom: CellsDom | None = None  # with the first document (it needs the editor bundle)
        self._chrome: Any = None  # panels.Chrome, created with the first document
        self._palette: Any = None  # palette.Palette, created when first opened
        self._listeners: Any = None  # listeners.Listeners, with the first document
        self._saved_len = 0
        self._frozen = False  # show() froze a document's objects (see the end of show)
        self.started = False  # show() was called (the idle warm-up stops then)
        # The editor bundle's download starts now, while boot finishes (it is evaluated after, when the
        # shell is interactive: never in boot's way); warmup then readies it and Python for the first show.
        bridge.start_loading()
        from . import warmup

        spawn(warmup.run(self))

    # --- the contract ---------------------------------------------------------------------------

    @property
    def notebook(self) -> Any:
        return self._nb

    @property
    def name(self) -> str:
        """What the document is called: its path in the opened folder, else its file name ("" for none)."""
        return self.doc.shown_name if self.doc is not None else ""

    async def show(self, text: str, doc: DocumentRef) -> None:
        """Parse `text` and render it, replacing the current document; then emit `events.shown`."""
        js.performance.mark("view:show")
        self.started = True
        await loader.ensure_packages()
        if '"fencedOutput"' in text:  # outputs in the file: folding them needs fenced.document.inline,
            await loader.ensure_modules()  # which the boot snapshot leaves out (see markdown.render)
        bridge.start_loading()
        from fenced.document import loads

        self.root.dataset.viewState = "loading"
        js.performance.mark("view:packages")
        nb = loads(text)
        js.performance.mark("view:parsed")
        await self._present(nb, doc, None)

    def park(self) -> ParkedDocument | None:
        """Take the document shown out of the view as it is (cells, undo history, selection, scroll), for
        `resume` later: fenced.app.files keeps each open document this way while another is shown, so
        switching files keeps edits in memory rather than turning them into drafts. None: no document."""
        if self._nb is None or self.doc is None:
            return None
        text = self.text()  # takes the editors' pending text into the model first
        return ParkedDocument(
            self.doc,
            self._nb,
            text,
            self.history,
            self._saved_len,
            self.active,
            float(js.window.scrollY),
            self.images.remote_allowed,
        )

    async def resume(self, parked: ParkedDocument) -> None:
        """Show a parked document again, as it was; then emit `events.shown` (its cells got new elements,
        so every room puts back what it had in them)."""
        self.started = True
        self.root.dataset.viewState = "loading"
        await self._present(parked.notebook, parked.doc, parked)

    def close(self) -> None:
        """Show no document (the last open one was closed); emit `events.closed`."""
        doc = self.doc
        if self._nb is None or doc is None:
            return
        self.flush()
        if self._dom is not None:
            self._dom.ctl.reset()
            self._dom.el.replaceChildren()
            notices.update_document(self.root, self._dom.el, None)
            notices.update_note(self._dom.el, MDX_NOTE, None)
        self._nb, self.doc = None, None
        self.history = History()
        self.keys.clear()
        self.anchors.forget()
        self.images.reset(None, "")
        self.mode, self.active = COMMAND, 0
        self.root.hidden = True
        js.document.body.removeAttribute("data-view")
        self.events.closed.emit(DocumentClosed(doc))

    async def _present(self, nb: Any, doc: DocumentRef, parked: ParkedDocument | None) -> None:
        mark = js.performance.mark
        if self._frozen:
            gc.unfreeze()  # the previous document's objects may be collected again
        module = await bridge.start_loading()
        mark("view:bundle")
        dom = self._ensure_ui(module)
        dom.ctl.reset()
        self._nb, self.doc = nb, doc
        self.images.reset(opt(doc.folder), doc.shown_name)
        self.anchors.forget()
        self.keys.clear()
        self.mode = COMMAND
        if parked is None:
            self.history = History()
            self._saved_len, self.active = 0, 0
        else:
            self.history, self._saved_len = parked.history, parked.saved_len
            self.images.remote_allowed = parked.remote_allowed
            self.active = max(0, min(parked.active, len(nb.cells) - 1))
        cells = list(nb.cells)
        html = dom.html(cells, whole=True)
        mark("view:html")
        dom.el.innerHTML = html
        mark("view:dom")
        self._chrome.document_shown()
        notices.update_document(self.root, dom.el, nb.frontmatter_problem)
        notices.update_note(dom.el, MDX_NOTE, _mdx_note(nb, doc))
        self.root.hidden = False
        js.document.body.dataset.view = "notebook"
        dom.ctl.observeAll(len(cells) <= EAGER_LIMIT)
        self.shell.document_shown()
        if cells:
            # Keyboard users go on from the active cell, unless they are typing somewhere (a runner URL).
            self.select(self.active, focus=_focus_is_free(), scroll=False)
        if parked is not None:
            js.window.scrollTo(0, parked.scroll_y)
        # A parsed 1 MB notebook is ~10^5 objects; a full GC pass over them (which Python may start in
        # any later call, e.g. mid-typing) takes tens of ms in Pyodide. Freezing moves them out of it.
        # Boot froze its own objects (fenced.app.boot), so for the first document this pass only
        # looks at what was made since; after an unfreeze above it is a full pass.
        gc.collect()
        gc.freeze()
        self._frozen = True
        mark("view:shown")
        self.events.shown.emit(DocumentShown(doc, nb))

    # --- links and anchors ------------------------------------------------------------------------

    def follow_link(self, anchor: Any, event: Any) -> None:
        """A click on a link in a rendered Markdown cell. External links open in a new tab (the sanitiser
        gave them `target=_blank rel="noopener noreferrer"`); a relative one (`other.md#part`, `../x`,
        `/installation`) is handed to `events.link_opened` for fenced.app.files to open inside Fenced;
        a `#fragment` scrolls to its heading (through `link_opened` too when someone listens, for the
        app's back/forward history)."""
        href = str(anchor.getAttribute("href") or "")
        kind = link_kind(href)
        if kind == "external" or self.doc is None:
            return
        event.preventDefault()
        if kind == "fragment" and not len(self.events.link_opened):
            self.go_to_anchor(href)
            return
        self.events.link_opened.emit(LinkOpened(href, self.doc))

    def go_to_anchor(self, fragment: str) -> bool:
        """Scroll to the heading `#fragment` names (GitHub's anchors, `anchors.slug`); False if none."""
        if self._nb is None or not fragment.strip("#"):
            return False
        self.flush()
        found = self.anchors.find(self.cells, fragment)
        if found is None:
            return False
        index, nth = found
        self.select(index, focus=True, scroll=False)
        spawn(self._scroll_to_heading(index, nth))
        return True

    async def _scroll_to_heading(self, index: int, nth: int) -> None:
        """Scroll the heading into view, again once the cells around it are rendered (their real heights
        replace the estimates, and the Markdown cell itself may still be pending)."""
        for _ in range(40):
            el = self.element(index)
            if el is None:
                return
            headings = el.querySelectorAll(":is(h1,h2,h3,h4,h5,h6)[id]")
            target = headings.item(nth) if nth < headings.length else None
            (opt(target) or el).scrollIntoView(obj(block="start"))
            if opt(target) is not None and self.root.dataset.viewState != "rendering":
                return
            await asyncio.sleep(0.025)

    def rename(self, doc: DocumentRef) -> None:
        """The document was saved as another file: same cells and history, a new place (`doc`). Rendered
        relative images are resolved again from there; then `events.renamed` is emitted."""
        old, self.doc = self.doc, doc
        if self.images.rebase(opt(doc.folder), doc.shown_name) and self._dom is not None:
            for el in self._dom.el.querySelectorAll(IMAGE_CELLS):
                self._dom.ctl.invalidate(el)
        if old is not None:
            self.events.renamed.emit(DocumentRenamed(doc, old))

    def text(self) -> str:
        """The document as it would be saved (an unedited one is its original text)."""
        if self._nb is None:
            return ""
        self.flush()
        from fenced.document import dumps

        return str(dumps(self._nb))

    def mark_saved(self) -> None:
        self._saved_len = len(self.history)

    # --- set-up -----------------------------------------------------------------------------------

    def _ensure_ui(self, module: Any) -> CellsDom:
        if self._dom is not None:
            return self._dom
        from .listeners import Listeners
        from .panels import Chrome

        self._chrome = Chrome(self)
        callbacks = js_object({"render": self._render_keys, "changed": self._editor_changed})
        from .sanitize import policy

        ctl = module.createController(
            self._chrome.cells, callbacks, obj(stateEl=self.root, sanitize=policy())
        )
        self._dom = CellsDom(
            self.root, self._chrome.cells, ctl, self.keys, self.cell_parts, self.images, self.anchors_of
        )
        self._listeners = Listeners(self, ctl)
        return self._dom

    # --- cells and keys ---------------------------------------------------------------------------

    @property
    def dom(self) -> CellsDom:
        """The cells' elements (once a document was shown)."""
        assert self._dom is not None, "no document shown yet"
        return self._dom

    @property
    def chrome(self) -> Any:
        return self._chrome

    @property
    def cells(self) -> Any:
        return self._nb.cells if self._nb is not None else []

    def key(self, cell: Any) -> int:
        """The cell's key (`data-key` of its element): stable while the document is shown."""
        return self.keys.key(cell)

    def element(self, index: int) -> Any:
        return self._dom.element(index) if self._dom is not None else None

    def element_of(self, cell: Any) -> Any:
        return self._dom.element_of(cell) if self._dom is not None else None

    def element_by_key(self, key: int) -> Any:
        return self._dom.element_by_key(key) if self._dom is not None else None

    def index_of(self, element: Any) -> int:
        return int(element.dataset.cellIndex)

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
        el.classList.add("active")  # every cell is a Tab stop (tabindex=0): Tab moves between cells
        self.active = index
        self._chrome.attach_actions(el)
        if scroll:
            el.scrollIntoView(obj(block="nearest"))
        if focus:
            el.focus(obj(preventScroll=True))
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
        ctl = self.dom.ctl
        cell, el = self.cells[index], self.element(index)
        offset = opt(ctl.offsetAt(el, *point)) if point is not None and cell.kind == "code" else None
        self.select(index, focus=False, scroll=True)
        if cell.kind == "markdown" and not el.classList.contains("editing"):
            el.classList.add("editing")
            ctl.mount(el, cell.source, True, where or "end")
        else:
            ctl.mount(el, None, True, where, offset)
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
        self.dom.ctl.unmount(el, False)
        el.classList.remove("editing")
        self.dom.set_markdown_html(el, self.cells[index])

    # --- the page around the notebook -------------------------------------------------------------

    def outline_visible(self) -> bool:
        return self.shell.sidebar_visible()

    def toggle_sidebar(self) -> None:
        self.shell.toggle_sidebar()

    def _sidebar_changed(self, visible: bool) -> None:
        if visible and self._chrome is not None and self._nb is not None:
            self._chrome.render_outline()

    def open_palette(self) -> None:
        """The command palette (Ctrl/Cmd+Shift+P): every labelled command of `commands`, then the items
        its palette sources give (fenced.app.run: run a cell by name)."""
        self.flush()
        if self._palette is None:
            from .palette import Palette

            self._palette = Palette()
        self._palette.open(self.commands.palette_items())

    # --- model changes ----------------------------------------------------------------------------

    def run(self, op: ops.Operation) -> None:
        """Apply a new operation, record it for undo, update the DOM."""
        self._patch(op.apply(self._nb))
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

    def _patch(self, patch: ops.Patch) -> None:
        rendered = dompatch.apply(self.dom, patch, self._nb)
        self.active = max(0, min(self.active, len(self.cells) - 1))
        if rendered is not None:
            self.events.cells_rendered.emit(CellsRendered(*rendered))

    def _after_history(self, patch: ops.Patch) -> None:
        self._patch(patch)
        self.changed()
        target = dompatch.target(patch, self.cells)
        if target is not None and self.cells:
            self.select(target)

    def changed(self) -> None:
        self.anchors.reset()
        self._chrome.document_changed()
        self.events.changed.emit(DocumentChanged())

    def flush(self) -> bool:
        """Take the editors' pending text into the model (one undo entry per cell edited)."""
        if self._dom is None or self._nb is None:
            return False
        flat = self._dom.ctl.takeChanges().to_py()
        edited = False
        names = False
        for i in range(0, len(flat), 2):
            cell = self.keys.cell(int(flat[i]))
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

    def refresh_names(self) -> None:
        """Update generated names shown in the DOM (they depend on other cells)."""
        if self._dom is not None:
            self._dom.refresh_names(self.cells)

    def _editor_changed(self) -> None:
        try:
            self.flush()
        except Exception:
            log_error()

    def _render_keys(self, keys: Any) -> Any:
        """JS asks for the HTML of Markdown cells that came into view."""
        from . import markdown

        out: list[str | None] = []
        images: list[int] = []
        index_of: dict[int, int] | None = None
        for k in keys.to_py():
            cell = self.keys.cell(int(k))
            if cell is None or cell.kind != "markdown":
                out.append(None)
                continue
            try:
                if index_of is None:
                    index_of = {id(c): i for i, c in enumerate(self.cells)}
                index = index_of.get(id(cell))
                anchors = self.anchors.of_cell(self.cells, index) if index is not None else ()
                html = markdown.render(cell.source, anchors)
            except Exception:
                log_error()
                html = None
            if html and images_pending(html):
                images.append(int(k))
            out.append(html)
        if images:
            spawn(self._resolve_images(images))
        return js_list(out)

    def anchors_of(self, cell: Any) -> list[str]:
        """The anchors of a Markdown cell's headings (for `CellsDom` when it renders one cell)."""
        for index, c in enumerate(self.cells):
            if c is cell:
                return self.anchors.of_cell(self.cells, index)
        return []

    async def _resolve_images(self, keys: list[int]) -> None:
        await asyncio.sleep(0)  # JS inserts the HTML after this call returns
        for k in keys:
            cell = self.keys.cell(k)
            el = self.element_of(cell) if cell is not None else None
            if el is not None:
                await self.images.resolve_in(el)


def _mdx_note(nb: Any, doc: DocumentRef) -> str | None:
    """The note above an MDX document: what it shows as text (fenced.document.mdx); None for others."""
    from fenced.document.mdx import inspect, is_mdx

    return inspect(nb).note() if is_mdx(doc.shown_name) else None


def _focus_is_free() -> bool:
    """Nothing that takes typing has the focus (the body, a button, a cell): a shown document may take it."""
    active = opt(js.document.activeElement)
    if active is None or active == js.document.body:
        return True
    tag = str(getattr(active, "tagName", ""))
    return tag not in ("INPUT", "TEXTAREA", "SELECT") and not bool(
        getattr(active, "isContentEditable", False)
    )


def _base_name(source: str) -> str:
    """A code cell's generated name before de-duplication: only when it changes can names shown
    elsewhere change, so typing below the first command costs no O(n) name refresh."""
    try:
        from fenced.document import generated_name
    except ImportError:  # pragma: no cover - then always refresh
        return source
    return str(generated_name(source))
