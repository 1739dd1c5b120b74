"""The file controller: turns Open/Save clicks, drops, Ctrl+S and the view's `on_change` into reads,
writes, drafts and the dirty state. Owns which document is open; the NotebookView owns how it looks.

Nothing is lost on the way: a file we refuse leaves the open notebook untouched, edits go to an
IndexedDB draft shortly after they happen, and a save over a file that changed on disk asks first.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import traceback
from collections.abc import Coroutine
from typing import Any

import js
from pyodide.ffi import JsException

from fenced.app.files import fsa, idb, kinds, state, ui, walk
from fenced.app.files.saving import Saving, _js_message
from fenced.app.files.state import Base, OpenDocument
from fenced.app.notify import clear, notify
from fenced.app.tasks import background

DRAFT_DELAY_S = 0.6  # after the last change; short enough that a crash loses little


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
    """Run a handler's async part; a bug shows up as a message instead of vanishing."""
    task = background(coro)
    task.add_done_callback(_report)
    return task


def _report(task: asyncio.Future[Any]) -> None:
    if task.cancelled() or task.exception() is None:
        return
    exc = task.exception()
    js.console.error("".join(traceback.format_exception(exc)))
    notify(f"Something went wrong: {exc}", "error", key="files-bug")


class FilesController(Saving):
    """One per page. `attach(view)` then `install()`; the view calls `on_change` after edits."""

    instance: FilesController | None = None  # the page's controller (boot sets it; tests look at it)

    def __init__(self) -> None:
        self.view: Any = None
        self.doc: OpenDocument | None = None
        self._showing = False
        self._saving = False
        self._changes = 0
        self._draft_timer: asyncio.TimerHandle | None = None
        self._folder: Any = None
        self._found: list[walk.FoundFile] = []
        self._recents: list[Any] = []
        self._offers: list[Any] = []
        self._drag_depth = 0

    def attach(self, view: Any) -> None:
        self.view = view

    # --- wiring ---------------------------------------------------------------------------------

    def install(self) -> None:
        doc = js.document
        actions = {
            "open": self.open,
            "open-folder": self.open_folder,
            "save": self.save,
            "save-as": self.save_as,
            "download": self.download,
        }
        for name, action in actions.items():
            btn = doc.querySelector(f'.file-actions [data-action="{name}"]')
            btn.addEventListener("click", fsa.keep(lambda _e, a=action: spawn(a())))
        capture = fsa.obj({"capture": True})
        for event, handler in (
            ("dragenter", self._on_drag),
            ("dragover", self._on_drag),
            ("dragleave", self._on_drag_leave),
            ("drop", self._on_drop),
            ("keydown", self._on_key),
        ):
            js.window.addEventListener(event, fsa.keep(handler), capture)
        js.window.addEventListener("beforeunload", fsa.keep(self._on_beforeunload))
        doc.addEventListener("visibilitychange", fsa.keep(self._on_hidden))
        ui.delegate(
            "folder-panel",
            {
                "folder-file": lambda i: spawn(self._open_found(i)),
                "folder-close": lambda _i: self._close_folder(),
            },
        )
        ui.delegate(
            "recent-files",
            {
                "recent-open": lambda i: spawn(self._open_recent(i)),
                "recent-forget": lambda i: spawn(self._forget_recent(i)),
            },
        )
        ui.delegate(
            "draft-offers",
            {
                "draft-restore": lambda i: spawn(self._restore(i)),
                "draft-discard": lambda i: spawn(self._discard(i)),
            },
        )
        ui.show_document(None, False)
        spawn(self._startup())

    async def _startup(self) -> None:
        await self._refresh_recents()
        await self._refresh_offers()

    # --- events ---------------------------------------------------------------------------------

    @staticmethod
    def _has_files(event: Any) -> bool:
        dt = fsa.present(getattr(event, "dataTransfer", None))
        return dt is not None and "Files" in list(dt.types)

    def _dragging(self, on: bool) -> None:
        js.document.body.dataset.dragging = "true" if on else "false"
        zone = fsa.present(js.document.getElementById("drop-zone"))
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
        if (event.ctrlKey or event.metaKey) and not event.altKey and str(event.key).lower() == "s":
            event.preventDefault()
            event.stopPropagation()
            spawn(self.save_as() if event.shiftKey else self.save())

    def _unsaved_now(self) -> bool:
        """Synchronous check for unload: also catches typing the view has not reported yet."""
        doc = self.doc
        if doc is None:
            return False
        if not doc.dirty:
            try:
                same = self.view.text() == doc.base.text
            except Exception:
                return False
            if same:
                return False
            self._set_dirty(True)
        return True

    def _on_beforeunload(self, event: Any) -> None:
        if self._unsaved_now():
            self._cancel_timer()
            spawn(self._write_draft())  # the prompt gives IndexedDB the time to commit
            event.preventDefault()
            event.returnValue = ""  # older browsers need a value to show the prompt

    def _on_hidden(self, _event: Any) -> None:
        if js.document.visibilityState == "hidden" and self._unsaved_now():
            self._cancel_timer()
            spawn(self._write_draft())  # a tab that is hidden may be killed without unload

    # --- dirty state and drafts -----------------------------------------------------------------

    def on_change(self) -> None:
        """Called by the view after an edit: dirty now, draft shortly (coalescing bursts of typing)."""
        if self._showing or self.doc is None:
            return
        self._changes += 1
        if not self.doc.dirty:
            self._set_dirty(True)
            spawn(self._refresh_offers())
        ui.set_draft_state("pending")
        self._cancel_timer()
        self._draft_timer = asyncio.get_running_loop().call_later(DRAFT_DELAY_S, self._flush_soon)

    def _cancel_timer(self) -> bool:
        pending = self._draft_timer is not None
        if self._draft_timer is not None:
            self._draft_timer.cancel()
            self._draft_timer = None
        return pending

    def _flush_soon(self) -> None:
        """Write the pending draft now (the debounce timer fired, or we are leaving)."""
        if self._cancel_timer():
            spawn(self._write_draft())

    def _set_dirty(self, dirty: bool) -> None:
        if self.doc is not None:
            self.doc.dirty = dirty
        ui.show_document(self.doc.name if self.doc else None, dirty)

    async def _write_draft(self) -> None:
        doc = self.doc
        if doc is None:
            return
        text = self.view.text()
        if text == doc.base.text:
            await idb.delete("drafts", doc.draft_key)
            if doc is self.doc:
                self._set_dirty(False)
                await self._refresh_offers()
        else:
            await idb.put(
                "drafts",
                {
                    "key": doc.draft_key,
                    "name": doc.name,
                    "text": text,
                    "baseText": doc.base.text,
                    "baseSize": doc.base.size,
                    "baseModified": doc.base.last_modified,
                    "handle": doc.handle,
                    "folder": doc.folder,
                    "path": doc.path,
                    "updated": js.Date.now(),
                },
            )
        if doc is self.doc and self._draft_timer is None:
            ui.set_draft_state("saved")

    async def _refresh_offers(self) -> None:
        """Offer every stored draft except the live one of the document being edited."""
        records = await idb.all_records("drafts")
        live = self.doc.draft_key if self.doc is not None and self.doc.dirty else None
        self._offers = sorted((r for r in records if r.key != live), key=lambda r: -float(r.updated))
        now = time.time()
        ui.render_draft_offers([(r.name, state.age(now - float(r.updated) / 1000)) for r in self._offers])

    async def _restore(self, i: int) -> None:
        rec = self._offers[i]
        base_text = str(rec.baseText)
        base = Base(kinds.encode(base_text), base_text, int(rec.baseSize), idb.field(rec, "baseModified"))
        handle, folder, path = idb.field(rec, "handle"), idb.field(rec, "folder"), idb.field(rec, "path")
        if self.doc is not None and self.doc.draft_key == rec.key:
            handle, folder, path = self.doc.handle, self.doc.folder, self.doc.path  # the fresher handles
        elif self._unsaved_now():
            self._cancel_timer()
            await self._write_draft()
        if folder is not None:
            await fsa.ensure_permission(folder, "read")  # relative images; the click allows the prompt
        await self._show(str(rec.text), str(rec.name), folder, path)
        self.doc = OpenDocument(str(rec.name), base, handle, folder, path, dirty=True)
        self._set_dirty(True)
        ui.set_draft_state("saved")
        await self._refresh_offers()
        notify(f"Restored your unsaved changes to {rec.name}.", "success", key="files", timeout_ms=4000)

    async def _discard(self, i: int) -> None:
        await idb.delete("drafts", self._offers[i].key)
        await self._refresh_offers()

    # --- opening --------------------------------------------------------------------------------

    async def _show(self, text: str, name: str, folder: Any, path: str | None) -> None:
        """The view resolves relative images against `folder` (the opened folder's root) and the
        document's path inside it, so `../img.png` from docs/a.md works."""
        self._showing = True
        try:
            await self.view.show(text, path or name, folder)
        finally:
            self._showing = False

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
            notify(f"Could not read {name}: {_js_message(exc)}. Nothing was changed.", "error", key="files")
            return False
        if self._unsaved_now():
            self._cancel_timer()
            await self._write_draft()  # the edits stay on offer as a draft
        await self._show(text, name, folder, path)
        self.doc = OpenDocument(
            name, Base(data, text, len(data), float(file.lastModified)), handle, folder, path
        )
        self._changes = 0
        clear("files")
        self._set_dirty(False)
        ui.set_draft_state("saved")
        if self._folder is not None:
            ui.mark_current(path)
        if handle is not None and path is None:
            await idb.remember("file", name, handle, secrets.token_hex(8))
            await self._refresh_recents()
        await self._refresh_offers()
        return True

    async def _open_dropped(self, picks: list[tuple[Any, Any]]) -> None:
        file, pending = picks[0]
        handle = fsa.present(await pending) if pending is not None else None
        if handle is not None and handle.kind == "directory":
            await self._list_folder(handle, remember=True)
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
            file = await fsa.pick_with_input()
            if file is not None:
                await self.open_file(file)
            return
        handle = await fsa.pick_open()
        if handle is not None:
            await self.open_file(await handle.getFile(), handle)

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
            await self._list_folder(root, remember=True)

    async def _moved(self, doc: OpenDocument, handle: Any) -> None:
        """Save as put the document in another file: its name, handle and place (the folder that
        relative images and outputs files are resolved against) follow it, in the view and the
        folder panel too. Drafts follow by themselves: their key and record come from `doc`."""
        folder, path = await self._place(handle, doc.folder)
        doc.handle, doc.name, doc.folder, doc.path = handle, str(handle.name), folder, path
        if doc is not self.doc:
            return
        self.view.rename(path or doc.name, folder)
        if self._folder is None:
            return
        here = path if folder is self._folder else None
        if here is not None and here not in {f.path for f in self._found}:
            await self._list_folder(self._folder, remember=False)  # a new file in the open folder
        else:
            ui.mark_current(here)

    async def _place(self, handle: Any, old_folder: Any) -> tuple[Any, str | None]:
        """(folder, path inside it) of a file: the open folder first, then the one the document came
        from; (None, None) when it is in neither (its neighbours are then out of reach)."""
        for folder in (self._folder, old_folder):
            if folder is not None:
                path = await fsa.relative_path(folder, handle)
                if path is not None:
                    return folder, path
        return None, None

    async def _list_folder(self, root: Any, remember: bool) -> None:
        found, truncated = await walk.walk(root, fsa.entries)
        self._folder, self._found = root, found
        current = self.doc.path if self.doc is not None else None
        ui.render_folder(str(root.name), [f.path for f in found], current, truncated)
        if remember:
            await idb.remember("directory", str(root.name), root, secrets.token_hex(8))
            await self._refresh_recents()

    def _close_folder(self) -> None:
        self._folder, self._found = None, []
        ui.close_folder()

    async def _open_found(self, i: int) -> None:
        found = self._found[i]
        await self.open_file(await found.handle.getFile(), found.handle, self._folder, found.path)

    async def _refresh_recents(self) -> None:
        records = await idb.all_records("recents")
        self._recents = sorted(records, key=lambda r: -float(r.opened))
        ui.render_recents([(str(r.kind), str(r.name)) for r in self._recents])

    async def _open_recent(self, i: int) -> None:
        rec = self._recents[i]
        if not await fsa.ensure_permission(rec.handle, "read"):
            notify(
                f"Fenced needs your permission to read {rec.name}. Click it again and allow access.",
                "warning",
                key="files",
            )
            return
        try:
            if rec.kind == "directory":
                await self._list_folder(rec.handle, remember=True)
            else:
                await self.open_file(await rec.handle.getFile(), rec.handle)
        except JsException as exc:
            if getattr(exc, "name", "") != "NotFoundError":
                raise
            notify(f"{rec.name} is no longer there; removed it from the recent list.", "warning", key="files")
            await idb.delete("recents", rec.id)
            await self._refresh_recents()

    async def _forget_recent(self, i: int) -> None:
        await idb.delete("recents", self._recents[i].id)
        await self._refresh_recents()
