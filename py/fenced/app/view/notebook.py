"""NotebookView: shows a `fenced.document.Notebook` and turns edits into model changes.

Thin by design: DOM events (see `listeners`) become commands (`commands`, dispatched by name through the
`commandtable`) that apply operations from `ops` to the model and push them on the `History`; each
operation returns a patch that `dompatch` mirrors in the cells' DOM (`cells`). Heavy, frequent work stays
in the JS half of the editor bundle (lazy CodeMirror mounting, visibility, edit tracking); Python is
called per batch of cells coming into view and after a pause in typing, never per key press.

The view holds the document shown and its state; its parts are composed objects that reach it through
narrow protocols: `Edits` (operations, undo, the editors' text into the model), `Selection` (the active
cell, command and edit mode) and `RenderedMarkdown` (Markdown cells' HTML, anchors, images and links).

Other rooms extend the view only through its extension points: `events` (typed signals: `shown`,
`renamed`, `changed`, `cells_rendered`), `cell_parts` (HTML providers for slots of a code cell) and
`commands` (the page's command table, which the keymap, the toolbars and the palette share).
"""

from __future__ import annotations

import gc
from typing import Any

import js

from fenced.app import loader
from fenced.app.jsffi import js_object, log_error, obj, opt, spawn

from . import bridge, notices, ops
from .anchors import DocumentAnchors
from .cellparts import CellParts
from .cells import CellKeys, CellsDom
from .commands import ViewCommands
from .commandtable import CommandTable
from .edits import Edits
from .events import DocumentClosed, DocumentRef, DocumentRenamed, DocumentShown, ParkedDocument, ViewEvents
from .history import History
from .images import ImageResolver
from .keymap import COMMAND, Mode
from .rendered import RenderedMarkdown
from .sanitize import REL_SRC_ATTR
from .selection import Selection, focus_is_free

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
        self._edits = Edits(self)
        self._selection = Selection(self)
        self._markdown = RenderedMarkdown(self)
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
            self.select(self.active, focus=focus_is_free(), scroll=False)
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
        callbacks = js_object({"render": self._markdown.render_keys, "changed": self._edits.editor_changed})
        from .sanitize import policy

        ctl = module.createController(
            self._chrome.cells, callbacks, obj(stateEl=self.root, sanitize=policy())
        )
        self._dom = CellsDom(
            self.root,
            self._chrome.cells,
            ctl,
            self.keys,
            self.cell_parts,
            self.images,
            self._markdown.anchors_of,
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

    # --- selection and modes (`Selection`) --------------------------------------------------------

    def select(self, index: int, focus: bool = True, scroll: bool = True) -> None:
        """Make cell `index` the active one (command mode focus goes to the cell element)."""
        self._selection.select(index, focus, scroll)

    def edit(
        self, index: int | None = None, where: str = "", point: tuple[float, float] | None = None
    ) -> None:
        """Edit mode on a cell: focus its editor (a Markdown cell shows its source)."""
        self._selection.edit(index, where, point)

    def command_mode(self, advance: bool = False) -> None:
        """Leave the editor: render a Markdown cell being edited, focus the cell."""
        self._selection.command_mode(advance)

    # --- links and headings (`RenderedMarkdown`) --------------------------------------------------

    def follow_link(self, anchor: Any, event: Any) -> None:
        """A click on a link in a rendered Markdown cell (`RenderedMarkdown.follow_link`)."""
        self._markdown.follow_link(anchor, event)

    def go_to_anchor(self, fragment: str) -> bool:
        """Scroll to the heading `#fragment` names; False if none (`RenderedMarkdown.go_to_anchor`)."""
        return self._markdown.go_to_anchor(fragment)

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

    # --- model changes (`Edits`) ------------------------------------------------------------------

    def run(self, op: ops.Operation) -> None:
        """Apply a new operation, record it for undo, update the DOM."""
        self._edits.run(op)

    def undo(self) -> None:
        self._edits.undo()

    def redo(self) -> None:
        self._edits.redo()

    def changed(self) -> None:
        self._edits.changed()

    def flush(self) -> bool:
        """Take the editors' pending text into the model (one undo entry per cell edited)."""
        return self._edits.flush()

    def refresh_names(self) -> None:
        """Update generated names shown in the DOM (they depend on other cells)."""
        if self._dom is not None:
            self._dom.refresh_names(self.cells)


def _mdx_note(nb: Any, doc: DocumentRef) -> str | None:
    """The note above an MDX document: what it shows as text (fenced.document.mdx); None for others."""
    from fenced.document.mdx import inspect, is_mdx

    return inspect(nb).note() if is_mdx(doc.shown_name) else None
