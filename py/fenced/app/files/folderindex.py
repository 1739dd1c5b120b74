"""What the opened folder's files hold: their text (for search across files) and their runnable cells (the
count the Folder panel shows per file), read in the background and kept while the file is unchanged
(same size and lastModified).

Runnable cells come from fenced.document's own rules (`catalog`: a code cell that runs, by the name people
type), the ones Run all and the CLI use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import NamedTuple

from fenced.app.jsffi import JsException

from . import kinds
from .walk import FoundFile


class Indexed(NamedTuple):
    size: int
    modified: float
    text: str
    cells: tuple[tuple[str, int], ...]  # (name, line) of its runnable cells (fenced.document.catalog)

    @property
    def runnable(self) -> tuple[str, ...]:
        return tuple(name for name, _line in self.cells)


def runnable_cells(text: str) -> tuple[tuple[str, int], ...]:
    """(name, first line) of the runnable cells of a document's text (pure)."""
    from fenced.document import loads
    from fenced.document.catalog import catalog

    return tuple((e.name, e.cell.line or 0) for e in catalog(loads(text)) if e.runnable)


class FolderIndex:
    def __init__(self) -> None:
        self._entries: dict[str, Indexed] = {}
        self._task: asyncio.Future[None] | None = None

    def clear(self) -> None:
        self._entries.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def runnable(self) -> dict[str, tuple[str, ...]]:
        return {path: e.runnable for path, e in self._entries.items()}

    async def entry(self, found: FoundFile) -> Indexed | None:
        """The file's entry, read again when it changed on disk; None if it cannot be read as text."""
        try:
            file = await found.handle.getFile()
            size, modified = int(file.size), float(file.lastModified)
            old = self._entries.get(found.path)
            if old is not None and old.size == size and old.modified == modified:
                return old
            if size > kinds.MAX_BYTES:
                return None
            data = (await file.arrayBuffer()).to_bytes()
            text = kinds.decode_markdown(found.path, data)
        except (JsException, kinds.FileRejected):
            self._entries.pop(found.path, None)
            return None
        try:
            cells = runnable_cells(text)
        except Exception:  # a document fenced.document cannot read still has text to search
            cells = ()
        entry = Indexed(size, modified, text, cells)
        self._entries[found.path] = entry
        return entry

    async def scan(self, files: Iterable[FoundFile], changed: Callable[[], None]) -> None:
        """Read every file not indexed (or changed), yielding to the page between files; `changed`
        after each batch, so the panel shows counts as they come."""
        batch = 0
        for found in list(files):
            before = self._entries.get(found.path)
            after = await self.entry(found)
            if after is not before:
                batch += 1
            if batch >= 8:
                changed()
                batch = 0
            await asyncio.sleep(0)
        if batch:
            changed()

    def start(self, files: Iterable[FoundFile], changed: Callable[[], None]) -> None:
        """`scan` in the background (a new listing cancels the one under way)."""
        from .tasks import spawn

        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = spawn(self.scan(files, changed))

    def texts(self) -> list[tuple[str, str, tuple[tuple[str, int], ...]]]:
        """(path, text, runnable cells' (name, line)) of every file indexed so far (search's input)."""
        return [(path, e.text, e.cells) for path, e in self._entries.items()]
