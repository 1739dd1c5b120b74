"""Files dropped on the page: the drop zone's highlight while a drag is over it, and the drop itself.

The DataTransfer gives its files (and their File System Access handles) only during the drop event, so
they are taken there, synchronously, and handed to `open_dropped` (the controller) to open. A drop of
anything but files (text, a link) is left to the browser and the editors.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import js

from fenced.app.jsffi import keep, obj, opt

from .tasks import spawn

#: (File, a promise of its FileSystemHandle or None) per dropped item, in the order dropped
Picks = list[tuple[Any, Any]]


class DropZone:
    def __init__(self, open_dropped: Callable[[Picks], Coroutine[Any, Any, None]]) -> None:
        self._open_dropped = open_dropped
        self._depth = 0  # dragenter minus dragleave: the highlight goes when the drag leaves the page

    def install(self) -> None:
        capture = obj(capture=True)
        for event, handler in (
            ("dragenter", self._on_drag),
            ("dragover", self._on_drag),
            ("dragleave", self._on_leave),
            ("drop", self._on_drop),
        ):
            js.window.addEventListener(event, keep(handler), capture)

    @staticmethod
    def _has_files(event: Any) -> bool:
        dt = opt(getattr(event, "dataTransfer", None))
        return dt is not None and "Files" in list(dt.types)

    def _highlight(self, on: bool) -> None:
        js.document.body.dataset.dragging = "true" if on else "false"
        zone = opt(js.document.getElementById("drop-zone"))
        if zone is not None:
            zone.classList.toggle("dragover", on)

    def _on_drag(self, event: Any) -> None:
        if not self._has_files(event):
            return
        event.preventDefault()  # allows the drop; the browser would otherwise open the file itself
        event.dataTransfer.dropEffect = "copy"
        if event.type == "dragenter":
            self._depth += 1
        self._highlight(True)

    def _on_leave(self, event: Any) -> None:
        if self._has_files(event):
            self._depth = max(0, self._depth - 1)
            if self._depth == 0:
                self._highlight(False)

    def _on_drop(self, event: Any) -> None:
        """Synchronous part: preventDefault now, and take what the DataTransfer only gives during the event."""
        if not self._has_files(event):
            return
        event.preventDefault()
        event.stopPropagation()  # a drop on a code editor must not paste the file into it
        self._depth = 0
        self._highlight(False)
        picks: Picks = []
        items = event.dataTransfer.items
        for i in range(items.length):
            item = items[i]
            if item.kind != "file":
                continue
            handle = item.getAsFileSystemHandle() if hasattr(item, "getAsFileSystemHandle") else None
            picks.append((item.getAsFile(), handle))
        if picks:
            spawn(self._open_dropped(picks))
