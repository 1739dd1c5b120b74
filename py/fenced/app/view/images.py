"""Relative images in Markdown cells, resolved against the opened folder (a FileSystemDirectoryHandle).

The sanitiser moves a relative ``src`` to ``data-fenced-src``; here such paths are read from the folder
(``name`` may carry the document's own sub-path, e.g. ``docs/README.md``) and shown as blob URLs. With
no folder, or a path outside it, the image keeps its alt text and gets a title saying why.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import unquote

from .sanitize import REL_SRC_ATTR


def resolve_path(doc_name: str, src: str) -> str | None:
    """The image's path inside the folder, or None when it points outside it (pure)."""
    path = unquote(src.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    if not path or path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc_name.replace("\\", "/")), path))
    if joined.startswith("../") or joined == ".." or joined == ".":
        return None
    return joined


def same_directory(a: str, b: str) -> bool:
    """Do two document paths resolve relative images alike (pure)?"""
    return posixpath.dirname(a.replace("\\", "/")) == posixpath.dirname(b.replace("\\", "/"))


class ImageResolver:
    def __init__(self) -> None:
        self.folder: Any = None
        self.name = ""
        self._urls: dict[str, str] = {}

    def reset(self, folder: Any, name: str) -> None:
        import js

        for url in self._urls.values():
            js.URL.revokeObjectURL(url)
        self._urls.clear()
        self.folder, self.name = folder, name

    def rebase(self, folder: Any, name: str) -> bool:
        """The document moved (Save as). True when its images now resolve elsewhere, i.e. the ones
        shown must be resolved again; a new name in the same directory changes nothing."""
        same = folder is self.folder and same_directory(self.name, name)
        if same:
            self.name = name
        else:
            self.reset(folder, name)
        return not same

    async def resolve_in(self, element: Any) -> None:
        """Give every pending image under `element` a src (or a title saying why not)."""
        for img in element.querySelectorAll(f"img[{REL_SRC_ATTR}]"):
            src = str(img.getAttribute(REL_SRC_ATTR))
            img.removeAttribute(REL_SRC_ATTR)
            url = await self._url_for(src)
            if url:
                img.src = url
            else:
                img.title = f"{src}: open the folder that contains this document to see its images"
                img.classList.add("image-unavailable")

    async def _url_for(self, src: str) -> str | None:
        if self.folder is None:
            return None
        path = resolve_path(self.name, src)
        if path is None:
            return None
        if path in self._urls:
            return self._urls[path]
        import js

        try:
            handle = self.folder
            parts = path.split("/")
            for part in parts[:-1]:
                handle = await handle.getDirectoryHandle(part)
            file = await (await handle.getFileHandle(parts[-1])).getFile()
        except Exception:
            return None
        url = str(js.URL.createObjectURL(file))
        self._urls[path] = url
        return url
