"""The open editors: every document opened stays open, with its edits in memory, until it is closed.

Switching files used to take the edits out of the view and into a draft banner (issue 14, item 2). Now
the document shown is *parked* (`NotebookView.park`: its model with the edits, its undo history,
selection and scroll position) when another one is shown, and *resumed* as it was when it is shown
again. Its dirty mark stays in the Folder panel and the "Open editors" list; its draft is written when it
is parked (so a crash loses nothing), but it is not offered as a draft while it is open. Closing a
document with unsaved edits asks first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app.view.events import DocumentRef, ParkedDocument

from . import ui
from .state import Base, Current, OpenDocument

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .handles import HandleBook

    class Switchable(Protocol):
        """What the open editors need of the view (`NotebookView`)."""

        async def show(self, text: str, doc: DocumentRef) -> None: ...

        def park(self) -> ParkedDocument | None: ...

        async def resume(self, parked: ParkedDocument) -> None: ...

        def close(self) -> None: ...

        def text(self) -> str: ...

    class DraftsPort(Protocol):
        def cancel_timer(self) -> bool: ...

        async def write(self, doc: OpenDocument | None = None, text: str | None = None) -> None: ...

        async def forget(self, doc: OpenDocument) -> None: ...

        async def move_aside(self, identity: str) -> None: ...

        async def put_aside(self, doc: OpenDocument, text: str) -> None: ...

        async def refresh_offers(self) -> None: ...

    Save = Callable[[], Awaitable[bool]]


class Editors:
    def __init__(
        self,
        current: Current,
        view: Switchable,
        drafts: DraftsPort,
        handles: HandleBook,
        on_state: Callable[[], None],
    ) -> None:
        self.current = current
        self.view = view
        self.drafts = drafts
        self.handles = handles
        self._on_state = on_state  # the open documents or the one shown changed: redraw their marks
        self.save: Save | None = None  # the saver's Save (set by the controller)

    # --- identity ---------------------------------------------------------------------------------

    async def identify(self, doc: OpenDocument, data: bytes | None = None) -> str:
        """`doc`'s identity (files/identity.py): its folder and path, its handle, its frontmatter id, or
        its name and content."""
        from . import identity

        folder_id = await self.handles.id_of(doc.folder) if doc.folder is not None and doc.path else ""
        file_id = await self.handles.id_of(doc.handle) if doc.handle is not None and not folder_id else ""
        runme = "" if folder_id or file_id else identity.runme_id(doc.base.text)
        return identity.choose(
            name=doc.name,
            data=doc.base.data if data is None else data,
            folder_id=folder_id,
            path=doc.path,
            file_id=file_id,
            runme_id=runme,
        )

    @staticmethod
    def ref(doc: OpenDocument) -> DocumentRef:
        return DocumentRef(doc.name, doc.path, doc.folder, doc.identity)

    # --- showing ----------------------------------------------------------------------------------

    async def _show_text(self, doc: OpenDocument, text: str) -> None:
        self.current.showing = True
        try:
            await self.view.show(text, self.ref(doc))
        finally:
            self.current.showing = False

    async def _resume(self, parked: ParkedDocument) -> None:
        self.current.showing = True
        try:
            await self.view.resume(parked)
        finally:
            self.current.showing = False

    async def park_current(self) -> None:
        """Put the document shown aside (its edits in memory, and in a draft if it has any)."""
        doc = self.current.doc
        if doc is None:
            return
        self.drafts.cancel_timer()
        parked = self.view.park()
        if parked is None:
            return
        doc.parked = parked
        doc.dirty = parked.text != doc.base.text
        if doc.dirty:
            await self.drafts.write(doc, parked.text)

    async def open(
        self,
        name: str,
        data: bytes,
        text: str,
        modified: float | None,
        handle: Any,
        folder: Any,
        path: str | None,
    ) -> OpenDocument:
        """Show a file just read: the open editor of the same file if there is one (with its edits, or
        with what is on disk now when it had none), else a new open editor."""
        async with self.current.switch:
            return await self._open(name, data, text, modified, handle, folder, path)

    async def _open(
        self,
        name: str,
        data: bytes,
        text: str,
        modified: float | None,
        handle: Any,
        folder: Any,
        path: str | None,
    ) -> OpenDocument:
        doc = OpenDocument(name, Base(data, text, len(data), modified), handle, folder, path)
        doc.identity = await self.identify(doc, data)
        same = self.current.find(doc.identity)
        if same is not None:
            fresh = not same.dirty and same.base.data != data
            if fresh:  # changed on disk and no edits here: show what is on disk now
                same.base, same.parked = doc.base, None
            same.handle, same.folder, same.path = (
                handle or same.handle,
                folder or same.folder,
                path or same.path,
            )
            if same is self.current.doc:
                if fresh:
                    await self._show_text(same, text)
                    self.current.changes = 0
                self._on_state()
                return same
            await self._activate(same)
            return same
        await self.drafts.move_aside(doc.identity)
        await self.park_current()
        await self._show_text(doc, text)
        self._adopt(doc)
        return doc

    async def open_draft(self, doc: OpenDocument, text: str) -> None:
        """Show a restored draft (`text`, not what is on disk) as an open editor with unsaved edits."""
        async with self.current.switch:
            await self._open_draft(doc, text)

    async def _open_draft(self, doc: OpenDocument, text: str) -> None:
        same = self.current.find(doc.identity)
        if same is not None:
            await self._activate(same)
            mine = self.view.text()
            if mine != same.base.text:  # its own edits stay on offer, as a draft aside
                await self.drafts.put_aside(same, mine)
            same.base, same.dirty = doc.base, True
            await self._show_text(same, text)
            self.current.changes = 0
            self._on_state()
            return
        await self.park_current()
        await self._show_text(doc, text)
        doc.dirty = True
        self._adopt(doc)

    def _adopt(self, doc: OpenDocument) -> None:
        if doc not in self.current.open:
            self.current.open.append(doc)
        self.current.doc = doc
        self.current.changes = 0
        self._on_state()

    async def activate(self, doc: OpenDocument) -> None:
        """Show an open document again, as it was left."""
        async with self.current.switch:
            await self._activate(doc)

    async def _activate(self, doc: OpenDocument) -> None:
        if doc is self.current.doc:
            return
        await self.park_current()
        parked, doc.parked = doc.parked, None
        if parked is not None:
            await self._resume(parked)
        else:
            await self._show_text(doc, doc.base.text)
        self._adopt(doc)

    # --- closing ----------------------------------------------------------------------------------

    async def close(self, doc: OpenDocument, ask: bool = True) -> bool:
        """Close `doc`; with unsaved edits, ask first (Save / Don't save / Cancel). False: still open."""
        cur = self.current
        if doc is cur.doc and not doc.dirty:
            doc.dirty = self.view.text() != doc.base.text  # typing not reported yet
        if doc.dirty and ask:
            choice = await ui.ask_close(doc.label)
            if choice == "cancel":
                return False
            if choice == "save":
                await self.activate(doc)
                if self.save is None or not await self.save() or doc.dirty:
                    return False
            else:
                await self.drafts.forget(doc)
        if doc not in cur.open:
            return True
        following = cur.next_after_closing(doc) if doc is cur.doc else cur.doc
        cur.open.remove(doc)
        doc.parked = None
        if doc is cur.doc:
            self.drafts.cancel_timer()
            cur.doc = None
            if following is not None:
                await self.activate(following)
            else:
                self.view.close()
                cur.changes = 0
        self._on_state()
        await self.drafts.refresh_offers()
        return True
