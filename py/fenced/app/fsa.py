"""Browser file access, shared by the rooms that read and write files (fenced.app.files: the notebook's file;
fenced.app.run: the outputs file): the File System Access API where it exists, `<input type=file>` and
downloads everywhere. Thin async wrappers over `js`, so callers read like the user's steps. What is a
Markdown file is the caller's business (`types`/`accept` arguments), not this module's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import js
from pyodide.ffi import create_once_callable, to_js

from fenced.app.jsffi import JsException, is_abort, obj, opt

MARKDOWN_MIME = "text/markdown;charset=utf-8"


def supports(name: str) -> bool:
    """Does this browser have `window.<name>` (e.g. "showSaveFilePicker")?"""
    return hasattr(js.window, name)


async def read_bytes(file: Any) -> bytes:
    """The whole File as bytes (the size is checked before this is called)."""
    data: bytes = (await file.arrayBuffer()).to_bytes()
    return data


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
    opts = obj(mode=mode)
    try:
        if await handle.queryPermission(opts) == "granted":
            return True
        return bool(await handle.requestPermission(opts) == "granted")
    except JsException:
        return False


async def relative_path(folder: Any, handle: Any) -> str | None:
    """`handle`'s path inside `folder` ("docs/a.md"), or None when it is elsewhere (or unknowable)."""
    try:
        parts = opt(await folder.resolve(handle))
    except (JsException, AttributeError):
        return None
    return "/".join(str(p) for p in parts) if parts else None


async def directory_of(folder: Any, path: str) -> Any:
    """The directory handle that holds `path` ("docs/a.md" -> folder/docs)."""
    for part in path.split("/")[:-1]:
        folder = await folder.getDirectoryHandle(part)
    return folder


async def pick_open(types: Sequence[dict[str, Any]]) -> Any | None:
    """showOpenFilePicker -> a FileSystemFileHandle, or None if the user cancelled."""
    try:
        handles = await js.window.showOpenFilePicker(obj(types=list(types), multiple=False, id="fenced"))
    except JsException as exc:
        if is_abort(exc):
            return None
        raise
    return handles[0] if handles.length else None


async def pick_save(suggested: str, types: Sequence[dict[str, Any]] | None = None) -> Any | None:
    """showSaveFilePicker -> a handle to write to, or None if the user cancelled."""
    options: dict[str, Any] = {"suggestedName": suggested}
    if types is not None:
        options["types"] = list(types)
    options["id"] = "fenced"
    try:
        return await js.window.showSaveFilePicker(obj(options))
    except JsException as exc:
        if is_abort(exc):
            return None
        raise


async def pick_folder() -> Any | None:
    try:
        return await js.window.showDirectoryPicker(obj(id="fenced-folder", mode="read"))
    except JsException as exc:
        if is_abort(exc):
            return None
        raise


async def pick_with_input(accept: str) -> Any | None:
    """The fallback picker: a hidden <input type=file>; resolves with the File (no handle)."""
    doc = js.document
    field = opt(doc.getElementById("open-file-input"))
    if field is None:
        field = doc.createElement("input")
        field.type = "file"
        field.id = "open-file-input"
        field.hidden = True
        field.accept = accept
        doc.body.appendChild(field)
    field.value = ""
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def settle(_event: Any) -> None:
        if not done.done():
            done.set_result(field.files.item(0) if field.files.length else None)

    field.addEventListener("change", create_once_callable(settle), obj(once=True))
    field.addEventListener("cancel", create_once_callable(settle), obj(once=True))
    field.click()
    return await done


async def entries(directory: Any) -> AsyncIterator[tuple[str, str, Any]]:
    """(kind, name, handle) for each entry of a FileSystemDirectoryHandle (the walk's interface)."""
    async for entry in directory.values():
        yield entry.kind, entry.name, entry


def download(data: bytes, name: str, mime: str = MARKDOWN_MIME) -> None:
    """Blob + object URL + <a download>: works in every browser, no permission needed."""
    blob = js.Blob.new(to_js([to_js(data)]), obj(type=mime))
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
