"""Raw HTML in untrusted Markdown: which tags render, with which attributes (pure Python, no `js`).

Runbooks are untrusted: a document's raw HTML must never run script, attach an event handler, restyle
or spoof the app (``class``, ``id``, ``data-*``, ``style`` are dropped, so a document cannot fake
``data-cell-index`` or clobber the page's ids), navigate with ``javascript:`` URLs or contact another
host on its own (a remote image's address is parked in ``data-remote-src`` until the user allows it).

It must not hide text either. A browser parses a stray ``<video>``, ``<textarea>``, ``<style>``,
``<svg>``... in prose as the start of an element that swallows the rest of the cell, and a sanitiser
can only remove what the parser already swallowed. So the decision is made on markdown-it's tokens,
before anything is parsed as HTML: a raw tag renders only when it is on the allow-list and, unless it
is void or may omit its end tag, is closed later in the same cell; every other tag, every unfinished
``<``, doctype, processing instruction or CDATA section is shown as the text it is. Only complete
``<!-- comments -->`` are dropped, as GitHub does. What renders is re-serialised from the parsed name
and the cleaned attributes, never copied.

This is one of two layers: the editor bundle passes the result through DOMPurify with the allow-list
of `policy()` (web/editor/sanitize.js), i.e. the browser's own parse of it is checked again.

It lives in ``fenced.document`` (pure Python) so that code outside the browser (``fenced export``, and the
page's own File > Export HTML) uses the same allow-list as the page: ``fenced.app.view.sanitize`` is a
re-export of this module. Remote and relative images come out parked in ``data-remote-src``/
``data-fenced-src``; :mod:`fenced.document.export` turns them into links or inlined data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any, Literal

VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "frame",
        "keygen",
    }
)

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "wbr",
    }
)

#: Allowed elements whose end tag HTML lets you leave out: left open, they hide nothing.
OPTIONAL_END = frozenset(
    {"p", "li", "dt", "dd", "rt", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption"}
)

GLOBAL_ATTRS = frozenset({"title", "lang", "dir"})
TAG_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan", "align", "style"}),
    "th": frozenset({"colspan", "rowspan", "align", "style", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "code": frozenset({"class"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
}

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
IMAGE_DATA = re.compile(r"^data:image/(png|jpe?g|gif|webp|avif|bmp);", re.I)

_NUMBER = re.compile(r"^\d{1,6}$")
_LANG_CLASS = re.compile(r"^language-[\w+#.-]{1,40}$")
_TEXT_ALIGN = re.compile(r"^\s*text-align\s*:\s*(left|right|center)\s*;?\s*$", re.I)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_STRIP = re.compile(r"[\t\n\r]")

#: Attribute a relative image's path is moved to; the view resolves it against the opened folder.
REL_SRC_ATTR = "data-fenced-src"
#: Attribute a remote image's URL is moved to; the view loads it once the user allows remote images.
REMOTE_SRC_ATTR = "data-remote-src"
#: Attributes the app itself puts on rendered elements (never taken from the document).
APP_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"target", "rel"}),
    "img": frozenset({REL_SRC_ATTR, REMOTE_SRC_ATTR, "loading", "referrerpolicy"}),
    # Headings' anchors (view/anchors.py), always `user-content-...`: never an id of the page's own.
    **{f"h{level}": frozenset({"id"}) for level in range(1, 7)},
    # An output block of "Outputs in this file", folded (view/markdown.py): the cell it belongs to.
    "details": frozenset({"data-kept-output"}),
}


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see (after removing tab/newline and edge control chars), lowercased."""
    cleaned = _URL_STRIP.sub("", url).strip("".join(chr(i) for i in range(0x21)))
    m = _SCHEME.match(cleaned)
    return m.group(1).lower() if m else None


def is_relative(url: str) -> bool:
    cleaned = url.strip()
    return url_scheme(url) is None and not cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


def safe_link(url: str) -> bool:
    scheme = url_scheme(url)
    return (
        scheme in LINK_SCHEMES if scheme is not None else not url.strip().startswith(("\\\\", "/\\", "\\/"))
    )


def clean_attrs(tag: str, attrs: Iterable[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The attributes `tag` may keep (first of each name), values checked; URLs moved where the view
    expects them. ``None`` values are boolean attributes."""
    allowed = TAG_ATTRS.get(tag, frozenset())
    out: dict[str, str | None] = {}
    for name, value in attrs:
        if name in out or not (name in GLOBAL_ATTRS or name in allowed):
            continue
        v = value or ""
        if name in ("width", "height", "colspan", "rowspan", "start", "value", "span"):
            if not _NUMBER.match(v.strip()):
                continue
            v = v.strip()
        elif name == "class":
            keep = [c for c in v.split() if _LANG_CLASS.match(c)]
            if not keep:
                continue
            v = " ".join(keep)
        elif name == "style":
            m = _TEXT_ALIGN.match(v)
            if not m:
                continue
            v = f"text-align:{m.group(1).lower()}"
        elif (
            (name == "dir" and v.lower() not in ("ltr", "rtl", "auto"))
            or (name == "align" and v.lower() not in ("left", "right", "center"))
            or (name == "type" and v not in ("1", "a", "A", "i", "I"))
        ):
            continue
        elif name in ("reversed", "open"):
            out[name] = None
            continue
        out[name] = v
    if tag == "a":
        href = out.get("href")
        if href is not None and not safe_link(href):
            del out["href"]
        elif href is not None and not href.strip().startswith("#"):
            out["target"] = "_blank"
            out["rel"] = "noopener noreferrer"
    elif tag == "img":
        src = out.pop("src", None)
        if src is not None:
            scheme = url_scheme(src)
            if scheme in IMAGE_SCHEMES:
                out[REMOTE_SRC_ATTR] = src.strip()
            elif scheme == "data" and IMAGE_DATA.match(src.strip()):
                out["src"] = src.strip()
            elif is_relative(src) and src.strip():
                out[REL_SRC_ATTR] = src.strip()
        out["loading"] = "lazy"
        out["referrerpolicy"] = "no-referrer"
    return list(out.items())


def tag_html(tag: str, attrs: Iterable[tuple[str, str | None]]) -> str:
    """An allowed start tag, its attributes cleaned and escaped."""
    parts = [f"<{tag}"]
    for name, value in clean_attrs(tag, attrs):
        parts.append(f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"')
    parts.append(">")
    return "".join(parts)


# --- raw HTML, as markdown-it hands it over -------------------------------------------------------

# CommonMark's definitions (the ones markdown-it uses to find raw HTML), so a tag is what the spec says.
_ATTR = r"""\s+([a-zA-Z_:][a-zA-Z0-9:._-]*)(?:\s*=\s*([^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?"""
_ATTRS = r"""(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)*"""
_MARKUP = re.compile(
    r"<(?:(?P<open>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>" + _ATTRS + r")\s*/?>"
    r"|/(?P<close>[A-Za-z][A-Za-z0-9-]*)\s*>"
    r"|(?P<comment>!---?>|!--(?:[^-]|-[^-]|--[^>])*-->))"
)
_ATTR_RE = re.compile(_ATTR)


@dataclass(slots=True)
class Piece:
    """A run of raw HTML: text, a comment, or a start/end tag; `render` is decided by `balance`."""

    kind: Literal["text", "tag", "comment"]
    raw: str
    name: str = ""
    closing: bool = False
    attrs: str = ""
    render: bool = False


@dataclass(slots=True)
class Fragment:
    """The pieces of one raw-HTML token (a cell's tags are balanced across all its fragments)."""

    pieces: list[Piece] = field(default_factory=list)


def split_html(raw: str) -> Fragment:
    """Cut raw HTML into text, comments and complete tags; a ``<`` that starts none of them is text."""
    pieces: list[Piece] = []
    pos = 0
    text_start = 0
    n = len(raw)
    while True:
        pos = raw.find("<", pos)
        if pos < 0:
            break
        m = _MARKUP.match(raw, pos)
        if m is None:
            pos += 1
            continue
        if text_start < pos:
            pieces.append(Piece("text", raw[text_start:pos]))
        if m.group("comment") is not None:
            pieces.append(Piece("comment", m.group(0)))
        elif m.group("open") is not None:
            pieces.append(Piece("tag", m.group(0), m.group("open").lower(), False, m.group("attrs")))
        else:
            pieces.append(Piece("tag", m.group(0), m.group("close").lower(), True))
        pos = text_start = m.end()
    if text_start < n:
        pieces.append(Piece("text", raw[text_start:]))
    return Fragment(pieces)


def balance(fragments: Iterable[Fragment]) -> None:
    """Decide which tags render: allowed ones that are void, closed later, or allowed to stay open.
    A stray end tag, or a start tag whose element would run to the end of the cell, is text."""
    stack: list[Piece] = []
    for fragment in fragments:
        for p in fragment.pieces:
            if p.kind != "tag" or p.name not in ALLOWED_TAGS:
                continue
            if not p.closing:
                if p.name in VOID:
                    p.render = True
                else:
                    stack.append(p)  # a "/>" on a non-void element is ignored by HTML, so it opens
                continue
            if p.name in VOID:
                continue  # "</br>" would be read as <br>: show it as written
            for j in range(len(stack) - 1, -1, -1):
                if stack[j].name == p.name:
                    for inner in stack[j + 1 :]:
                        inner.render = inner.name in OPTIONAL_END
                    stack[j].render = p.render = True
                    del stack[j:]
                    break
    for p in stack:
        p.render = p.name in OPTIONAL_END


def _as_text(raw: str) -> str:
    return raw.replace("<", "&lt;").replace(">", "&gt;")


def parse_attrs(attrs: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for m in _ATTR_RE.finditer(attrs):
        value = m.group(2)
        if value is not None:
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            value = unescape(value)
        out.append((m.group(1).lower(), value))
    return out


def emit(fragment: Fragment) -> str:
    out: list[str] = []
    for p in fragment.pieces:
        if p.kind == "text":
            out.append(_as_text(p.raw))
        elif p.kind == "comment":
            continue
        elif not p.render:
            out.append(_as_text(p.raw))
        elif p.closing:
            out.append(f"</{p.name}>")
        else:
            out.append(tag_html(p.name, parse_attrs(p.attrs)))
    return "".join(out)


def sanitize(html: str) -> str:
    """One fragment of raw HTML made safe on its own (see the module docstring)."""
    fragment = split_html(html)
    balance([fragment])
    return emit(fragment)


def policy() -> dict[str, Any]:
    """The allow-list for the browser-side sanitiser (DOMPurify, web/editor/sanitize.js)."""
    attrs = {
        tag: sorted(TAG_ATTRS.get(tag, frozenset()) | APP_ATTRS.get(tag, frozenset())) for tag in ALLOWED_TAGS
    }
    return {
        "idPrefix": "user-content-",
        "tags": sorted(ALLOWED_TAGS),
        "global": sorted(GLOBAL_ATTRS),
        "attributes": {tag: names for tag, names in sorted(attrs.items()) if names},
    }
