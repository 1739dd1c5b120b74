"""Reading: text -> :class:`~fenced.document.notebook.Notebook`.

The document is partitioned by lines. Every fenced or indented code block found
by markdown-it (at any depth: inside list items and blockquotes too) becomes a
code cell owning exactly its lines, unless Runme would leave it in the Markdown
(``ignore=true``, ``transform=false``, ``mermaid`` without ``transform``). The
lines between code cells become markdown cells, one per run, split before each
top-level heading; blank lines at the edges of a run (only spaces, tabs and
``>``) are not part of any cell but the separator between cells. Every byte of
the input is thus in exactly one place -- leading text (BOM, frontmatter), a
cell, a separator, or trailing text -- which is what makes writing lossless.
"""

from __future__ import annotations

from .attributes import ParsedInfo, parse_info
from .cell import CODE, MARKDOWN, Cell
from .fences import is_ignored
from .frontmatter import Frontmatter, Located, locate
from .notebook import Notebook
from .scanner import normalize, scan
from .text import NEWLINE_RE, is_blank

_NO_INFO = ParsedInfo("", {}, None, None)


def _line_offsets(content: str) -> tuple[list[int], list[int]]:
    starts = [0]
    ends = []
    for m in NEWLINE_RE.finditer(content):
        ends.append(m.start())
        starts.append(m.end())
    ends.append(len(content))
    return starts, ends


def _new(kind: str, text: str, start: int, end: int, prev: Cell | None) -> Cell:
    c = Cell.__new__(Cell)
    c.kind = kind
    c._nb = None
    c._o = text
    c._start = start
    c._end = end
    c._prev = prev
    c._dirty = False
    c._source = None
    c._content = None
    c._fenced = True
    c._closed = True
    c._markup = ""
    c._info = ""
    c._pinfo = _NO_INFO
    c._language = None
    c._attrs = None
    c._ignored = None
    return c


def parse(text: str) -> Notebook:
    """Parse ``text``; see the module docstring for how it is split."""
    loc = locate(text)
    cs = loc.content_start
    content = text[cs:] if cs else text
    src = normalize(content)
    result = scan(src)
    bm, em = result.begins, result.ends
    starts, ends = _line_offsets(content) if "\r" in content else (bm, em)
    headings = result.headings
    nh = len(headings)
    hi = 0
    cells: list[Cell] = []
    pending: list[tuple[int, str, str]] = []  # ignored fences: (line, name, code)
    prev: Cell | None = None

    def markdown(a: int, b: int) -> None:
        nonlocal hi, prev
        while a < b and is_blank(src[bm[a] : em[a]]):
            a += 1
        while b > a and is_blank(src[bm[b - 1] : em[b - 1]]):
            b -= 1
        if a >= b:
            return
        while hi < nh and headings[hi] <= a:
            hi += 1
        cuts = [a]
        while hi < nh and headings[hi] < b:
            cuts.append(headings[hi])
            hi += 1
        cuts.append(b)
        for k in range(len(cuts) - 1):
            s, e = cuts[k], cuts[k + 1]
            while e > s + 1 and is_blank(src[bm[e - 1] : em[e - 1]]):
                e -= 1
            cell = _new(MARKDOWN, text, cs + starts[s], cs + ends[e - 1], prev)
            mine: list[tuple[str, str]] = []
            while pending and pending[0][0] < e:
                mine.append(pending.pop(0)[1:])
            cell._ignored = mine
            cells.append(cell)
            prev = cell

    line = 0
    for s, e, body, markup, found_info in result.code:
        pinfo = None
        info = found_info
        if markup:
            info = info.strip(" \t")
            if "\ufffd" in info:
                opener = text[cs + starts[s] : cs + ends[s]]
                if "\0" in opener:
                    info = opener[opener.find(markup) + len(markup) :].strip(" \t")
            if info and (
                info.startswith("mermaid") or "ignore" in info or "transform" in info or "\\u" in info
            ):
                pinfo = parse_info(info)
                if is_ignored(pinfo):
                    pending.append((s, pinfo.attributes.get("name", ""), body))
                    continue
        markdown(line, s)
        cell = _new(CODE, text, cs + starts[s], cs + ends[e - 1], prev)
        cell._content = body
        if markup:
            cell._markup = markup
            cell._info = info
            cell._pinfo = pinfo if pinfo is not None else (None if info else _NO_INFO)
            count = body.count("\n") + (1 if body and body[-1] != "\n" else 0)
            cell._closed = count == e - s - 2
        else:
            cell._fenced = False
        cells.append(cell)
        prev = cell
        line = e
    markdown(line, result.line_count)
    return _notebook(text, loc, cells)


def _notebook(text: str, loc: Located, cells: list[Cell]) -> Notebook:
    nb = Notebook()
    nb._text = text
    nb._loc = loc
    nb._fm0 = nb._fm = Frontmatter(text[loc.start : loc.end], loc.format) if loc.format else None
    nb._orig = tuple(cells)
    nb._lead_end = cells[0]._start if cells else len(text)
    nb._trail_start = cells[-1]._end if cells else len(text)
    nb.cells = cells
    return nb


def fallback(text: str) -> Notebook:
    """The whole text as one markdown cell (only if the parser itself failed)."""
    cells = [_new(MARKDOWN, text, 0, len(text), None)] if text else []
    for c in cells:
        c._ignored = []
    return _notebook(text, Located(0, 0, 0, None), cells)
