"""Cell names exactly as Runme derives them.

A code cell's name is its ``name`` attribute; otherwise it is generated from the
first line that is not a shell comment: leading ``$`` trimmed, the part before a
``=`` (``temp_dir=...`` -> ``tempdir``), at most 32 bytes, the first two words,
lower case, only ``[a-z0-9-]``. Every name, explicit or generated, then goes
through one counter per document, so repeats become ``x-2``, ``x-3`` -- and
fences that stay in markdown (``mermaid``, ``transform=false``) still take a
turn, because Runme names them before deciding they are not cells.

Runme's rules can yield a name nobody can type (``""`` for a cell whose first line is ``{``, then
``-2``, ``-3``). Fenced keeps Runme's name (the file and other tools agree on it) and adds a
*fallback* it shows and accepts instead, ``cell-N`` after the cell's position among the code cells
(:func:`fallback_name`; :mod:`fenced.document.catalog` assigns them). Nothing is written to the file.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from .text import GO_SPACE


def first_command(source: str) -> str:
    """Runme's ``TryGetNonCommentLine`` over ``$``-trimmed lines."""
    first: str | None = None
    start = 0
    n = len(source)
    while True:
        end = source.find("\n", start)
        if end < 0:
            end = n
        line = source[start:end].lstrip("$").rstrip(GO_SPACE)
        if first is None:
            first = line
        head = line.strip(GO_SPACE).split("#", 1)[0]
        if head:
            return head.rstrip(GO_SPACE)
        if end >= n:
            return first
        start = end + 1


def sanitize_name(s: str) -> str:
    """Runme's ``sanitizeName``."""
    idx = s.find("=")
    if idx > 0:
        s = s[:idx]
    raw = s.encode("utf-8", "surrogatepass")
    if len(raw) > 32:
        s = raw[:32].decode("utf-8", "ignore")
    fragments = s.split(" ")
    s = " ".join(fragments[:2]) if len(fragments) > 1 else fragments[0]
    out: list[str] = []
    for ch in s:
        for low in ch.lower():
            if low == " ":
                if out:
                    out.append("-")
            elif "0" <= low <= "9" or "a" <= low <= "z":
                out.append(low)
    return "".join(out)


def generated_name(source: str) -> str:
    """The name Runme would give an unnamed cell with this code (before de-duplication)."""
    return sanitize_name(first_command(source)) if source is not None else ""


def resolve(entries: Iterable[tuple[str, str | None]]) -> list[tuple[str, bool]]:
    """Turn ``(explicit_name, source)`` pairs, in document order, into
    ``(name, generated)`` with Runme's per-document de-duplication.

    A source of ``None`` means a code block without lines (Runme names it ``""``).
    """
    counts: dict[str, int] = {}
    out: list[tuple[str, bool]] = []
    for explicit, source in entries:
        if explicit:
            base, generated = explicit, False
        else:
            base, generated = (generated_name(source) if source else ""), True
        n = counts.get(base, 0) + 1
        counts[base] = n
        out.append((base if n == 1 else f"{base}-{n}", generated))
    return out


_COUNTER = re.compile(r"-\d+$")


def is_usable(name: str) -> bool:
    """False for a name nobody can type or tell apart: empty, or punctuation only once a de-duplication
    counter is removed (Runme names a cell whose first line is ``{`` ``""``, the next one ``-2``)."""
    return any(ch.isalnum() for ch in _COUNTER.sub("", name))


def fallback_name(number: int, taken: Container[str]) -> str:
    """Fenced's name for the ``number``-th code cell (1-based) when Runme's is not usable: ``cell-3``,
    or ``cell-3-2``... if a real name already says ``cell-3``. Shown and accepted, never written."""
    base = f"cell-{number}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name
