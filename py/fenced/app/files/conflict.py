"""Did the file change on disk since we opened it, and how do the two versions differ?

Checked at save time by reading the file again and comparing its bytes with those we loaded (or last
saved): lastModified and size alone would miss a same-size edit within the clock's resolution, and would
flag a `touch` or a sync tool rewriting the same content. A disk version equal to what we are about to
write is not a conflict either.
"""

from __future__ import annotations

from fenced.app.files.state import Base

MAX_DIFF_LINES = 400  # a dialog, not a diff viewer: show the start and say there is more


def changed_on_disk(base: Base, disk: bytes, ours: bytes) -> bool:
    """True when saving `ours` would overwrite someone else's change."""
    return disk != base.data and disk != ours


def diff_lines(disk_text: str, our_text: str, name: str) -> list[str]:
    """Unified diff from the on-disk version to ours, capped at MAX_DIFF_LINES."""
    import difflib  # only when a save meets a conflict: kept out of the boot snapshot's heap

    lines = list(
        difflib.unified_diff(
            disk_text.splitlines(),
            our_text.splitlines(),
            f"{name} (on disk)",
            f"{name} (yours)",
            lineterm="",
            n=2,
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        more = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... {more} more lines"]
    return lines


def describe_disk(disk: bytes) -> str:
    """The on-disk version as text for the dialog, replacing undecodable bytes visibly."""
    return disk.decode("utf-8", errors="replace")
