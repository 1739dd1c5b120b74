"""Markdown cell rendering: markdown-it-py (CommonMark + GFM tables + strikethrough), made safe on its
tokens.

Pure Python so it is tested under CPython; the browser calls `render()` for cells as they scroll into
view. markdown-it escapes all text itself; what it would pass through unescaped is raw HTML, and the
URLs of links and images. Raw HTML tokens are rewritten by `sanitize` (allowed, closed tags render;
anything else shows as text) with the tags of the whole cell balanced together, since a `<details>`
may open in one HTML block and close in another; links and images go through the same attribute
rules (remote images wait for consent in ``data-remote-src``). The editor bundle then runs DOMPurify on
the result before it enters the page.

A cell that starts with an output block of "Outputs in this file" (`fenced.document.inline`) shows the
block folded (`<details data-kept-output>`): the code cell above already shows that output, and
showing it twice made a runbook with outputs twice as long. The block stays one click away, also when
it no longer sits under its cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from html import escape
from typing import Any

from .sanitize import Fragment, balance, emit, split_html, tag_html

_md: Any = None


def _image(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    attrs: list[tuple[str, str | None]] = [("src", token.attrGet("src") or ""), ("alt", alt)]
    title = token.attrGet("title")
    if title:
        attrs.append(("title", title))
    return tag_html("img", attrs)


def _link_open(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    return tag_html("a", [(str(k), str(v)) for k, v in tokens[idx].attrs.items()])


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
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.add_render_rule("image", _image)
        md.add_render_rule("link_open", _link_open)
        md.add_render_rule("heading_open", _heading_open)
        from fenced.document.scanner import quiet_markdown_it_debug_logs

        quiet_markdown_it_debug_logs()
        _md = md
    return _md


def _html_tokens(tokens: Sequence[Any]) -> Iterator[Any]:
    """The raw HTML tokens of a cell, in document order."""
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            yield token
        elif token.children:
            yield from _html_tokens(token.children)


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
        md = _renderer()
        env: dict[str, Any] = {"anchors": iter(anchors)}
        tokens = md.parse(source, env)
        raw = list(_html_tokens(tokens))
        if raw:
            fragments: list[tuple[Any, Fragment]] = [(t, split_html(t.content)) for t in raw]
            balance(f for _, f in fragments)
            for token, fragment in fragments:
                token.content = emit(fragment)
        return str(md.renderer.render(tokens, md.options, env))
    except Exception:  # a renderer bug must not lose the cell: show its text
        return f"<pre>{escape(source)}</pre>"
