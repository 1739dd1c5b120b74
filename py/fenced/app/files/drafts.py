"""The dirty state and drafts: edits go to an IndexedDB draft shortly after they happen (coalescing bursts
of typing), a tab being hidden or closed writes them at once, and every stored draft but the live one is
offered in the "Unsaved drafts" region (Restore / Discard).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app import fsa
from fenced.app.notify import notify
from fenced.app.view.events import DocumentRef

from . import idb, kinds, state, ui
from .state import Base, Current, OpenDocument
from .tasks import spawn

DRAFT_DELAY_S = 0.6  # after the last change; short enough that a crash loses little


if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class Text(Protocol):
        """What the drafts need of the view."""

        def text(self) -> str: ...

    Show = Callable[[str, DocumentRef], Awaitable[None]]


class Drafts:
    def __init__(self, current: Current, view: Text, show: Show) -> None:
        self.current = current
        self.view = view
        self._show = show  # show a document in the view (the controller's, which marks it as showing)
        self._timer: asyncio.TimerHandle | None = None
        self._offers: list[Any] = []

    # --- dirty state ------------------------------------------------------------------------------

    def on_change(self) -> None:
        """The view reports an edit: dirty now, draft shortly (coalescing bursts of typing)."""
        cur = self.current
        if cur.showing or cur.doc is None:
            return
        cur.changes += 1
        if not cur.doc.dirty:
            self.set_dirty(True)
            spawn(self.refresh_offers())
        ui.set_draft_state("pending")
        self.cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(DRAFT_DELAY_S, self.flush_soon)

    def set_dirty(self, dirty: bool) -> None:
        doc = self.current.doc
        if doc is not None:
            doc.dirty = dirty
        ui.show_document(doc.name if doc else None, dirty)

    def unsaved_now(self) -> bool:
        """Synchronous check for unload: also catches typing the view has not reported yet."""
        doc = self.current.doc
        if doc is None:
            return False
        if not doc.dirty:
            try:
                same = self.view.text() == doc.base.text
            except Exception:
                return False
            if same:
                return False
            self.set_dirty(True)
        return True

    # --- writing drafts ---------------------------------------------------------------------------

    def cancel_timer(self) -> bool:
        """Forget the pending draft write; True when there was one."""
        pending = self._timer is not None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return pending

    def flush_soon(self) -> None:
        """Write the pending draft now (the debounce timer fired, or we are leaving)."""
        if self.cancel_timer():
            spawn(self.write())

    def write_next_tick(self) -> None:
        """Edits came in while a save was writing: they go to a draft right after it."""
        self.cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(0, self.flush_soon)

    async def keep_unsaved(self) -> None:
        """Before another document replaces this one: its unsaved edits stay on offer as a draft."""
        if self.unsaved_now():
            self.cancel_timer()
            await self.write()

    async def write(self) -> None:
        cur = self.current
        doc = cur.doc
        if doc is None:
            return
        text = self.view.text()
        if text == doc.base.text:
            await idb.delete("drafts", doc.draft_key)
            if doc is cur.doc:
                self.set_dirty(False)
                await self.refresh_offers()
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
        if doc is cur.doc and self._timer is None:
            ui.set_draft_state("saved")

    def on_beforeunload(self, event: Any) -> None:
        if self.unsaved_now():
            self.cancel_timer()
            spawn(self.write())  # the prompt gives IndexedDB the time to commit
            event.preventDefault()
            event.returnValue = ""  # older browsers need a value to show the prompt

    def on_hidden(self, _event: Any) -> None:
        if js.document.visibilityState == "hidden" and self.unsaved_now():
            self.cancel_timer()
            spawn(self.write())  # a tab that is hidden may be killed without unload

    # --- offers -----------------------------------------------------------------------------------

    async def refresh_offers(self) -> None:
        """Offer every stored draft except the live one of the document being edited."""
        doc = self.current.doc
        records = await idb.all_records("drafts")
        live = doc.draft_key if doc is not None and doc.dirty else None
        self._offers = sorted((r for r in records if r.key != live), key=lambda r: -float(r.updated))
        now = time.time()
        ui.render_draft_offers([(r.name, state.age(now - float(r.updated) / 1000)) for r in self._offers])

    async def restore(self, i: int) -> None:
        rec = self._offers[i]
        cur = self.current
        base_text = str(rec.baseText)
        base = Base(kinds.encode(base_text), base_text, int(rec.baseSize), idb.field(rec, "baseModified"))
        handle, folder, path = idb.field(rec, "handle"), idb.field(rec, "folder"), idb.field(rec, "path")
        if cur.doc is not None and cur.doc.draft_key == rec.key:
            handle, folder, path = cur.doc.handle, cur.doc.folder, cur.doc.path  # the fresher handles
        else:
            await self.keep_unsaved()
        if folder is not None:
            await fsa.ensure_permission(folder, "read")  # relative images; the click allows the prompt
        name = str(rec.name)
        await self._show(str(rec.text), DocumentRef(name, path, folder))
        cur.doc = OpenDocument(name, base, handle, folder, path, dirty=True)
        self.set_dirty(True)
        ui.set_draft_state("saved")
        await self.refresh_offers()
        notify(f"Restored your unsaved changes to {rec.name}.", "success", key="files", timeout_ms=4000)

    async def discard(self, i: int) -> None:
        await idb.delete("drafts", self._offers[i].key)
        await self.refresh_offers()
