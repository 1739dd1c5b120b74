"""Where files live: the opened folder (its panel of Markdown files), the recently opened files and
folders, and where a saved-as file landed (its folder and path, which the view is told).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app import fsa
from fenced.app.jsffi import JsException
from fenced.app.notify import notify
from fenced.app.view.events import DocumentRef

from . import idb, ui, walk
from .state import Current, OpenDocument

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class Renamable(Protocol):
        """What the folder part needs of the view."""

        def rename(self, doc: DocumentRef) -> None: ...

    OpenFile = Callable[..., Awaitable[bool]]  # the controller's open_file(file, handle, folder, path)


class Places:
    def __init__(self, current: Current, view: Renamable, open_file: OpenFile) -> None:
        self.current = current
        self.view = view
        self._open_file = open_file
        self.folder: Any = None  # the opened folder's FileSystemDirectoryHandle, or None
        self._found: list[walk.FoundFile] = []
        self._recents: list[Any] = []

    # --- the opened folder ------------------------------------------------------------------------

    async def list_folder(self, root: Any, remember: bool) -> None:
        found, truncated = await walk.walk(root, fsa.entries)
        self.folder, self._found = root, found
        doc = self.current.doc
        ui.render_folder(
            str(root.name), [f.path for f in found], doc.path if doc is not None else None, truncated
        )
        if remember:
            await idb.remember("directory", str(root.name), root, secrets.token_hex(8))
            await self.refresh_recents()

    def close_folder(self) -> None:
        self.folder, self._found = None, []
        ui.close_folder()

    def mark_current(self, path: str | None) -> None:
        """The document at `path` (None: none of the folder's) is the one open."""
        if self.folder is not None:
            ui.mark_current(path)

    async def open_found(self, i: int) -> None:
        found = self._found[i]
        await self._open_file(await found.handle.getFile(), found.handle, self.folder, found.path)

    async def place(self, handle: Any, old_folder: Any) -> tuple[Any, str | None]:
        """(folder, path inside it) of a file: the open folder first, then the one the document came
        from; (None, None) when it is in neither (its neighbours are then out of reach)."""
        for folder in (self.folder, old_folder):
            if folder is not None:
                path = await fsa.relative_path(folder, handle)
                if path is not None:
                    return folder, path
        return None, None

    async def moved(self, doc: OpenDocument, handle: Any) -> None:
        """Save as put the document in another file: its name, handle and place (the folder that
        relative images and outputs files are resolved against) follow it, in the view and the
        folder panel too. Drafts follow by themselves: their key and record come from `doc`."""
        folder, path = await self.place(handle, doc.folder)
        doc.handle, doc.name, doc.folder, doc.path = handle, str(handle.name), folder, path
        if doc is not self.current.doc:
            return
        self.view.rename(DocumentRef(doc.name, path, folder))
        if self.folder is None:
            return
        here = path if folder is self.folder else None
        if here is not None and here not in {f.path for f in self._found}:
            await self.list_folder(self.folder, remember=False)  # a new file in the open folder
        else:
            ui.mark_current(here)

    # --- recent files and folders -----------------------------------------------------------------

    async def remember_file(self, name: str, handle: Any) -> None:
        await idb.remember("file", name, handle, secrets.token_hex(8))
        await self.refresh_recents()

    async def refresh_recents(self) -> None:
        records = await idb.all_records("recents")
        self._recents = sorted(records, key=lambda r: -float(r.opened))
        ui.render_recents([(str(r.kind), str(r.name)) for r in self._recents])

    async def open_recent(self, i: int) -> None:
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
                await self.list_folder(rec.handle, remember=True)
            else:
                await self._open_file(await rec.handle.getFile(), rec.handle)
        except JsException as exc:
            if getattr(exc, "name", "") != "NotFoundError":
                raise
            notify(f"{rec.name} is no longer there; removed it from the recent list.", "warning", key="files")
            await idb.delete("recents", rec.id)
            await self.refresh_recents()

    async def forget_recent(self, i: int) -> None:
        await idb.delete("recents", self._recents[i].id)
        await self.refresh_recents()
