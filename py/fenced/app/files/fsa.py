"""Browser file access: the File System Access API where it exists, <input type=file> and downloads
everywhere. Thin async wrappers over `js`, so the controller reads like the user's steps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import js
from pyodide.ffi import JsException, create_once_callable, create_proxy, to_js

from fenced.app.files import kinds

_keep: list[Any] = []


def obj(d: dict[str, Any]) -> Any:
    """A plain JS object from a dict (nested dicts too); JS values inside stay themselves."""
    return to_js(d, dict_converter=js.Object.fromEntries)


def present(value: Any) -> Any:
    """None for JS null/undefined (Pyodide maps them to None or jsnull), else the value."""
    if value is None or type(value).__name__ == "JsNull":
        return None
    return value


def is_abort(exc: BaseException) -> bool:
    """The user closed a picker: not an error worth telling them about."""
    return isinstance(exc, JsException) and getattr(exc, "name", "") == "AbortError"


def supports(name: str) -> bool:
    return hasattr(js.window, name)


def _types() -> Any:
    return [{"description": "Markdown", "accept": kinds.ACCEPT_TYPES}]


async def read_bytes(file: Any) -> bytes:
    """The whole File as bytes (the size is checked before this is called)."""
    return (await file.arrayBuffer()).to_bytes()


async def write(handle: Any, data: bytes) -> None:
    """Replace the file's content; the browser swaps the file in atomically on close()."""
    writable = await handle.createWritable()
    try:
        await writable.write(to_js(data))
    except BaseException:
        await writable.abort()
        raise
    await writable.close()


async def ensure_permission(handle: Any, mode: str) -> bool:
    """queryPermission, then requestPermission (which needs the click we are handling)."""
    if not hasattr(handle, "queryPermission"):
        return True
    opts = obj({"mode": mode})
    try:
        if await handle.queryPermission(opts) == "granted":
            return True
        return await handle.requestPermission(opts) == "granted"
    except JsException:
        return False


async def relative_path(folder: Any, handle: Any) -> str | None:
    """`handle`'s path inside `folder` ("docs/a.md"), or None when it is elsewhere (or unknowable)."""
    try:
        parts = present(await folder.resolve(handle))
    except (JsException, AttributeError):
        return None
    return "/".join(str(p) for p in parts) if parts else None


async def pick_open() -> Any | None:
    """showOpenFilePicker -> a FileSystemFileHandle, or None if the user cancelled."""
    try:
        handles = await js.window.showOpenFilePicker(
            obj({"types": _types(), "multiple": False, "id": "fenced"})
        )
    except JsException as exc:
        if is_abort(exc):
            return None
        raise
    return handles[0] if handles.length else None


async def pick_save(suggested: str) -> Any | None:
    """showSaveFilePicker -> a handle to write to, or None if the user cancelled."""
    try:
        return await js.window.showSaveFilePicker(
            obj({"suggestedName": suggested, "types": _types(), "id": "fenced"})
        )
    except JsException as exc:
        if is_abort(exc):
            return None
        raise


async def pick_folder() -> Any | None:
    try:
        return await js.window.showDirectoryPicker(obj({"id": "fenced-folder", "mode": "read"}))
    except JsException as exc:
        if is_abort(exc):
            return None
        raise


async def pick_with_input() -> Any | None:
    """The fallback picker: a hidden <input type=file>; resolves with the File (no handle)."""
    doc = js.document
    field = present(doc.getElementById("open-file-input"))
    if field is None:
        field = doc.createElement("input")
        field.type = "file"
        field.id = "open-file-input"
        field.hidden = True
        field.accept = ",".join(sorted(kinds.MARKDOWN_EXTENSIONS)) + ",text/markdown,text/plain"
        doc.body.appendChild(field)
    field.value = ""
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def settle(_event: Any) -> None:
        if not done.done():
            done.set_result(field.files.item(0) if field.files.length else None)

    field.addEventListener("change", create_once_callable(settle), obj({"once": True}))
    field.addEventListener("cancel", create_once_callable(settle), obj({"once": True}))
    field.click()
    return await done


async def entries(directory: Any) -> AsyncIterator[tuple[str, str, Any]]:
    """(kind, name, handle) for each entry of a FileSystemDirectoryHandle (the walk's interface)."""
    async for entry in directory.values():
        yield entry.kind, entry.name, entry


def download(data: bytes, name: str) -> None:
    """Blob + object URL + <a download>: works in every browser, no permission needed."""
    blob = js.Blob.new(to_js([to_js(data)]), obj({"type": "text/markdown;charset=utf-8"}))
    url = js.URL.createObjectURL(blob)
    link = js.document.createElement("a")
    link.href = url
    link.download = name
    link.hidden = True
    js.document.body.appendChild(link)
    link.click()
    link.remove()
    revoke = create_once_callable(lambda: js.URL.revokeObjectURL(url))
    js.setTimeout(revoke, 30_000)


def keep(fn: Any) -> Any:
    """A proxy for an event handler that lives as long as the page."""
    proxy = create_proxy(fn)
    _keep.append(proxy)
    return proxy
