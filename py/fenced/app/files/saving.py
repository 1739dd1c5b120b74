"""Save, Save as and Download for the file controller (a mixin: it shares the controller's state).

"Save" writes back through the file's handle after checking the file on disk is still what we loaded;
a file without a handle (dropped, or picked with <input type=file>) goes through Save as where the
browser has it and Download everywhere else, and the user is told why.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from pyodide.ffi import JsException

from fenced.app.files import conflict, fsa, idb, kinds, state, ui
from fenced.app.files.state import Base, OpenDocument
from fenced.app.notify import notify

if TYPE_CHECKING:

    class _Base(Protocol):
        """The methods saving uses of `FilesController` (which mixes it in)."""

        def _cancel_timer(self) -> bool: ...
        def _flush_soon(self) -> None: ...
        def _set_dirty(self, dirty: bool) -> None: ...
        async def _refresh_offers(self) -> None: ...
        async def _refresh_recents(self) -> None: ...
        async def _moved(self, doc: OpenDocument, handle: Any) -> None: ...
else:
    _Base = object


def _js_message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc)


class Saving(_Base):
    """Mixed into FilesController."""

    # The controller's state that saving shares (set in FilesController.__init__).
    view: Any
    doc: OpenDocument | None
    _saving: bool
    _changes: int
    _draft_timer: asyncio.TimerHandle | None

    def _current(self) -> tuple[str, bytes] | None:
        doc = self.doc
        if doc is None:
            notify(
                "Nothing to save yet: open or drop a Markdown file first.",
                "info",
                key="files",
                timeout_ms=5000,
            )
            return None
        text = self.view.text()
        # Unedited: write the bytes we read. (dumps(loads(t)) == t makes this equal anyway; belt and braces.)
        return text, (doc.base.data if text == doc.base.text else kinds.encode(text))

    async def save(self) -> bool:
        doc = self.doc
        if doc is None:
            self._current()
            return False
        how = state.save_target(doc, fsa.supports("showSaveFilePicker"))
        if how != "handle":
            notify(state.no_handle_reason(doc, how == "save-as"), "info", key="files-why")
            return await (self.save_as() if how == "save-as" else self._download(as_save=True))
        outcome = await self._guarded(self._save_to(doc.handle, check_disk=True))
        if outcome == "save-as":  # chosen in the changed-on-disk dialog
            return await self.save_as()
        return outcome == "saved"

    async def save_as(self) -> bool:
        if self.doc is None:
            self._current()
            return False
        if not fsa.supports("showSaveFilePicker"):
            return await self._download(as_save=self.doc.handle is None)
        handle = await fsa.pick_save(self.doc.name)
        if handle is None:
            return False
        return await self._guarded(self._save_to(handle, check_disk=False)) == "saved"

    async def download(self) -> bool:
        return await self._download(as_save=self.doc is not None and self.doc.handle is None)

    async def _guarded(self, job: Coroutine[Any, Any, str]) -> str:
        """One save at a time (Ctrl+S pressed twice, or while the conflict dialog is open)."""
        if self._saving:
            job.close()
            return "busy"
        self._saving = True
        try:
            return await job
        finally:
            self._saving = False

    async def _save_to(self, handle: Any, check_disk: bool) -> str:
        """Write the notebook to `handle`: 'saved', 'failed' or 'save-as' (the user's choice on conflict)."""
        doc, current = self.doc, self._current()
        if doc is None or current is None:
            return "failed"
        text, data = current
        changes = self._changes
        name = str(handle.name)
        try:
            if not await fsa.ensure_permission(handle, "readwrite"):
                notify(
                    f"Fenced was not allowed to write {name}. Use Save as or Download to keep your changes.",
                    "error",
                    key="files",
                )
                return "failed"
            if check_disk:
                choice = await self._confirm_overwrite(handle, data, text)
                if choice != "overwrite":
                    return choice
            await fsa.write(handle, data)
            written = await handle.getFile()
        except JsException as exc:
            notify(
                f"Could not save {name}: {_js_message(exc)}. Your changes are still here.",
                "error",
                key="files",
            )
            return "failed"
        old_key = doc.draft_key
        doc.base = Base(data, text, int(written.size), float(written.lastModified))
        if handle is not doc.handle:
            await self._moved(doc, handle)
            await idb.remember("file", name, handle, secrets.token_hex(8))
            await self._refresh_recents()
        await self._after_save(doc, old_key, changes)
        notify(f"Saved {name}.", "success", key="files", timeout_ms=4000)
        return "saved"

    async def _confirm_overwrite(self, handle: Any, data: bytes, text: str) -> str:
        """Compare the file on disk with what we loaded; if someone else changed it, show both and ask.
        Returns 'overwrite', 'save-as' or 'failed' (cancelled)."""
        doc = self.doc
        assert doc is not None
        disk = await fsa.read_bytes(await handle.getFile())
        if not conflict.changed_on_disk(doc.base, disk, data):
            return "overwrite"
        disk_text = conflict.describe_disk(disk)
        choice = await ui.ask_conflict(
            doc.name,
            disk_text,
            text,
            conflict.diff_lines(disk_text, text, doc.name),
            fsa.supports("showSaveFilePicker"),
        )
        if choice in ("overwrite", "save-as"):
            return choice
        notify(
            f"Not saved: {doc.name} changed on disk. Your changes are still here (and in a draft).",
            "warning",
            key="files",
        )
        return "failed"

    async def _after_save(self, doc: OpenDocument, old_key: str, changes: int) -> None:
        await idb.delete("drafts", old_key)
        if doc is not self.doc:
            return
        if self._changes == changes:  # nothing typed while we were writing
            self._cancel_timer()
            self._set_dirty(False)
            mark = getattr(self.view, "mark_saved", None)
            if mark is not None:
                mark()
            ui.set_draft_state("saved")
        else:
            self._set_dirty(True)
            self._cancel_timer()
            self._draft_timer = asyncio.get_running_loop().call_later(0, self._flush_soon)
        ui.show_document(doc.name, doc.dirty)
        await self._refresh_offers()

    async def _download(self, as_save: bool) -> bool:
        """Download a copy; for a file we cannot write back this is how it gets saved, so it counts."""
        doc, current = self.doc, self._current()
        if doc is None or current is None:
            return False
        text, data = current
        fsa.download(data, doc.name)
        if as_save:
            old_key, changes = doc.draft_key, self._changes
            doc.base = Base(data, text, len(data), doc.base.last_modified)
            await self._after_save(doc, old_key, changes)
        notify(f"Downloaded {doc.name}.", "success", key="files", timeout_ms=4000)
        return True
