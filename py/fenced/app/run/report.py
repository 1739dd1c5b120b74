"""File > Export HTML…: the runbook and this page's outputs as one self-contained HTML report.

The report is `fenced.document.export`'s (the CLI's `fenced export` writes the same): rendered Markdown,
highlighted code, each cell's last output with its ANSI colours, exit code, duration and start time, no
script and no request (CSS inline, a Content-Security-Policy meta tag). Outputs come from the runs of
this page (masked as they arrived, see `masking`); cells that did not run here show the output the file
keeps (outputs in this file), if any. Every secret value the session knows is masked again in code,
prose and outputs. Relative images are shown as their alt text (the page does not read the folder's
files for it). The export modules are imported here, on use: they are kept out of the boot snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from fenced.app import fsa
from fenced.app.jsffi import JsException, js_message
from fenced.app.notify import notify

from .runs import Run
from .save import cell_runs

if TYPE_CHECKING:
    from .save import Shown

HTML_TYPES = [{"description": "HTML report", "accept": {"text/html": [".html"]}}]


def report_name(name: str) -> str:
    """`deploy.md` -> `deploy.html`."""
    stem = name.rsplit("/", 1)[-1]
    for suffix in (".md", ".mdx", ".markdown", ".txt"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return f"{stem or 'runbook'}.html"


def report_html(
    view: Shown, runs: dict[Hashable, Run], outputs: dict[Hashable, str], secrets: Iterable[str]
) -> str:
    from fenced.document.export import export_html

    doc = view.doc
    title = (doc.shown_name if doc is not None else "") or "Runbook"
    return str(
        export_html(
            view.notebook,
            cell_runs(view, runs, outputs),
            title=title,
            secrets=secrets,
            generated=dt.datetime.now().astimezone().replace(microsecond=0),
        )
    )


async def export_report(
    view: Shown, runs: dict[Hashable, Run], outputs: dict[Hashable, str], secrets: Iterable[str]
) -> str:
    """Ask where to, and write the report; returns where it went ("" if nothing was written)."""
    from fenced.app.loader import ensure_modules

    if view.notebook is None:
        notify("Open a runbook first.", "info", key="run-export")
        return ""
    await ensure_modules()
    view.text()  # take the editors' latest text into the document
    data = report_html(view, runs, outputs, secrets).encode("utf-8")
    target = report_name(view.doc.name if view.doc is not None else "")
    try:
        if fsa.supports("showSaveFilePicker"):
            handle = await fsa.pick_save(target, HTML_TYPES)
            if handle is None:
                return ""
            await fsa.write(handle, data)
            where = str(handle.name)
        else:
            fsa.download(data, target, "text/html")
            where = f"{target} (downloaded)"
    except JsException as exc:
        notify(f"Could not export the report: {js_message(exc)}", "error", key="run-export")
        return ""
    notify(f"Exported the report to {where}.", "success", key="run-export", timeout_ms=6000)
    return where
