"""The file controller: turns Open/Save clicks, drops, Ctrl+S and the view's `changed` events into reads,
writes, drafts and the dirty state. Owns which document is open; the NotebookView owns how it looks.

Nothing is lost on the way: a file we refuse leaves the open notebook untouched, edits go to an
IndexedDB draft shortly after they happen (`drafts`), and a save over a file that changed on disk asks
first (`saving`). The opened folder and the recent files are `folder`'s. The parts share one `Current`
(the open document) and reach each other only through the narrow protocols they declare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app import fsa
from fenced.app.jsffi import JsException, js_list, js_message, keep, obj, opt
from fenced.app.notify import clear, notify
from fenced.app.view.commandtable import Command, CommandTable
from fenced.app.view.events import DocumentChanged, DocumentRef, ViewEvents

from . import kinds, ui
from .drafts import Drafts
from .folder import Places
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

        def rename(self, doc: DocumentRef) -> None: ...

        def text(self) -> str: ...

        def mark_saved(self) -> None: ...


class FilesController:
    """One per page: `FilesController(view).install()`."""

    def __init__(self, view: FilesView) -> None:
        self.view = view
        self.current = Current()
        self.drafts = Drafts(self.current, view, self._show)
        self.places = Places(self.current, view, self.open_file)
        self.saver = Saver(self.current, view, self.drafts, self.places)
        self._drag_depth = 0

    @property
    def doc(self) -> OpenDocument | None:
        """The open document (None before the first one)."""
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
        capture = obj(capture=True)
        for event, handler in (
            ("dragenter", self._on_drag),
            ("dragover", self._on_drag),
            ("dragleave", self._on_drag_leave),
            ("drop", self._on_drop),
            ("keydown", self._on_key),
        ):
            js.window.addEventListener(event, keep(handler), capture)
        js.window.addEventListener("beforeunload", keep(self.drafts.on_beforeunload))
        doc.addEventListener("visibilitychange", keep(self.drafts.on_hidden))
        places, drafts = self.places, self.drafts
        ui.delegate(
            "folder-panel",
            {
                "folder-file": lambda i: spawn(places.open_found(i)),
                "folder-close": lambda _i: places.close_folder(),
            },
        )
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
        await self.places.refresh_recents()
        await self.drafts.refresh_offers()

    def _on_change(self, _event: DocumentChanged) -> None:
        self.drafts.on_change()

    # --- events ---------------------------------------------------------------------------------

    @staticmethod
    def _has_files(event: Any) -> bool:
        dt = opt(getattr(event, "dataTransfer", None))
        return dt is not None and "Files" in list(dt.types)

    def _dragging(self, on: bool) -> None:
        js.document.body.dataset.dragging = "true" if on else "false"
        zone = opt(js.document.getElementById("drop-zone"))
        if zone is not None:
            zone.classList.toggle("dragover", on)

    def _on_drag(self, event: Any) -> None:
        if not self._has_files(event):
            return
        event.preventDefault()  # allows the drop; the browser would otherwise open the file itself
        event.dataTransfer.dropEffect = "copy"
        if event.type == "dragenter":
            self._drag_depth += 1
        self._dragging(True)

    def _on_drag_leave(self, event: Any) -> None:
        if self._has_files(event):
            self._drag_depth = max(0, self._drag_depth - 1)
            if self._drag_depth == 0:
                self._dragging(False)

    def _on_drop(self, event: Any) -> None:
        """Synchronous part: preventDefault now, and take what the DataTransfer only gives during the event."""
        if not self._has_files(event):
            return
        event.preventDefault()
        event.stopPropagation()  # a drop on a code editor must not paste the file into it
        self._drag_depth = 0
        self._dragging(False)
        picks: list[tuple[Any, Any]] = []
        items = event.dataTransfer.items
        for i in range(items.length):
            item = items[i]
            if item.kind != "file":
                continue
            handle = item.getAsFileSystemHandle() if hasattr(item, "getAsFileSystemHandle") else None
            picks.append((item.getAsFile(), handle))
        if picks:
            spawn(self._open_dropped(picks))

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

    # --- opening --------------------------------------------------------------------------------

    async def _show(self, text: str, doc: DocumentRef) -> None:
        """The view resolves relative images against `doc.folder` (the opened folder's root) and the
        document's path inside it, so `../img.png` from docs/a.md works."""
        self.current.showing = True
        try:
            await self.view.show(text, doc)
        finally:
            self.current.showing = False

    async def open_file(
        self, file: Any, handle: Any = None, folder: Any = None, path: str | None = None
    ) -> bool:
        """Check, read, decode, show. On any refusal the open notebook stays as it is."""
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
            notify(f"Could not read {name}: {js_message(exc)}. Nothing was changed.", "error", key="files")
            return False
        await self.drafts.keep_unsaved()  # the edits stay on offer as a draft
        await self._show(text, DocumentRef(name, path, folder))
        self.current.doc = OpenDocument(
            name, Base(data, text, len(data), float(file.lastModified)), handle, folder, path
        )
        self.current.changes = 0
        clear("files")
        self.drafts.set_dirty(False)
        ui.set_draft_state("saved")
        self.places.mark_current(path)
        if handle is not None and path is None:
            await self.places.remember_file(name, handle)
        await self.drafts.refresh_offers()
        return True

    async def _open_dropped(self, picks: list[tuple[Any, Any]]) -> None:
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
