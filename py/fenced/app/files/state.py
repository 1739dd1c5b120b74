"""The open document as the file layer sees it: where it came from, what is on disk, is it dirty.

`base` is what we last read from or wrote to the file; "dirty" means the notebook's text differs from it.
Kept free of `js` (handles are opaque objects here) so the rules are unit-tested under CPython.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

APP_TITLE = "Fenced"
DIRTY_MARK = "\u25cf"  # ●, as editors mark unsaved tabs

DraftState = Literal["saved", "pending"]  # <body data-draft-state>: are the current edits in IndexedDB?
SaveTarget = Literal["handle", "save-as", "download"]  # how "Save" proceeds (`save_target`)
ConflictChoice = Literal["overwrite", "save-as", "cancel"]  # the changed-on-disk dialog's answer
CloseChoice = Literal["save", "discard", "cancel"]  # closing a document with unsaved edits


# How one attempt to write the notebook to a file ended: "failed" also when cancelled (the user was told,
# the edits are still there); "save-as": the user chose Save as instead (changed-on-disk dialog); "busy":
# another save was under way.
SaveOutcome = Literal["saved", "failed", "save-as", "busy"]


@dataclass
class Base:
    """The file's content and metadata when we last read or wrote it."""

    data: bytes
    text: str
    size: int
    last_modified: float | None = None  # ms since the epoch (File.lastModified); None if unknown

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class OpenDocument:
    """One open notebook file. `handle` is a FileSystemFileHandle or None (dropped / <input> files).

    Several may be open at once (the open editors); the one shown is `Current.doc`, the others keep
    what the view handed back when they were put aside (`parked`: the model with its edits, undo history,
    scroll position), so switching files keeps every edit in memory.
    """

    name: str
    base: Base
    handle: Any = None
    folder: Any = None  # FileSystemDirectoryHandle of the opened folder (relative images), or None
    path: str | None = None  # path inside `folder` when opened from the folder panel
    dirty: bool = False
    identity: str = ""  # what drafts, run state and sessions are kept under (files/identity.py)
    parked: Any = None  # view.events.ParkedDocument while another document is shown

    @property
    def can_write_back(self) -> bool:
        return self.handle is not None

    @property
    def label(self) -> str:
        """What messages and drafts call it: its path in the opened folder, else its file name."""
        return self.path or self.name

    @property
    def draft_key(self) -> str:
        """Its draft's key: the document's identity (one draft per file, whatever its name)."""
        return self.identity or draft_key(self.name, self.base)


def draft_key(name: str, base: Base) -> str:
    """Identity of an opened file version: name, size, mtime and content hash. (The key of a document
    without an identity; documents opened by fenced.app.files all have one.)"""
    mtime = "?" if base.last_modified is None else str(int(base.last_modified))
    return f"{name}|{base.size}|{mtime}|{base.digest[:16]}"


def aside_key(identity: str, updated: float) -> str:
    """The key a stored draft moves to when its document is opened again (`identity~time`): it stays on
    offer rather than being overwritten by the new edits' draft."""
    return f"{identity}~{int(updated)}"


def window_title(name: str | None, dirty: bool) -> str:
    """`● README.md — Fenced` while dirty, `README.md — Fenced` when saved, `Fenced` with no document."""
    if not name:
        return APP_TITLE
    return f"{DIRTY_MARK + ' ' if dirty else ''}{name} \u2014 {APP_TITLE}"


@dataclass
class Current:
    """What the parts of the file layer share: the open documents, the one shown, what happened to it."""

    doc: OpenDocument | None = None  # the document shown
    changes: int = 0  # edits reported since the document was shown (a save compares before and after)
    showing: bool = False  # the view is showing a document: its change events are not edits
    open: list[OpenDocument] = field(default_factory=list)  # the open editors, in the order opened
    # Held while the view switches documents: a save then would read one document's text and write it
    # to the other's file (Ctrl+S pressed right after a click in the Folder panel).
    switch: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def settled(self) -> None:
        """Return once no switch of the document shown is under way."""
        async with self.switch:
            return

    def find(self, identity: str) -> OpenDocument | None:
        """The open document with this identity, if any."""
        return next((d for d in self.open if d.identity == identity), None)

    def next_after_closing(self, doc: OpenDocument) -> OpenDocument | None:
        """Which document to show when `doc` (shown) is closed: the next one, else the previous one."""
        if doc not in self.open:
            return self.doc
        i = self.open.index(doc)
        rest = self.open[:i] + self.open[i + 1 :]
        return rest[min(i, len(rest) - 1)] if rest else None


def save_target(doc: OpenDocument, has_save_picker: bool) -> SaveTarget:
    """How "Save" proceeds: 'handle' (write back), 'save-as' (pick a file) or 'download'."""
    if doc.can_write_back:
        return "handle"
    return "save-as" if has_save_picker else "download"


def no_handle_reason(doc: OpenDocument, has_save_picker: bool) -> str:
    """Tell the user why Save does not write back to the file they opened."""
    how = "choose where to save it" if has_save_picker else "it is downloaded instead"
    return (
        f"{doc.label} was opened without write access (dropped or picked with the file input), "
        f"so Fenced cannot write it back in place: {how}."
    )


def age(seconds: float) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '2 days ago': when a draft was written."""
    s = max(0, int(seconds))
    if s < 60:
        return "just now"
    for unit, span in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= span:
            n = s // span
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"  # pragma: no cover


def distinct_labels(labels: list[str]) -> list[str]:
    """What the open editors list calls each document: its label, and for a namesake opened later (two
    README.md picked from different folders, which Fenced cannot name by path) ` (2)`, ` (3)`..."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        n = seen[label] = seen.get(label, 0) + 1
        out.append(label if n == 1 else f"{label} ({n})")
    return out
