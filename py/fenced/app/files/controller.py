"""The file controller: turns Open/Save clicks, drops, keys and the view's `changed` events into reads,
writes, drafts and the dirty state. Owns which documents are open; the NotebookView owns how one looks.

Nothing is lost on the way: a file we refuse leaves the open notebook untouched, every opened document
stays open with its edits until it is closed (`editors`), edits go to a draft shortly after they happen
and synchronously when the page goes away (`drafts`), and a save over a file that changed on disk asks
first (`saving`). The opened folder, its tree and the recent files are `folder`'s; links between
documents and the app's history `navigation`'s. The parts share one `Current` and reach each other only
through the narrow protocols they declare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app import fsa
from fenced.app.jsffi import JsException, closest, js_list, js_message, keep, listen, obj, opt
from fenced.app.notify import clear, notify
from fenced.app.view.commandtable import Command, CommandTable
from fenced.app.view.events import DocumentChanged, DocumentRef, ParkedDocument, ViewEvents

from . import idb, kinds, state, ui
from .drafts import Drafts
from .dropzone import DropZone, Picks
from .editors import Editors
from .folder import Places
from .handles import HandleBook
from .lastdoc import LastDocument
from .navigation import Navigation
from .quickopen import QuickOpen
from .saving import Saver
from .state import Base, Current, OpenDocument
from .tasks import spawn

SAMPLE_URL = "./web/sample.md"  # shipped with the app (build.py copies web/)
SAMPLE_NAME = "fenced-sample.md"

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class FilesView(Protocol):
        """What the file layer needs of the view (`NotebookView`)."""

        events: ViewEvents
        commands: CommandTable

        async def show(self, text: str, doc: DocumentRef) -> None: ...

        def park(self) -> ParkedDocument | None: ...

        async def resume(self, parked: ParkedDocument) -> None: ...

        def close(self) -> None: ...

        def rename(self, doc: DocumentRef) -> None: ...

        def text(self) -> str: ...

        def mark_saved(self) -> None: ...

        def go_to_anchor(self, fragment: str) -> bool: ...

        def select(self, index: int, focus: bool = True, scroll: bool = True) -> None: ...

        @property
        def notebook(self) -> Any: ...


class FilesController:
    """One per page: `FilesController(view).install()`."""

    def __init__(self, view: FilesView) -> None:
        self.view = view
        self.current = Current()
        self.handles = HandleBook()
        self.drafts = Drafts(self.current, view, self.handles, self.refresh)
        self.editors = Editors(self.current, view, self.drafts, self.handles, self.refresh)
        self.places = Places(self.current, view, self.open_file, self.editors.identify)
        self.saver = Saver(self.current, view, self.drafts, self.places)
        self.editors.save = self.saver.save
        self.drafts.restore_record = self._restore_draft
        self.navigation = Navigation(self.current, view, self.places, self.editors.activate)
        self.quick_open = QuickOpen(self._quick_paths, lambda path: spawn(self._open_quick(path)))
        self.drops = DropZone(self._open_dropped)
        self.last = LastDocument(
            self.current, view, self.handles, self.places, self.open_file, self.open_sample
        )
        self._shown: str | None = None  # identity of the document last shown (for history entries)

    @property
    def doc(self) -> OpenDocument | None:
        """The document shown (None before the first one)."""
        return self.current.doc

    # --- wiring ---------------------------------------------------------------------------------

    def install(self) -> None:
        doc = js.document
        self.view.events.changed.subscribe(self._on_change)
        actions = {
            "open": self.open,
            "open-folder": self.open_folder,
            "save": self.saver.save,
            "save-as": self.saver.save_as,
            "download": self.saver.download,
        }
        for name, action in actions.items():
            btn = doc.querySelector(f'.file-actions [data-action="{name}"]')
            btn.addEventListener("click", keep(lambda _e, a=action: spawn(a())))
        self.view.commands.add(*self.commands())
        self.drops.install()
        js.window.addEventListener("keydown", keep(self._on_key), obj(capture=True))
        js.window.addEventListener("beforeunload", keep(self.drafts.on_beforeunload))
        js.window.addEventListener("pagehide", keep(self.drafts.on_leave))
        doc.addEventListener("visibilitychange", keep(self.drafts.on_leave))
        js.window.addEventListener("pagehide", keep(self.last.on_leave))
        doc.addEventListener("visibilitychange", keep(self.last.on_leave))
        js.window.addEventListener("focus", keep(lambda _e: spawn(self.places.refresh())))
        places, drafts = self.places, self.drafts
        ui.delegate(
            "recent-files",
            {
                "recent-open": lambda i: spawn(places.open_recent(i)),
                "recent-forget": lambda i: spawn(places.forget_recent(i)),
            },
        )
        ui.delegate(
            "draft-offers",
            {
                "draft-restore": lambda i: spawn(drafts.restore(i)),
                "draft-discard": lambda i: spawn(drafts.discard(i)),
            },
        )
        if opt(doc.getElementById("open-editors")) is not None:
            ui.delegate(
                "open-editors",
                {
                    "open-editor-show": lambda i: spawn(self.editors.activate(self.current.open[i])),
                    "open-editor-close": lambda i: spawn(self.close(self.current.open[i])),
                },
            )
        name = opt(doc.getElementById("doc-name"))
        if name is not None:
            listen(name, "click", self._on_crumb)
        self.places.install()
        self.navigation.install()
        self.view.commands.add(
            Command(
                "go-to-file",
                self.quick_open.open,
                label="Go to file… (Ctrl+P)",
                needs_document=False,
            ),
            Command("close-document", lambda: spawn(self.close()), label="Close file"),
            # The "Last document" card's buttons (web/lastdoc.js paints them; not in the palette).
            Command("reopen-last", lambda: spawn(self.last.reopen()), needs_document=False),
            Command("forget-last", self.last.forget, needs_document=False),
        )
        ui.show_document(None, False)
        spawn(self._startup())

    def commands(self) -> list[Command]:
        """The file actions as commands: the empty state's buttons, the palette and keys run them by name."""
        return [
            Command("open", lambda: spawn(self.open()), label="Open a file…", needs_document=False),
            Command(
                "open-folder", lambda: spawn(self.open_folder()), label="Open a folder…", needs_document=False
            ),
            Command(
                "open-sample",
                lambda: spawn(self.open_sample()),
                label="Open the sample runbook",
                needs_document=False,
            ),
            Command("save", lambda: spawn(self.saver.save()), label="Save"),
            Command("save-as", lambda: spawn(self.saver.save_as()), label="Save as…"),
            Command("download", lambda: spawn(self.saver.download()), label="Download"),
        ]

    async def _startup(self) -> None:
        await self.drafts.migrate_pending()  # edits saved synchronously when the last page went away
        await self.places.refresh_recents()
        await self.drafts.refresh_offers()

    def _on_change(self, _event: DocumentChanged) -> None:
        self.drafts.on_change()

    def refresh(self) -> None:
        """The documents' state changed: the header, the open editors, the folder panel's marks, and a
        history entry when another document is shown."""
        cur = self.current
        doc = cur.doc
        if doc is None:
            ui.show_document(None, False)
        else:
            folder = str(doc.folder.name) if doc.folder is not None and doc.path else ""
            ui.show_document(doc.name, doc.dirty, doc.path, folder)
        shown = state.distinct_labels([d.label for d in cur.open])
        ui.render_open_editors(
            [(d.label, name, d.dirty, d is doc) for d, name in zip(cur.open, shown, strict=True)]
        )
        self.places.mark()
        identity = doc.identity if doc is not None else None
        if identity != self._shown:
            self._shown = identity
            if doc is not None:
                self.navigation.shown(doc)
                self.last.shown()

    # --- events ---------------------------------------------------------------------------------

    def _on_key(self, event: Any) -> None:
        if not (event.ctrlKey or event.metaKey) or event.altKey:
            return
        key = str(event.key).lower()
        if key == "s":
            event.preventDefault()
            event.stopPropagation()
            spawn(self.saver.save_as() if event.shiftKey else self.saver.save())
        elif key == "o" and not event.shiftKey:
            event.preventDefault()
            event.stopPropagation()
            spawn(self.open())
        elif key == "p" and not event.shiftKey:  # Ctrl+Shift+P is the command palette
            event.preventDefault()  # the browser's Print
            event.stopPropagation()
            self.quick_open.open()

    def _on_crumb(self, event: Any) -> None:
        crumb = closest(event.target, "[data-reveal]")
        if crumb is not None:
            self.places.reveal(str(crumb.dataset.reveal))

    # --- opening --------------------------------------------------------------------------------

    async def open_file(
        self, file: Any, handle: Any = None, folder: Any = None, path: str | None = None, line: int = 0
    ) -> bool:
        """Check, read, decode, show (in its open editor if it has one). On any refusal the open
        notebook stays as it is. `line`: a line to go to (a search hit)."""
        name = str(file.name)
        try:
            kinds.check_name(name)
            kinds.check_size(name, int(file.size))
            data = await fsa.read_bytes(file)
            text = kinds.decode_markdown(name, data)
        except kinds.FileRejected as exc:
            notify(str(exc), "error", key="files")
            return False
        except JsException as exc:
            notify(
                f"Could not read {path or name}: {js_message(exc)}. Nothing was changed.",
                "error",
                key="files",
            )
            return False
        doc = await self.editors.open(name, data, text, float(file.lastModified), handle, folder, path)
        clear("files")
        if not doc.dirty:
            ui.set_draft_state("saved")
        if handle is not None and path is None:
            await self.places.remember_file(name, handle)
        if line:
            self._go_to_line(line)
        await self.drafts.refresh_offers()
        return True

    def _go_to_line(self, line: int) -> None:
        """Select the cell that holds `line` of the file (as read)."""
        nb = self.view.notebook
        if nb is None:
            return
        best = 0
        for index, cell in enumerate(nb.cells):
            start = cell.line
            if start is not None and start <= line:
                best = index
        self.view.select(best, focus=True, scroll=True)

    async def _open_dropped(self, picks: Picks) -> None:
        file, pending = picks[0]
        handle = opt(await pending) if pending is not None else None
        if handle is not None and handle.kind == "directory":
            await self.places.list_folder(handle, remember=True)
            return
        if len(picks) > 1:
            notify(
                f"Opened {file.name}; Fenced opens one file at a time.",
                "info",
                key="files-multi",
                timeout_ms=6000,
            )
        await self.open_file(file, handle)

    async def open(self) -> None:
        if not fsa.supports("showOpenFilePicker"):
            file = await fsa.pick_with_input(kinds.INPUT_ACCEPT)
            if file is not None:
                await self.open_file(file)
            return
        handle = await fsa.pick_open(kinds.PICKER_TYPES)
        if handle is not None:
            await self.open_file(await handle.getFile(), handle)

    async def open_sample(self) -> None:
        """The runbook shipped with the app (web/sample.md): opened like a dropped file, so it has no file
        handle (Save offers Save as or Download) and its identity is its name and content."""
        try:
            response = await js.fetch(SAMPLE_URL)
            if not response.ok:
                raise OSError(f"HTTP {response.status}")
            data = await response.arrayBuffer()
        except (JsException, OSError) as exc:
            notify(f"Could not load the sample runbook: {exc}", "error", key="files")
            return
        file = js.File.new(js_list([data]), SAMPLE_NAME, obj(type="text/markdown"))
        self.last.opening_sample(SAMPLE_NAME, js.Uint8Array.new(data).to_bytes())
        await self.open_file(file)

    async def open_folder(self) -> None:
        if not fsa.supports("showDirectoryPicker"):
            notify(
                "This browser cannot open folders (it lacks the File System Access API; Chrome and Edge "
                "have it). Drop a file or use Open instead.",
                "warning",
                key="files",
            )
            return
        root = await fsa.pick_folder()
        if root is not None:
            await self.places.list_folder(root, remember=True)

    async def close(self, doc: OpenDocument | None = None) -> bool:
        """Close a document (default: the one shown); asks first when it has unsaved edits."""
        doc = doc or self.current.doc
        return doc is not None and await self.editors.close(doc)

    # --- quick open -----------------------------------------------------------------------------

    def _quick_paths(self) -> list[str]:
        paths = self.places.paths
        known = set(paths)
        return paths + [d.label for d in self.current.open if d.label not in known]

    async def _open_quick(self, path: str) -> None:
        if self.places.found(path) is not None:
            await self.places.open_path(path)
            return
        doc = next((d for d in self.current.open if d.label == path), None)
        if doc is not None:
            await self.editors.activate(doc)

    # --- drafts -----------------------------------------------------------------------------------

    async def _restore_draft(self, rec: Any) -> None:
        """Open a stored draft in an editor: its text, against the file it was made from."""
        base_text = str(rec.baseText)
        base = Base(kinds.encode(base_text), base_text, int(rec.baseSize), idb.field(rec, "baseModified"))
        handle, folder, path = idb.field(rec, "handle"), idb.field(rec, "folder"), idb.field(rec, "path")
        folder = await self.places.adopt(folder)
        if folder is not None:
            await fsa.ensure_permission(folder, "read")  # relative images; the click allows the prompt
            if handle is None and path:
                handle = await _file_in(folder, str(path))
        doc = OpenDocument(str(rec.name), base, handle, folder, path)
        doc.identity = str(idb.field(rec, "identity") or "") or await self.editors.identify(doc)
        await self.drafts.delete(str(rec.key))
        await self.editors.open_draft(doc, str(rec.text))
        ui.set_draft_state("saved")
        await self.drafts.write()  # the live draft of the document now shown
        await self.drafts.refresh_offers()
        label = str(idb.field(rec, "label") or path or rec.name)
        notify(f"Restored your unsaved changes to {label}.", "success", key="files", timeout_ms=4000)


async def _file_in(folder: Any, path: str) -> Any:
    """The file handle at `path` in `folder`, or None (gone, or no permission)."""
    try:
        directory = await fsa.directory_of(folder, path)
        return await directory.getFileHandle(path.split("/")[-1])
    except JsException:
        return None
