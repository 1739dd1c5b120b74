"""Save with outputs: a Runme session-outputs file (`README-<session>.md`) next to the runbook.

The runbook itself never gets output. The outputs file goes into the runbook's folder when it was
opened from an opened folder (through the folder handle, after asking for write access), else through
Save as (`showSaveFilePicker`, the name suggested), else as a download.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app import fsa
from fenced.app.jsffi import JsException, js_message, obj
from fenced.app.notify import notify
from fenced.app.view.events import DocumentRef

from .runs import Run

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from fenced.document.outputs import CellRun

    class Shown(Protocol):
        """What saving outputs needs of the view."""

        doc: DocumentRef | None

        @property
        def notebook(self) -> Any: ...

        @property
        def cells(self) -> Any: ...

        def key(self, cell: Any) -> int: ...

        def text(self) -> str: ...


def cell_runs(view: Shown, runs: dict[Hashable, Run], texts: dict[Hashable, str]) -> dict[int, CellRun]:
    """Finished runs by cell index (running ones are left out: their output is not complete)."""
    from fenced.document.outputs import CellRun  # on use: kept out of the boot snapshot

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


async def _folder_of(doc: DocumentRef) -> Any:
    """The directory handle the runbook is in, when it was opened from a folder; else None."""
    if doc.folder is None or not doc.path or not hasattr(doc.folder, "getDirectoryHandle"):
        return None
    return await fsa.directory_of(doc.folder, doc.path)


async def env_spec_of(doc: DocumentRef) -> str | None:
    """The text of the env spec next to the runbook (`.env.example`, Runme's owl format: which variables
    are secret), when the runbook was opened from a folder and the spec is there; else None."""
    from fenced.document.secrets import ENV_SPEC_FILE

    try:
        folder = await _folder_of(doc)
        if folder is None:
            return None
        handle = await folder.getFileHandle(ENV_SPEC_FILE)
        text = await (await handle.getFile()).text()
    except JsException:  # no such file, or no permission: the rule is the names and the frontmatter
        return None
    return str(text)[:1_000_000]


async def save_outputs(
    view: Shown, runs: dict[Hashable, Run], texts: dict[Hashable, str], session_id: str
) -> str:
    """Write the outputs file; returns where it went ("" if nothing was written)."""
    from fenced.app.loader import ensure_modules

    await ensure_modules()
    doc = view.doc
    if view.notebook is None or doc is None:
        notify("Nothing to save yet: open a runbook and run some cells first.", "info", key="run-save")
        return ""
    name = doc.name or "runbook.md"
    done = cell_runs(view, runs, texts)
    if not done:
        notify("No finished cell output to save yet.", "info", key="run-save", timeout_ms=5000)
        return ""
    from fenced.document.outputs import outputs_name, session_outputs

    text = session_outputs(
        view.text(), done, session_id, dt.datetime.now().astimezone().replace(microsecond=0)
    )
    data = text.encode("utf-8")
    target = outputs_name(name, session_id)
    try:
        folder = await _folder_of(doc)
        if folder is not None and await fsa.ensure_permission(folder, "readwrite"):
            handle = await folder.getFileHandle(target, obj(create=True))
            await fsa.write(handle, data)
            where = f"{target} next to {name}"
        elif fsa.supports("showSaveFilePicker"):
            handle = await fsa.pick_save(target)
            if handle is None:  # the user cancelled
                return ""
            await fsa.write(handle, data)
            where = str(handle.name)
        else:
            fsa.download(data, target)
            where = f"{target} (downloaded)"
    except JsException as exc:
        notify(f"Could not save the outputs: {js_message(exc)}", "error", key="run-save")
        return ""
    notify(
        f"Saved outputs of {len(done)} cell{'s' if len(done) != 1 else ''} to {where}.",
        "success",
        key="run-save",
        timeout_ms=6000,
    )
    return where


def write_in_file(
    view: Any, runs: dict[Hashable, Run], texts: dict[Hashable, str], secrets: list[str]
) -> int:
    """Outputs in this file (opt-in, `fenced.document.inline`): each finished cell's output goes into a
    `transform: false` block right below it, as operations of the view (one undo step each; a cell's
    existing block is replaced, every other cell's bytes stay). Returns how many cells got one; the
    caller then saves the document as usual."""
    from fenced.app.view.ops import InsertCells, SetSource
    from fenced.document.cell import Cell
    from fenced.document.inline import block_text, find_outputs

    nb = view.notebook
    if nb is None:
        return 0
    view.flush()
    done = cell_runs(view, runs, texts)
    placed = {p.index: p for p in find_outputs(nb)}
    for index in sorted(done, reverse=True):
        cell = nb.cells[index]
        block = block_text(cell.name, done[index], secrets)
        old = placed.get(index)
        if old is not None:
            source = block + old.holder.source[old.end :]
            if source != old.holder.source:
                view.run(SetSource(old.holder, old.holder.source, source, label="Save output in the file"))
        else:
            view.run(InsertCells(index + 1, [Cell.new_markdown(block)], label="Save output in the file"))
    return len(done)
