"""Markdown cell rendering: `fenced.document.mdhtml` (markdown-it-py, made safe on its tokens; the HTML
report renders with the same), plus the page's own: headings carry the document's anchors.

Pure Python so it is tested under CPython; the browser calls `render()` for cells as they scroll into
view. Remote images wait for consent in ``data-remote-src`` (`sanitize`). The editor bundle then runs
DOMPurify on the result before it enters the page.

A cell that starts with an output block of "Outputs in this file" (`fenced.document.inline`) shows the
block folded (`<details data-kept-output>`): the code cell above already shows that output, and
showing it twice made a runbook with outputs twice as long. The block stays one click away, also when
it no longer sits under its cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from fenced.document import mdhtml

_md: Any = None


def _heading_open(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    """`<h2 id="user-content-slug">`: the anchors the view counted over the whole document (`env["anchors"]`,
    in order); a heading beyond them (one the line scanner does not see) is slugged on its own."""
    from .anchors import PREFIX, Slugger

    token = tokens[idx]
    anchors = env.get("anchors")
    anchor = next(anchors, None) if anchors is not None else None
    if anchor is None:
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        text = self.renderInlineAsText(inline.children or [], options, env) if inline is not None else ""
        anchor = env.setdefault("slugger", Slugger()).next(text)
    return f'<{token.tag} id="{escape(PREFIX + anchor, quote=True)}">'


def _renderer() -> Any:
    global _md
    if _md is None:
        _md = mdhtml.renderer(heading_open=_heading_open)
    return _md


def _kept_output(source: str) -> tuple[str, str]:
    """(the folded HTML of the output block `source` starts with, the rest of the source), or ("", source)."""
    if source[:3] not in ("```", "~~~"):
        return "", source
    try:  # not in the boot snapshot: a document with such blocks waits for it (NotebookView.show)
        from fenced.document.inline import split_block
    except ImportError:  # a block typed in the first seconds after boot: shown as code until the next render
        return "", source

    kept, end = split_block(source)
    if kept is None:
        return "", source
    run = kept.run
    code = "" if run is None or run.exit_code is None else f", exit code {run.exit_code}"
    html = (
        f'<details data-kept-output="{escape(kept.cell)}">'
        f"<summary>Output of <code>{escape(kept.cell)}</code> kept in this file{code}</summary>"
        f"<pre><code>{escape(kept.text)}</code></pre></details>\n"
    )
    return html, source[end:].lstrip("\n")


def render(source: str, anchors: Iterable[str] = ()) -> str:
    """Safe HTML for a markdown cell's source; `anchors`: its headings' ids (`anchors.DocumentAnchors`)."""
    try:
        kept, source = _kept_output(source)
        if kept:
            return kept + render(source, anchors) if source.strip() else kept
        return mdhtml.render(_renderer(), source, {"anchors": iter(anchors)})
    except Exception:  # a renderer bug must not lose the cell: show its text
        return f"<pre>{escape(source)}</pre>"
