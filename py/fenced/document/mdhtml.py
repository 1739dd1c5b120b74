"""Markdown to safe HTML: the one configuration that the page's Markdown cells (`fenced.app.view.markdown`)
and the HTML report (`export`) share, so a runbook reads the same in both.

markdown-it-py, CommonMark with GFM tables and strikethrough. markdown-it escapes all text itself; what
it would pass through unescaped is raw HTML and the URLs of links and images. Raw HTML tokens are
rewritten by `sanitize` (allowed, closed tags render; anything else shows as text) with the tags of the
whole source balanced together, since a `<details>` may open in one HTML block and close in another;
links and images go through the same attribute rules (`sanitize.tag_html`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .sanitize import Fragment, balance, emit, split_html, tag_html

#: a markdown-it render rule, called as a method of its renderer: (renderer, tokens, idx, options, env)
RenderRule = Callable[[Any, Sequence[Any], int, Any, Any], str]


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


def renderer(**rules: RenderRule) -> Any:
    """A MarkdownIt with the shared configuration; `rules` add or replace render rules by token type."""
    from markdown_it import MarkdownIt

    from .scanner import quiet_markdown_it_debug_logs

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    for name, rule in {"image": _image, "link_open": _link_open, **rules}.items():
        md.add_render_rule(name, rule)
    quiet_markdown_it_debug_logs()
    return md


def _html_tokens(tokens: Sequence[Any]) -> Iterator[Any]:
    """The raw HTML tokens, in document order."""
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            yield token
        elif token.children:
            yield from _html_tokens(token.children)


def render(md: Any, source: str, env: dict[str, Any]) -> str:
    """Safe HTML for `source` with `md` (from `renderer`); `env` goes to the render rules."""
    tokens = md.parse(source, env)
    raw = list(_html_tokens(tokens))
    if raw:
        fragments: list[tuple[Any, Fragment]] = [(t, split_html(t.content)) for t in raw]
        balance(f for _, f in fragments)
        for token, fragment in fragments:
            token.content = emit(fragment)
    return str(md.renderer.render(tokens, md.options, env))
