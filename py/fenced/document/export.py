"""A runbook and its outputs as one self-contained HTML report, readable without script or network.

For sharing a run (``fenced export``; the page's File > Export HTML... can call :func:`export_html`
too, it is pure Python): the Markdown rendered with the page's allow-list (:mod:`.sanitize`), each code
cell highlighted (:mod:`.highlight`) with its output below it -- colours as inline-styled spans
(:mod:`.ansi`), exit code, duration and start time -- and every value the caller knows to be secret
masked, in outputs, code and prose alike.

Self-contained and quiet: one file with its CSS inline, system fonts, no script at all, and nothing that
loads from anywhere. A remote image becomes a link showing its alt text (a report opened later must not
tell a server it was read); a relative image is inlined as a ``data:`` URL when the caller can read it
(``images``), else shown as its alt text. A Content-Security-Policy meta tag (no script, no connection,
images from ``data:`` only) backs this up should anything slip through.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape, unescape
from typing import Any

from . import loads, mdhtml
from .ansi import to_html
from .catalog import catalog
from .cell import CODE
from .export_style import CSS
from .highlight import highlight
from .inline import find_outputs
from .notebook import Notebook
from .outputs import CellRun, go_duration, go_time
from .redact import redact_text
from .sanitize import REL_SRC_ATTR, REMOTE_SRC_ATTR

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-src 'none'"
)
ImageLoader = Callable[[str], str | None]  # a relative image path -> a data: URL, or None
_IMG = re.compile(r"<img(?P<attrs>(?: [a-z-]+(?:=\"[^\"]*\")?)*)>")
_ATTR = re.compile(r' ([a-z-]+)(?:="([^"]*)")?')
_md: Any = None


def _renderer() -> Any:
    global _md
    if _md is None:
        _md = mdhtml.renderer()
    return _md


def render_markdown(source: str) -> str:
    """Safe HTML for Markdown (the page's rules: raw HTML tags balanced over the whole cell)."""
    return mdhtml.render(_renderer(), source, {})


def _offline_images(html: str, images: ImageLoader | None) -> str:
    """Images that would load from somewhere: inlined, or a link/alt text instead (see the docstring)."""

    def replace(m: re.Match[str]) -> str:
        attrs = {k: v or "" for k, v in _ATTR.findall(m.group("attrs"))}
        alt = attrs.get("alt", "")
        if "src" in attrs:  # already a data: image (the sanitiser allows only those)
            return m.group()
        remote = attrs.get(REMOTE_SRC_ATTR)
        if remote:
            return f'<a class="image-link" href="{remote}">[image: {alt or remote}]</a>'
        relative = attrs.get(REL_SRC_ATTR)
        data = images(unescape(relative)) if relative and images else None
        if data:
            return f'<img src="{escape(data, quote=True)}" alt="{alt}">'
        return f'<span class="image-alt">[image: {alt or relative or ""}]</span>'

    return _IMG.sub(replace, html) if "<img" in html else html


def _when(run: CellRun) -> str:
    return go_time(run.started)


def _output(run: CellRun, secrets: Sequence[str]) -> str:
    code = run.exit_code
    state = "ok" if code == 0 else "failed"
    exit_text = "no exit code" if code is None else f"exit code {code}"
    meta = f"{exit_text} \u00b7 {go_duration(run.duration_ms)} \u00b7 started {escape(_when(run))}"
    body = to_html(redact_text(run.output, secrets))
    return (
        f'<div class="output {state}" data-output data-exit-code="{"" if code is None else code}">'
        f'<div class="run">{meta}</div><pre>{body}</pre></div>'
    )


def export_html(
    document: Notebook | str,
    runs: Mapping[int, CellRun] | None = None,
    *,
    title: str = "",
    secrets: Iterable[str] = (),
    generated: dt.datetime | None = None,
    images: ImageLoader | None = None,
) -> str:
    """The report (a whole HTML document) for a runbook; `runs` by index in its cells. A cell without a
    run shows the output kept in the file (outputs in this file), if any."""
    nb = loads(document) if isinstance(document, str) else document
    hidden = list(secrets)
    placed = {p.index: p for p in find_outputs(nb)}
    holders = {id(p.holder): p.end for p in placed.values()}
    merged: dict[int, CellRun] = {i: p.output.run for i, p in placed.items() if p.output.run is not None}
    merged.update(runs or {})
    names = {id(e.cell): e.name for e in catalog(nb)}
    parts: list[str] = []
    ran = failed = 0
    for index, cell in enumerate(nb.cells):
        if cell.kind != CODE:
            source = cell.source[holders[id(cell)] :] if id(cell) in holders else cell.source
            if source.strip():
                html = _offline_images(render_markdown(redact_text(source, hidden)), images)
                parts.append(f'<div class="md">{html}</div>')
            continue
        name = names.get(id(cell), cell.name)
        language = cell.language or ""
        code = highlight(redact_text(cell.source, hidden), language)
        head = f'<span class="name">{escape(name)}</span>'
        if language:
            head += f' <span class="lang">{escape(language)}</span>'
        run = merged.get(index)
        if run is not None:
            ran += 1
            failed += run.exit_code != 0
            output = _output(run, hidden)
        else:
            output = '<div class="output none" data-output="none"><div class="run">not run</div></div>'
        parts.append(
            f'<section class="cell" data-cell="{escape(name, quote=True)}">'
            f'<div class="cell-head">{head}</div>'
            f'<pre class="code"><code>{code}</code></pre>{output}</section>'
        )
    cells = sum(1 for c in nb.cells if c.kind == CODE)
    stamp = f" on {escape(go_time(generated))}" if generated else ""
    summary = f"{cells} cells, {ran} ran" + (f", {failed} failed" if failed else "")
    heading = escape(title or "Runbook")
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{heading}</title>\n<style>{CSS}</style></head>\n"
        f'<body><header><h1 class="title">{heading}</h1>'
        f'<p class="summary">Exported by Fenced{stamp}: {summary}.</p></header>\n'
        "<main>\n" + "\n".join(parts) + "\n</main></body></html>\n"
    )
