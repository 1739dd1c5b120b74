"""The dirty state and drafts: no edit is ever lost (issue 11, item 3).

- While typing, the shown document's draft is written to IndexedDB at most `DRAFT_DELAY_S` after the
  first edit not in a draft yet (a throttle, not a debounce: steady typing writes one at least every
  ~1.6 s, since the editor reports edits at least every second while typing).
- When the page goes away (`pagehide`, `visibilitychange: hidden`, `beforeunload`) every open document's
  edits are written *synchronously* to localStorage (`PENDING_KEY`): an IndexedDB write started then
  may never finish on a closing tab. The next load moves them into IndexedDB (`migrate_pending`).
- Drafts are keyed by the document's identity (files/identity.py), so nine files called index.md have
  nine drafts, and the same file opened again finds its own. Every stored draft of a document that is not
  open is offered in the "Unsaved drafts" region (Restore / Discard), named by its path in the folder.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import JsException, LocalStorage

from . import idb, state, ui
from .state import Current, OpenDocument
from .tasks import spawn

DRAFT_DELAY_S = 0.6  # from the first edit not in a draft to the draft's write
PENDING_KEY = "fenced.drafts.pending"  # localStorage: drafts written while the page went away


if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .handles import HandleBook

    class Text(Protocol):
        """What the drafts need of the view."""

        def text(self) -> str: ...

    Restore = Callable[[Any], Awaitable[None]]  # open a stored draft's record in an editor


class Drafts:
    def __init__(
        self,
        current: Current,
        view: Text,
        handles: HandleBook,
        on_state: Callable[[], None],
    ) -> None:
        self.current = current
        self.view = view
        self.handles = handles
        self._on_state = on_state  # the dirty marks changed: header, open editors, folder panel
        self.restore_record: Restore | None = None  # set by the controller (opening is its job)
        self._timer: asyncio.TimerHandle | None = None
        self._offers: list[Any] = []
        self._storage = LocalStorage()

    # --- dirty state ------------------------------------------------------------------------------

    def on_change(self) -> None:
        """The view reports an edit: dirty now, a draft soon (at most DRAFT_DELAY_S from the first
        edit not written yet, however fast the typing goes on)."""
        cur = self.current
        if cur.showing or cur.doc is None:
            return
        cur.changes += 1
        if not cur.doc.dirty:
            self.set_dirty(cur.doc, True)
        ui.set_draft_state("pending")
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(DRAFT_DELAY_S, self.flush_soon)

    def set_dirty(self, doc: OpenDocument | None, dirty: bool) -> None:
        if doc is not None and doc.dirty != dirty:
            doc.dirty = dirty
        self._on_state()

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
            self.set_dirty(doc, True)
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
        """Write the pending draft now (the timer fired, or we are leaving)."""
        self._timer = None
        spawn(self.write())

    def write_next_tick(self) -> None:
        """Edits came in while a save was writing: they go to a draft right after it."""
        self.cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(0, self.flush_soon)

    def record(self, doc: OpenDocument, text: str, with_handles: bool = True) -> dict[str, Any]:
        """A draft record (`with_handles=False`: for localStorage, which cannot hold handles; the next
        load finds them again from the identity)."""
        rec: dict[str, Any] = {
            "key": doc.draft_key,
            "identity": doc.identity,
            "name": doc.name,
            "label": doc.label,
            "path": doc.path,
            "text": text,
            "baseText": doc.base.text,
            "baseSize": doc.base.size,
            "baseModified": doc.base.last_modified,
            "updated": float(js.Date.now()),
        }
        if with_handles:
            rec["handle"], rec["folder"] = doc.handle, doc.folder
        return rec

    async def write(self, doc: OpenDocument | None = None, text: str | None = None) -> None:
        """Write `doc`'s draft (default: the document shown, with the view's text); a document back to
        its saved text has none."""
        cur = self.current
        doc = doc or cur.doc
        if doc is None:
            return
        if text is None:
            if doc is not cur.doc:
                return
            text = self.view.text()
        if text == doc.base.text:
            await self.delete(doc.draft_key)
            if doc.dirty:
                self.set_dirty(doc, False)
        else:
            await idb.put("drafts", self.record(doc, text))
            self._drop_pending(doc.draft_key)  # IndexedDB has it now, and newer
        if doc is cur.doc and self._timer is None:
            ui.set_draft_state("saved")

    async def forget(self, doc: OpenDocument) -> None:
        """The user chose not to keep `doc`'s edits (Close, "Don't save")."""
        await self.delete(doc.draft_key)

    async def delete(self, key: str) -> None:
        """No draft under `key` any more (saved, discarded), in IndexedDB nor among the unload ones."""
        self._drop_pending(key)
        await idb.delete("drafts", key)

    def _drop_pending(self, key: str) -> None:
        pending = self._pending()
        if key in pending:
            del pending[key]
            if pending:
                self._storage.set(PENDING_KEY, json.dumps(pending))
            else:
                self._storage.remove(PENDING_KEY)

    # --- leaving the page -------------------------------------------------------------------------

    def save_now(self) -> bool:
        """Every open document's unsaved edits into localStorage, synchronously (the page is going
        away); an IndexedDB write is started too. True when there was anything unsaved."""
        cur = self.current
        self.unsaved_now()  # the shown document's typing not reported yet
        pending: dict[str, Any] = {}
        for doc in cur.open:
            if not doc.dirty:
                continue
            try:
                text = self.view.text() if doc is cur.doc else (doc.parked.text if doc.parked else None)
            except Exception:
                continue
            if text is None or text == doc.base.text:
                continue
            pending[doc.draft_key] = self.record(doc, text, with_handles=False)
        if not pending:
            return False
        self.cancel_timer()
        old = self._pending()
        old.update(pending)
        self._storage.set(PENDING_KEY, json.dumps(old))
        for doc in cur.open:
            if doc.draft_key in pending:
                spawn(self.write(doc, pending[doc.draft_key]["text"]))
        return True

    def on_beforeunload(self, event: Any) -> None:
        if self.save_now():
            event.preventDefault()  # the prompt; the edits are already safe whatever the answer
            event.returnValue = ""  # older browsers need a value to show the prompt

    def on_leave(self, event: Any) -> None:
        """`pagehide`, or `visibilitychange` to hidden."""
        if leaving(event):
            self.save_now()

    def _pending(self) -> dict[str, Any]:
        try:
            value = json.loads(self._storage.get(PENDING_KEY) or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    async def migrate_pending(self) -> None:
        """At startup: drafts saved synchronously by the last page go into IndexedDB (unless a newer one
        is there already), with their handles found again from their identities."""
        pending = self._pending()
        if not pending:
            return
        from .identity import parse

        for key, rec in pending.items():
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                continue
            try:
                stored = await idb.get("drafts", str(key))
                if stored is not None and float(stored.updated) >= float(rec.get("updated") or 0):
                    continue
                source = parse(str(rec.get("identity") or ""))
                found = await self.handles.handle(source.handle_id)
                if source.kind == "folder":
                    rec["folder"] = found
                elif source.kind == "file":
                    rec["handle"] = found
                await idb.put("drafts", {**rec, "key": str(key)})
            except (JsException, TypeError, ValueError) as exc:
                js.console.warn(f"Fenced: a draft saved at unload could not be moved: {exc}")
        self._storage.remove(PENDING_KEY)

    # --- offers -----------------------------------------------------------------------------------

    async def move_aside(self, identity: str) -> None:
        """The document `identity` is being opened: a draft an earlier page left for it moves aside
        (`state.aside_key`), so it stays on offer instead of being overwritten by new edits."""
        if not identity:
            return
        rec = await idb.get("drafts", identity)
        if rec is None:
            return
        await idb.put("drafts", {**rec.to_py(), "key": state.aside_key(identity, float(rec.updated))})
        await idb.delete("drafts", identity)

    async def put_aside(self, doc: OpenDocument, text: str) -> None:
        """Keep `text` as a draft of `doc` that is offered (not its live one, which new edits replace)."""
        rec = self.record(doc, text)
        await idb.put("drafts", {**rec, "key": state.aside_key(doc.draft_key, rec["updated"])})

    async def refresh_offers(self) -> None:
        """Offer every stored draft except the live ones (the open documents': they are in memory)."""
        live = {d.draft_key for d in self.current.open}
        records = await idb.all_records("drafts")
        self._offers = sorted((r for r in records if str(r.key) not in live), key=lambda r: -float(r.updated))
        now = time.time()
        # Namesakes (two README.md dropped from different folders: no path to tell them apart) get the
        # open editors' ` (2)`, so each offer has its own name.
        labels = state.distinct_labels([label_of(r) for r in self._offers])
        ui.render_draft_offers(
            [
                (label, state.age(now - float(r.updated) / 1000))
                for label, r in zip(labels, self._offers, strict=True)
            ]
        )

    async def restore(self, i: int) -> None:
        if self.restore_record is not None:
            await self.restore_record(self._offers[i])

    async def discard(self, i: int) -> None:
        await self.delete(str(self._offers[i].key))
        await self.refresh_offers()


def leaving(event: Any) -> bool:
    """Whether a `pagehide` or `visibilitychange` event means the page may be gone next: a hidden tab may
    be killed without an unload."""
    return str(js.document.visibilityState) == "hidden" or str(getattr(event, "type", "")) == "pagehide"


def label_of(record: Any) -> str:
    """A stored draft's name for the user: its path in its folder (`docs/index.md`), else its name."""
    return str(idb.field(record, "label") or idb.field(record, "path") or record.name)
