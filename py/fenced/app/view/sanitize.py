"""An allowlist HTML sanitiser for rendered Markdown (pure Python, no `js`).

Runbooks are untrusted: a document's raw HTML must never run script, attach an event handler, restyle
or spoof the app (``class``, ``id``, ``data-*``, ``style`` are dropped, so a document cannot fake
``data-cell-index`` or clobber the page's ids) or navigate with ``javascript:`` URLs. The output is
re-serialised from scratch: only allowlisted elements and attributes, every text node escaped,
every element closed. Because no raw-text element (script, style, textarea, title, ...) survives and
no text is emitted unescaped, the browser's parse of the result contains only what this module
emitted. The view parses it once more inertly (a ``<template>``) before inserting it.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

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
        "rp",
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
        "center",
    }
)

# Elements dropped together with everything inside them (none of them is void).
DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "template",
        "noscript",
        "textarea",
        "title",
        "select",
        "svg",
        "math",
        "xmp",
        "plaintext",
        "noembed",
        "noframes",
        "frameset",
        "applet",
        "head",
        "audio",
        "video",
        "canvas",
        "map",
        "datalist",
        "option",
        "optgroup",
    }
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


def _clean_attrs(tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
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
            if scheme in IMAGE_SCHEMES or (scheme == "data" and IMAGE_DATA.match(src.strip())):
                out["src"] = src
            elif is_relative(src) and src.strip():
                out[REL_SRC_ATTR] = src.strip()
        out["loading"] = "lazy"
    return list(out.items())


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skip_tag: str | None = None
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag in DROP_WITH_CONTENT:
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag not in ALLOWED_TAGS:
            return
        parts = [f"<{tag}"]
        for name, value in _clean_attrs(tag, attrs):
            parts.append(f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"')
        parts.append(">")
        self.out.append("".join(parts))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag not in DROP_WITH_CONTENT:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip_tag is None and data:
            self.out.append(escape(data, quote=False))

    # Comments, doctypes, processing instructions and CDATA sections are dropped.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass

    def result(self) -> str:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def sanitize(html: str) -> str:
    """Return `html` reduced to the allowlist, re-serialised and balanced."""
    parser = _Sanitizer()
    parser.feed(html)
    return parser.result()
