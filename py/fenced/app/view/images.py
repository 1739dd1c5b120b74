"""Images in Markdown cells: relative ones from the opened folder, remote ones only with consent.

The sanitiser moves a relative ``src`` to ``data-fenced-src``; here such paths are read from the folder
(a FileSystemDirectoryHandle; ``name`` may carry the document's own sub-path, e.g. ``docs/README.md``)
and shown as blob URLs. With no folder, or a path outside it, the image keeps its alt text and gets a
title saying why.

A remote image (``http(s)``) would tell its host who opened the runbook and when (a tracking pixel), so
the sanitiser parks its URL in ``data-remote-src``; opening a document contacts no other host. A bar
above the cells names the hosts and offers "Load remote images", as a mail client does; the choice holds
for this opened document (a new one, or the same file opened again, asks again) and the images are then
fetched with ``referrerpolicy=no-referrer``.
"""

from __future__ import annotations

import posixpath
from html import escape
from typing import Any
from urllib.parse import unquote, urlsplit

from .sanitize import REL_SRC_ATTR, REMOTE_SRC_ATTR


def images_pending(html: str) -> bool:
    """Does rendered HTML hold images the view must resolve (relative) or hold back (remote)?"""
    return REL_SRC_ATTR in html or REMOTE_SRC_ATTR in html


def host_of(url: str) -> str:
    """The host[:port] an image URL would contact, for the consent bar (pure)."""
    try:
        return urlsplit(url.strip()).netloc or url
    except ValueError:
        return url


def resolve_path(doc_name: str, src: str) -> str | None:
    """The image's path inside the folder, or None when it points outside it (pure)."""
    path = unquote(src.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    if not path or path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc_name.replace("\\", "/")), path))
    if joined.startswith("../") or joined == ".." or joined == ".":
        return None
    return joined


def unavailable_title(src: str, folder_open: bool, path: str | None) -> str:
    """Why a relative image is not shown (pure): no folder is open, it points outside the folder, or
    the folder has no such file. Never "open the folder" while that folder is open (issue 14)."""
    if not folder_open:
        return f"{src}: open the folder that contains this document to see its images"
    if path is None:
        return f"{src}: outside the opened folder, so Fenced cannot show it"
    return f"{src}: not found in the opened folder ({path})"


def same_directory(a: str, b: str) -> bool:
    """Do two document paths resolve relative images alike (pure)?"""
    return posixpath.dirname(a.replace("\\", "/")) == posixpath.dirname(b.replace("\\", "/"))


class ImageResolver:
    def __init__(self) -> None:
        self.folder: Any = None
        self.name = ""
        self._urls: dict[str, str] = {}
        self.remote_allowed = False  # the user chose "Load remote images" for the document shown
        self._hosts: list[str] = []  # hosts of the remote images held back so far
        self._bar: Any = None  # the consent bar, while it is shown
        self._container: Any = None  # the cells' container the bar sits above
        self._proxies: list[Any] = []

    def reset(self, folder: Any, name: str) -> None:
        """A new document is shown: its images resolve from `folder`, remote ones wait for consent."""
        self._forget_files(folder, name)
        self.remote_allowed = False
        self._hosts.clear()
        self._remove_bar()

    def _forget_files(self, folder: Any, name: str) -> None:
        import js

        for url in self._urls.values():
            js.URL.revokeObjectURL(url)
        self._urls.clear()
        self.folder, self.name = folder, name

    def rebase(self, folder: Any, name: str) -> bool:
        """The document moved (Save as). True when its images now resolve elsewhere, i.e. the ones
        shown must be resolved again; a new name in the same directory changes nothing. It is the same
        document: the choice about remote images stands."""
        same = folder is self.folder and same_directory(self.name, name)
        if same:
            self.name = name
        else:
            self._forget_files(folder, name)
        return not same

    async def resolve_in(self, element: Any) -> None:
        """Give every pending image under `element` a src (or a title saying why not); hold back remote
        ones until the user allows them."""
        remote = element.querySelectorAll(f"img[{REMOTE_SRC_ATTR}]")
        if remote.length:
            if self.remote_allowed:
                for img in remote:
                    _load_remote(img)
            else:
                self._hold_back(element, remote)
        for img in element.querySelectorAll(f"img[{REL_SRC_ATTR}]"):
            src = str(img.getAttribute(REL_SRC_ATTR))
            img.removeAttribute(REL_SRC_ATTR)
            url = await self._url_for(src)
            if url:
                img.src = url
            else:
                img.title = unavailable_title(src, self.folder is not None, resolve_path(self.name, src))
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

    # --- remote images ---------------------------------------------------------------------------

    def _hold_back(self, element: Any, images: Any) -> None:
        new = False
        for img in images:
            host = host_of(str(img.getAttribute(REMOTE_SRC_ATTR)))
            img.classList.add("image-remote")  # shows its alt text meanwhile
            if host not in self._hosts:
                self._hosts.append(host)
                new = True
        from fenced.app.jsffi import (
            closest,
        )  # js: imported in the browser only (this module is tested in CPython)

        container = closest(element, ".nb-cells") or element.parentElement
        if self._bar is None:
            self._show_bar(container)
        elif new:
            self._bar.querySelector(".remote-images-hosts").textContent = ", ".join(self._hosts)

    def _show_bar(self, container: Any) -> None:
        import js

        from fenced.app.jsffi import keep

        if not self._proxies:
            self._proxies.append(keep(lambda _event: self.allow_remote()))
        bar = js.document.createElement("div")
        bar.className = "remote-images"
        bar.setAttribute("role", "region")
        bar.setAttribute("aria-label", "Remote images")
        bar.innerHTML = (
            "<p>This document shows images from other hosts: "
            f'<span class="remote-images-hosts">{escape(", ".join(self._hosts))}</span>. '
            "They are not loaded until you allow it, since loading them tells those hosts that this "
            'document was opened.</p><button type="button" class="remote-images-load">Load remote images</button>'
        )
        bar.querySelector("button").addEventListener("click", self._proxies[0])
        container.parentElement.insertBefore(bar, container)
        self._bar, self._container = bar, container

    def _remove_bar(self) -> None:
        if self._bar is not None:
            self._bar.remove()
        self._bar = None

    def allow_remote(self) -> None:
        """The user allowed remote images for this document: load the ones shown, and later ones."""
        self.remote_allowed = True
        container = self._container
        self._remove_bar()
        if container is not None:
            for img in container.querySelectorAll(f"img[{REMOTE_SRC_ATTR}]"):
                _load_remote(img)


def _load_remote(img: Any) -> None:
    url = str(img.getAttribute(REMOTE_SRC_ATTR))
    img.removeAttribute(REMOTE_SRC_ATTR)
    img.classList.remove("image-remote")
    img.referrerPolicy = "no-referrer"  # before src: the request is made with the policy it has then
    img.src = url
