"""Did the file change on disk since we opened it, and how do the two versions differ?

Checked at save time against the bytes we loaded (or last saved). A different lastModified with the same
bytes is not a conflict (a `touch`, a sync tool rewriting the same content), and neither is a disk
version equal to what we are about to write.
"""

from __future__ import annotations

import difflib

from fenced.app.files.state import Base

MAX_DIFF_LINES = 400  # a dialog, not a diff viewer: show the start and say there is more


def changed_on_disk(base: Base, disk: bytes, ours: bytes) -> bool:
    """True when saving `ours` would overwrite someone else's change."""
    return disk != base.data and disk != ours


def may_have_changed(base: Base, size: int, last_modified: float | None) -> bool:
    """Cheap pre-check from File metadata; when False the bytes still get compared by the caller if wanted."""
    if size != base.size:
        return True
    return last_modified is not None and base.last_modified is not None and last_modified != base.last_modified


def diff_lines(disk_text: str, our_text: str, name: str) -> list[str]:
    """Unified diff from the on-disk version to ours, capped at MAX_DIFF_LINES."""
    lines = list(
        difflib.unified_diff(
            disk_text.splitlines(), our_text.splitlines(), f"{name} (on disk)", f"{name} (yours)", lineterm="", n=2
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        more = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"... {more} more lines"]
    return lines


def describe_disk(disk: bytes) -> str:
    """The on-disk version as text for the dialog, replacing undecodable bytes visibly."""
    return disk.decode("utf-8", errors="replace")
