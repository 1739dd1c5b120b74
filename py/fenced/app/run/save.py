"""Save with outputs: a Runme session-outputs file (`README-<session>.md`) next to the runbook.

The runbook itself never gets output. The outputs file goes into the runbook's folder when it was
opened from an opened folder (through the folder handle, after asking for write access), else through
Save as (`showSaveFilePicker`, the name suggested), else as a download.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from fenced.app.notify import notify
from fenced.document.outputs import CellRun, outputs_name, session_outputs

from .engine import Run


def _obj(d: dict[str, Any]) -> Any:
    return to_js(d, dict_converter=js.Object.fromEntries)


def cell_runs(view: Any, runs: dict[Any, Run], texts: dict[Any, str]) -> dict[int, CellRun]:
    """Finished runs by cell index (running ones are left out: their output is not complete)."""
    out: dict[int, CellRun] = {}
    for index, cell in enumerate(view.cells):
        if cell.kind != "code":
            continue
        key = view.key(cell)
        run = runs.get(key)
        if run is None or run.running or key not in texts:
            continue
        started = dt.datetime.fromtimestamp(run.started_at).astimezone()
        out[index] = CellRun(texts[key], run.exit_code, started.replace(microsecond=0), run.duration_ms)
    return out


async def _folder_of(doc: Any) -> Any:
    """The directory handle the runbook is in, when it was opened from a folder; else None."""
    folder, path = getattr(doc, "folder", None), getattr(doc, "path", None)
    if folder is None or not path or not hasattr(folder, "getDirectoryHandle"):
        return None
    for part in str(path).split("/")[:-1]:
        folder = await folder.getDirectoryHandle(part)
    return folder


async def _permitted(handle: Any) -> bool:
    if not hasattr(handle, "queryPermission"):
        return True
    opts = _obj({"mode": "readwrite"})
    if await handle.queryPermission(opts) == "granted":
        return True
    return await handle.requestPermission(opts) == "granted"


async def _write(handle: Any, data: bytes) -> None:
    writable = await handle.createWritable()
    await writable.write(to_js(data))
    await writable.close()


async def save_outputs(
    files: Any, view: Any, runs: dict[Any, Run], texts: dict[Any, str], session_id: str
) -> str:
    """Write the outputs file; returns where it went ("" if nothing was written)."""
    doc = getattr(files, "doc", None)
    if view.notebook is None:
        notify("Nothing to save yet: open a runbook and run some cells first.", "info", key="run-save")
        return ""
    name = getattr(doc, "name", None) or view.name or "runbook.md"
    done = cell_runs(view, runs, texts)
    if not done:
        notify("No finished cell output to save yet.", "info", key="run-save", timeout_ms=5000)
        return ""
    text = session_outputs(
        view.text(), done, session_id, dt.datetime.now().astimezone().replace(microsecond=0)
    )
    data = text.encode("utf-8")
    target = outputs_name(name, session_id)
    try:
        folder = await _folder_of(doc) if doc is not None else None
        if folder is not None and await _permitted(folder):
            handle = await folder.getFileHandle(target, _obj({"create": True}))
            await _write(handle, data)
            where = f"{target} next to {name}"
        elif hasattr(js.window, "showSaveFilePicker"):
            handle = await js.window.showSaveFilePicker(_obj({"suggestedName": target, "id": "fenced"}))
            await _write(handle, data)
            where = str(handle.name)
        else:
            from fenced.app.files import fsa

            fsa.download(data, target)
            where = f"{target} (downloaded)"
    except JsException as exc:
        if getattr(exc, "name", "") == "AbortError":
            return ""
        notify(f"Could not save the outputs: {getattr(exc, 'message', exc)}", "error", key="run-save")
        return ""
    notify(
        f"Saved outputs of {len(done)} cell{'s' if len(done) != 1 else ''} to {where}.",
        "success",
        key="run-save",
        timeout_ms=6000,
    )
    return where
