"""Writing edited and new cells.

An edited code cell keeps as much of its original text as its edit allows: a
changed language or attribute rewrites only the opening fence line; changed
code keeps the original fence (unless the code now contains a line that would
close it), the closing line, and the list/blockquote prefix of the block, which
is re-applied to every line. New cells are written the way Runme writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .attributes import JSON_FORMAT, build_info, rebuild_info
from .cell import LABEL_PREAMBLE, Cell
from .text import first_newline, split_lines

_PREFIX_KEEP = frozenset("> \t")


def continuation(prefix: str) -> str:
    """The prefix of a container's following lines: list markers become spaces."""
    return "".join(c if c in _PREFIX_KEEP else " " for c in prefix)


def _longest_run(text: str, ch: str) -> int:
    runs = re.findall(re.escape(ch) + "+", text)
    return max(map(len, runs), default=0)


def _closes(line: str, fence: str) -> bool:
    """Would this code line end a block opened by ``fence``?"""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith(fence):
        return False
    return not stripped.lstrip(fence[0]).strip(" \t")


def _fence_for(source: str, ch: str, minimum: int = 3) -> str:
    return ch * max(minimum, _longest_run(source, ch) + 1)


def render_markdown(cell: Cell, nl: str) -> str:
    text = cell.source.rstrip("\n")
    return text.replace("\n", nl) if nl != "\n" else text


def _label_for(cell: Cell, dagger_shell: Callable[[], bool]) -> str | None:
    """Runme's label comment: kept when the cell had one, added as Runme adds it."""
    name = cell.current_attributes().get("name", "")
    old = cell.label_comment()
    if old is not None:
        return LABEL_PREAMBLE + name if name else old
    if not name:
        return None
    interpreter = cell.current_attributes().get("interpreter", "").strip()
    if "dagger shell" in interpreter or (not interpreter and dagger_shell()):
        return LABEL_PREAMBLE + name
    return None


def _opener(prefix: str, fence: str, info: str, language: str, lead: str = "", trail: str = "") -> str:
    """``prefix + fence + info``; an info string without language gets Runme's space."""
    if not info:
        return prefix + fence
    sep = lead if (lead or language) else " "
    return prefix + fence + sep + info + trail


def render_code(
    cell: Cell, nl: str, close: bool, dagger_shell: Callable[[], bool], at_start: bool = False
) -> str:
    """Text for an edited or new code cell (without its final line ending).

    ``at_start``: the block must not start with whitespace -- it opens the file,
    where Runme skips whitespace, or it is an indented block after a new neighbour
    that would absorb it. An indented block is then written fenced, and a fence's
    leading indentation is dropped.
    """
    raw = cell.original_text()
    if raw is not None:
        nl = first_newline(raw) or nl
    language = cell.language
    attrs = cell.current_attributes()
    pinfo = cell._parsed()
    if raw is None:
        info = build_info(language, attrs, pinfo.format or JSON_FORMAT)
        body = cell.source.split("\n")
        if not cell.fenced and not info and not at_start and body[0].strip(" \t") and body[-1].strip(" \t"):
            return _indented(cell.source, "    ", "    ", nl)
        return _fenced(cell, "", "", None, None, info, None, nl, dagger_shell)
    lang_changed = language != pinfo.language
    attrs_changed = dict(attrs) != pinfo.attributes
    new_info = None
    if lang_changed or attrs_changed:
        new_info = rebuild_info(cell._info, pinfo, language, attrs if attrs_changed else None, pinfo.format)
    lines = split_lines(raw)
    if not cell.fenced:
        return _edit_indented(cell, lines, new_info, nl, dagger_shell, at_start)
    opener = lines[0]
    idx = opener.find(cell._markup)
    prefix = opener[:idx]
    after = opener[idx + len(cell._markup) :]
    lead = after[: len(after) - len(after.lstrip(" \t"))]
    trail = after[len(after.rstrip(" \t")) :] if after.strip(" \t") else ""
    info = cell._info if new_info is None else new_info
    head = opener if new_info is None else _opener(prefix, cell._markup, info, language, lead, trail)
    if at_start and prefix[:1] in (" ", "\t"):
        prefix = prefix.lstrip(" \t")
        return _fenced(
            cell, prefix, continuation(prefix), cell._markup, None, info, None, nl, dagger_shell, lead, trail
        )
    if (
        cell.source == cell.original_source()
        and not (cell._markup[0] == "`" and "`" in info)
        and (cell._closed or not close)
    ):
        return head + raw[len(opener) :]
    closer = lines[-1] if cell._closed and len(lines) > 1 else None
    return _fenced(
        cell, prefix, continuation(prefix), cell._markup, head, info, closer, nl, dagger_shell, lead, trail
    )


def _fenced(
    cell: Cell,
    prefix: str,
    cont: str,
    markup: str | None,
    head: str | None,
    info: str,
    closer: str | None,
    nl: str,
    dagger_shell: Callable[[], bool],
    lead: str = "",
    trail: str = "",
) -> str:
    """A fenced block; ``head`` is the opener line to keep if ``markup`` stays usable."""
    source = cell.source
    label = _label_for(cell, dagger_shell)
    body = source.split("\n")
    if label:
        body.insert(0, label)
    ch = "~" if markup and markup[0] == "~" else "`"
    if "`" in info:
        ch = "~"
    if markup and markup[0] == ch and not any(_closes(line, markup) for line in body):
        fence = markup
    else:
        fence = _fence_for(source, ch, len(markup) if markup and markup[0] == ch else 3)
        closer = head = None
    blank = cont.rstrip(" \t")
    out = [head if head is not None else _opener(prefix, fence, info, cell.language, lead, trail)]
    out.extend(cont + line if line else blank for line in body)
    out.append(closer if closer is not None else cont + fence)
    return nl.join(out)


def _indented(source: str, first: str, cont: str, nl: str) -> str:
    out = []
    for i, line in enumerate(source.split("\n")):
        p = first if i == 0 else cont
        out.append(p + line if line else p.rstrip(" \t"))
    return nl.join(out)


def _edit_indented(
    cell: Cell,
    lines: list[str],
    new_info: str | None,
    nl: str,
    dagger_shell: Callable[[], bool],
    at_start: bool,
) -> str:
    """An indented code block stays indented unless it now needs an info string."""
    content0 = cell.original_source().split("\n", 1)[0]
    line0 = lines[0]
    if content0 and line0.endswith(content0):
        first = line0[: len(line0) - len(content0)]
    else:
        first = line0[: len(line0) - len(line0.lstrip(" \t>"))]
    cont = continuation(first)
    body = cell.source.split("\n")
    fits = body[0].strip(" \t") != "" and body[-1].strip(" \t") != "" and not at_start
    if fits and not new_info and not cell.language and not cell.current_attributes():
        return _indented(cell.source, first, cont, nl)
    container = first[:-4] if first.endswith("    ") else first.rstrip(" \t")
    info = (
        new_info
        if new_info is not None
        else build_info(cell.language, cell.current_attributes(), cell._parsed().format or JSON_FORMAT)
    )
    return _fenced(cell, container, continuation(container), None, None, info, None, nl, dagger_shell)
