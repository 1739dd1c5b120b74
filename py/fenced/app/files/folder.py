"""Where files live: the opened folder (its tree in the Folder panel, search across its files, what
changed on disk), the recently opened files and folders, and where a saved-as file landed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app import fsa
from fenced.app.jsffi import JsException
from fenced.app.notify import notify
from fenced.app.view.events import DocumentRef

from . import idb, tree, ui, walk
from .folderindex import FolderIndex
from .folderpanel import FolderPanel
from .state import Current, OpenDocument
from .tasks import spawn

SEARCH_DELAY_S = 0.25

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class Renamable(Protocol):
        """What the folder part needs of the view."""

        def rename(self, doc: DocumentRef) -> None: ...

    # The controller's open_file(file, handle=None, folder=None, path=None, line=0) -> opened?
    OpenFile = Callable[..., Awaitable[bool]]
    Identify = Callable[[OpenDocument], Awaitable[str]]  # a document's identity after Save as moved it


class Places:
    def __init__(self, current: Current, view: Renamable, open_file: OpenFile, identify: Identify) -> None:
        self.current = current
        self.view = view
        self._open_file = open_file
        self._identify = identify
        self.folder: Any = None  # the opened folder's FileSystemDirectoryHandle, or None
        self._found: dict[str, walk.FoundFile] = {}  # path -> file, in panel order
        self._recents: list[Any] = []
        self.index = FolderIndex()
        self.panel = FolderPanel(
            lambda path, line: spawn(self.open_path(path, line)),
            self.close_folder,
            self._search_soon,
            lambda: spawn(self.refresh()),
        )
        self._search_task: asyncio.Future[None] | None = None

    def install(self) -> None:
        self.panel.install()

    # --- the opened folder ------------------------------------------------------------------------

    @property
    def paths(self) -> list[str]:
        """The folder's Markdown files, in panel order ([] with no folder)."""
        return list(self._found)

    @property
    def folder_name(self) -> str:
        return str(self.folder.name) if self.folder is not None else ""

    async def list_folder(self, root: Any, remember: bool) -> None:
        found, truncated = await walk.walk(root, fsa.entries)
        same = self.folder is not None and await _same(self.folder, root)
        if same:
            root = self.folder  # the open documents hold this one (`doc.folder is self.folder`)
        self.folder, self._found = root, {f.path: f for f in found}
        if not same:
            self.index.clear()
            for doc in self.current.open:  # documents restored or opened from this folder before
                if doc.folder is not None and doc.folder is not root and await _same(doc.folder, root):
                    doc.folder = root
        self.panel.show(str(root.name), list(self._found), truncated)
        self.mark()
        self.index.start(self._found.values(), self.mark)
        if remember:
            await idb.remember("directory", str(root.name), root, _new_id())
            await self.refresh_recents()

    async def adopt(self, folder: Any) -> Any:
        """The opened folder when `folder` is the same directory (a handle read back from IndexedDB is
        another object for it), else `folder`: documents of the open folder hold its very handle, which
        is how the panel knows them (`mark`)."""
        if folder is not None and self.folder is not None and await _same(self.folder, folder):
            return self.folder
        return folder

    def close_folder(self) -> None:
        self.folder, self._found = None, {}
        self.index.clear()
        self.panel.close()

    def mark(self) -> None:
        """The panel's marks: the document shown, the open ones with unsaved edits, runnable cells."""
        if self.folder is None:
            return

        here = [d for d in self.current.open if d.folder is self.folder and d.path]
        doc = self.current.doc
        current = doc.path if doc is not None and doc.folder is self.folder else None
        dirty = frozenset(str(d.path) for d in here if d.dirty)
        self.panel.set_marks(tree.FileMarks(current, dirty, self.index.runnable()))

    def reveal(self, path: str) -> None:
        self.panel.reveal(path)

    def found(self, path: str) -> walk.FoundFile | None:
        return self._found.get(path)

    async def open_path(self, path: str, line: int = 0) -> bool:
        """Open the folder's file at `path` (`line`: where a search hit is)."""
        found = self._found.get(path)
        if found is None:
            notify(f"{path} is no longer in {self.folder_name}.", "warning", key="files")
            return False
        try:
            file = await found.handle.getFile()
        except JsException as exc:
            if getattr(exc, "name", "") != "NotFoundError":
                raise
            notify(f"{path} was deleted or moved; the folder is listed again.", "warning", key="files")
            await self.refresh()
            return False
        return bool(await self._open_file(file, found.handle, self.folder, path, line=line))

    async def refresh(self) -> None:
        """Files were added, removed or changed on disk (the window got the focus back, or Refresh):
        list the folder again, and read the changed files again (their runnable cells)."""
        if self.folder is None:
            return
        try:
            await self.list_folder(self.folder, remember=False)
        except JsException as exc:
            notify(f"Could not read {self.folder_name} again: {exc}", "warning", key="files")

    def _search_soon(self, query: str) -> None:
        if self._search_task is not None and not self._search_task.done():
            self._search_task.cancel()

        async def later() -> None:
            await asyncio.sleep(SEARCH_DELAY_S)
            await self.search(query)

        self._search_task = spawn(later())

    async def search(self, query: str) -> list[tree.Hit]:
        """Search the folder's files (text and cell names); the panel lists the hits."""
        if not query.strip() or self.folder is None:
            self.panel.show_hits("", [])
            return []
        await self.index.scan(self._found.values(), self.mark)  # the files not read yet
        order = {path: i for i, path in enumerate(self._found)}
        files = sorted(self.index.texts(), key=lambda f: order.get(f[0], len(order)))
        hits = tree.search(query, files)
        self.panel.show_hits(query, hits)
        return hits

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
        """Save as put the document in another file: its name, handle, place (the folder that relative
        images and outputs files are resolved against) and identity follow it, in the view (so the run
        state moves too) and the folder panel. Its draft moves with its identity."""
        folder, path = await self.place(handle, doc.folder)
        doc.handle, doc.name, doc.folder, doc.path = handle, str(handle.name), folder, path
        doc.identity = await self._identify(doc)
        if doc is not self.current.doc:
            return
        self.view.rename(DocumentRef(doc.name, path, folder, doc.identity))
        if self.folder is None:
            return
        here = path if folder is self.folder else None
        if here is not None and here not in self._found:
            await self.list_folder(self.folder, remember=False)  # a new file in the open folder
        else:
            self.mark()

    # --- recent files and folders -----------------------------------------------------------------

    async def remember_file(self, name: str, handle: Any) -> None:
        await idb.remember("file", name, handle, _new_id())
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


def _new_id() -> str:
    import secrets  # (hmac and more: kept out of the boot snapshot's heap)

    return secrets.token_hex(8)


async def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(await a.isSameEntry(b))
    except (JsException, AttributeError):
        return False
