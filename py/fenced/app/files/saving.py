"""Save, Save as and Download.

"Save" writes back through the file's handle after checking the file on disk is still what we loaded;
a file without a handle (dropped, or picked with <input type=file>) goes through Save as where the
browser has it and Download everywhere else, and the user is told why.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app import fsa
from fenced.app.jsffi import JsException, js_message
from fenced.app.notify import notify

from . import conflict, kinds, state, ui
from .state import Base, Current, OpenDocument, SaveOutcome

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class Saved(Protocol):
        """What saving needs of the view."""

        def text(self) -> str: ...

        def mark_saved(self) -> None: ...

    class DraftsPort(Protocol):
        """What saving needs of the drafts (`drafts.Drafts`)."""

        def cancel_timer(self) -> bool: ...

        def write_next_tick(self) -> None: ...

        def set_dirty(self, doc: OpenDocument | None, dirty: bool) -> None: ...

        async def delete(self, key: str) -> None: ...

        async def refresh_offers(self) -> None: ...

    class PlacesPort(Protocol):
        """What saving needs of the folder part (`folder.Places`)."""

        async def moved(self, doc: OpenDocument, handle: Any) -> None: ...

        async def remember_file(self, name: str, handle: Any) -> None: ...


class Saver:
    def __init__(self, current: Current, view: Saved, drafts: DraftsPort, places: PlacesPort) -> None:
        self.current = current
        self.view = view
        self.drafts = drafts
        self.places = places
        self._saving = False

    def _contents(self) -> tuple[str, bytes] | None:
        doc = self.current.doc
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
        await self.current.settled()  # not halfway through showing another document
        doc = self.current.doc
        if doc is None:
            self._contents()
            return False
        how = state.save_target(doc, fsa.supports("showSaveFilePicker"))
        if how != "handle":
            notify(state.no_handle_reason(doc, how == "save-as"), "info", key="files-why")
            return await (self.save_as() if how == "save-as" else self._download(as_save=True))
        outcome = await self._one_at_a_time(self._save_to(doc.handle, check_disk=True))
        if outcome == "save-as":  # chosen in the changed-on-disk dialog
            return await self.save_as()
        return outcome == "saved"

    async def save_as(self) -> bool:
        await self.current.settled()  # not halfway through showing another document
        doc = self.current.doc
        if doc is None:
            self._contents()
            return False
        if not fsa.supports("showSaveFilePicker"):
            return await self._download(as_save=doc.handle is None)
        handle = await fsa.pick_save(doc.name, kinds.PICKER_TYPES)
        if handle is None:
            return False
        return await self._one_at_a_time(self._save_to(handle, check_disk=False)) == "saved"

    async def download(self) -> bool:
        await self.current.settled()  # not halfway through showing another document
        doc = self.current.doc
        return await self._download(as_save=doc is not None and doc.handle is None)

    async def _one_at_a_time(self, job: Coroutine[Any, Any, SaveOutcome]) -> SaveOutcome:
        """One save at a time (Ctrl+S pressed twice, or while the conflict dialog is open)."""
        if self._saving:
            job.close()
            return "busy"
        self._saving = True
        try:
            return await job
        finally:
            self._saving = False

    async def _save_to(self, handle: Any, check_disk: bool) -> SaveOutcome:
        """Write the notebook to `handle`."""
        doc, contents = self.current.doc, self._contents()
        if doc is None or contents is None:
            return "failed"
        text, data = contents
        changes = self.current.changes
        name = str(handle.name)
        try:
            if not await fsa.ensure_permission(handle, "readwrite"):
                notify(
                    f"Fenced was not allowed to write {doc.label}. Use Save as or Download to keep your changes.",
                    "error",
                    key="files",
                )
                return "failed"
            if check_disk:
                choice = await self._confirm_overwrite(doc, handle, data, text)
                if choice is not None:
                    return choice
            await fsa.write(handle, data)
            written = await handle.getFile()
        except JsException as exc:
            notify(
                f"Could not save {doc.label}: {js_message(exc)}. Your changes are still here.",
                "error",
                key="files",
            )
            return "failed"
        old_key = doc.draft_key
        doc.base = Base(data, text, int(written.size), float(written.lastModified))
        if handle is not doc.handle:
            await self.places.moved(doc, handle)
            await self.places.remember_file(name, handle)
        await self._after_save(doc, old_key, changes)
        notify(f"Saved {doc.label}.", "success", key="files", timeout_ms=4000)
        return "saved"

    async def _confirm_overwrite(
        self, doc: OpenDocument, handle: Any, data: bytes, text: str
    ) -> SaveOutcome | None:
        """Compare the file on disk with what we loaded; if someone else changed it, show both and ask.
        None: go ahead and write; else how the save ends instead (Save as chosen, or cancelled)."""
        disk = await fsa.read_bytes(await handle.getFile())
        if not conflict.changed_on_disk(doc.base, disk, data):
            return None
        disk_text = conflict.describe_disk(disk)
        choice = await ui.ask_conflict(
            doc.label,
            disk_text,
            text,
            conflict.diff_lines(disk_text, text, doc.name),
            fsa.supports("showSaveFilePicker"),
        )
        if choice == "overwrite":
            return None
        if choice == "save-as":
            return "save-as"
        notify(
            f"Not saved: {doc.label} changed on disk. Your changes are still here (and in a draft).",
            "warning",
            key="files",
        )
        return "failed"

    async def _after_save(self, doc: OpenDocument, old_key: str, changes: int) -> None:
        await self.drafts.delete(old_key)
        if doc is not self.current.doc:
            return
        if self.current.changes == changes:  # nothing typed while we were writing
            self.drafts.cancel_timer()
            self.drafts.set_dirty(doc, False)
            self.view.mark_saved()
            ui.set_draft_state("saved")
        else:
            self.drafts.set_dirty(doc, True)
            self.drafts.write_next_tick()
        await self.drafts.refresh_offers()

    async def _download(self, as_save: bool) -> bool:
        """Download a copy; for a file we cannot write back this is how it gets saved, so it counts."""
        doc, contents = self.current.doc, self._contents()
        if doc is None or contents is None:
            return False
        text, data = contents
        fsa.download(data, doc.name)
        if as_save:
            old_key, changes = doc.draft_key, self.current.changes
            doc.base = Base(data, text, len(data), doc.base.last_modified)
            await self._after_save(doc, old_key, changes)
        notify(f"Downloaded {doc.label}.", "success", key="files", timeout_ms=4000)
        return True
