"""What the view tells the other rooms (pure, no `js`): which document it shows, and typed events about it.

`NotebookView.events` holds one `Signal` per event; fenced.app.files and fenced.app.run subscribe to them
(see docs/architecture.md, "Extension points of the view"):

    view.events.shown.subscribe(lambda e: print("now showing", e.doc.shown_name))

`DocumentRef` says which document is shown and where it came from. Whoever opens a document makes one
(fenced.app.files from a file, the test hook from a string) and hands it to `NotebookView.show`; the view
and everyone subscribed read it from there, so no room needs to ask another which file is open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from fenced.app.signals import Signal

# Events and DocumentRef are NamedTuples (immutable, typed): a class costs a third of a frozen dataclass in
# the boot snapshot's heap, which has little room (docs/architecture.md).


class DocumentRef(NamedTuple):
    """Which document the view shows and where it came from.

    `name` is the file's name (`README.md`); `path` its path inside `folder` (a FileSystemDirectoryHandle)
    when it was opened from an opened folder (`docs/README.md`), which is what relative images, links
    and the outputs file are resolved against. `key` is the document's identity as whoever opened it
    established it (fenced.app.files: the file's handle, its path in a folder, a frontmatter id or a
    dropped file's name and content; see files/identity.py); "" when there is none (a document shown
    from a string), and then the shown name stands in.
    """

    name: str
    path: str | None = None
    folder: Any = None
    key: str = ""

    @property
    def shown_name(self) -> str:
        """What the view calls the document: its path in the folder, else its file name."""
        return self.path or self.name

    @property
    def identity(self) -> str:
        """What per-document state outside the file (a runner session, which output each cell shows, a
        draft) is kept under: two different files never share it, the same file opened again does."""
        return self.key or self.shown_name


class ParkedDocument(NamedTuple):
    """A document taken out of the view as it was (`NotebookView.park`), to be shown again with
    `NotebookView.resume`: its model with the edits, undo history, selection and scroll position. `text`
    is what Save would write (taken when it was parked: a parked document does not change)."""

    doc: DocumentRef
    notebook: Any  # fenced.document.Notebook
    text: str
    history: Any  # view.history.History
    saved_len: int
    active: int
    scroll_y: float
    remote_allowed: bool


class DocumentShown(NamedTuple):
    """A document replaced the cells (`NotebookView.show` finished)."""

    doc: DocumentRef
    notebook: Any  # fenced.document.Notebook


class DocumentRenamed(NamedTuple):
    """The same document (cells, history) now lives elsewhere (Save as)."""

    doc: DocumentRef
    old: DocumentRef


class DocumentChanged(NamedTuple):
    """The notebook was edited (typing: after a short pause; a cell operation, undo, redo: at once)."""


class DocumentClosed(NamedTuple):
    """The view shows no document any more (the last open one was closed)."""

    doc: DocumentRef


class LinkOpened(NamedTuple):
    """A link in a rendered Markdown cell to a relative address (`other.md#part`, `../install`,
    `/installation`) was followed: the view prevented the browser's navigation and hands it over. The
    subscriber (fenced.app.files) resolves it against the document's place and opens it, or says why not.
    `href` is as written in the document."""

    href: str
    doc: DocumentRef


class CellsRendered(NamedTuple):
    """Cells `start .. start + size - 1` got new elements while the document stayed (an insert, an undo of
    a delete, a cell whose kind changed): whatever a room put inside the old elements (run output) must be
    put back into the new ones, found by `data-key`."""

    start: int
    size: int


class ViewEvents:
    """The view's signals. Subscribers run synchronously, in the order they subscribed."""

    def __init__(self, on_error: Callable[[str], None] | None = None) -> None:
        def signal(name: str) -> Any:
            return Signal(name, on_error) if on_error is not None else Signal(name)

        self.shown: Signal[DocumentShown] = signal("shown")
        self.closed: Signal[DocumentClosed] = signal("closed")
        self.renamed: Signal[DocumentRenamed] = signal("renamed")
        self.changed: Signal[DocumentChanged] = signal("changed")
        self.cells_rendered: Signal[CellsRendered] = signal("cells_rendered")
        self.link_opened: Signal[LinkOpened] = signal("link_opened")
