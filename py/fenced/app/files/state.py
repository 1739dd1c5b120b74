"""The open document as the file layer sees it: where it came from, what is on disk, is it dirty.

`base` is what we last read from or wrote to the file; "dirty" means the notebook's text differs from it.
Kept free of `js` (handles are opaque objects here) so the rules are unit-tested under CPython.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

APP_TITLE = "Fenced"
DIRTY_MARK = "\u25cf"  # ●, as editors mark unsaved tabs

DraftState = Literal["saved", "pending"]  # <body data-draft-state>: are the current edits in IndexedDB?
SaveTarget = Literal["handle", "save-as", "download"]  # how "Save" proceeds (`save_target`)
ConflictChoice = Literal["overwrite", "save-as", "cancel"]  # the changed-on-disk dialog's answer


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
    """One open notebook file. `handle` is a FileSystemFileHandle or None (dropped / <input> files)."""

    name: str
    base: Base
    handle: Any = None
    folder: Any = None  # FileSystemDirectoryHandle of the opened folder (relative images), or None
    path: str | None = None  # path inside `folder` when opened from the folder panel
    dirty: bool = False

    @property
    def can_write_back(self) -> bool:
        return self.handle is not None

    @property
    def draft_key(self) -> str:
        return draft_key(self.name, self.base)


def draft_key(name: str, base: Base) -> str:
    """Identity of an opened file version: name, size, mtime and content hash.

    FileSystemHandles have no path, and dropped files no handle at all, so a file is recognised by what
    it was when opened. Reopening the same unchanged file finds its draft; once saved, the key moves on.
    """
    mtime = "?" if base.last_modified is None else str(int(base.last_modified))
    return f"{name}|{base.size}|{mtime}|{base.digest[:16]}"


def window_title(name: str | None, dirty: bool) -> str:
    """`● README.md — Fenced` while dirty, `README.md — Fenced` when saved, `Fenced` with no document."""
    if not name:
        return APP_TITLE
    return f"{DIRTY_MARK + ' ' if dirty else ''}{name} \u2014 {APP_TITLE}"


@dataclass
class Current:
    """What the parts of the file layer share: the open document and what happened to it since."""

    doc: OpenDocument | None = None
    changes: int = 0  # edits reported since the document was opened (a save compares before and after)
    showing: bool = False  # the view is showing a document: its change events are not edits


def save_target(doc: OpenDocument, has_save_picker: bool) -> SaveTarget:
    """How "Save" proceeds: 'handle' (write back), 'save-as' (pick a file) or 'download'."""
    if doc.can_write_back:
        return "handle"
    return "save-as" if has_save_picker else "download"


def no_handle_reason(doc: OpenDocument, has_save_picker: bool) -> str:
    """Tell the user why Save does not write back to the file they opened."""
    how = "choose where to save it" if has_save_picker else "it is downloaded instead"
    return (
        f"{doc.name} was opened without write access (dropped or picked with the file input), "
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
