"""A small text-only picture of a notebook and its last outputs, for showing it again before Python runs.

The page keeps the picture of the document it showed last (`fenced.app.files.lastdoc`) and
`web/lastdoc.js` paints it on the next visit from the first bytes of script, while Python is still
starting: headings, paragraphs, each code cell's first lines and its output's last lines. Text only,
on purpose: the painter builds it with `textContent`, so nothing in a runbook can become markup, a link
or a request, and no sanitiser has to run before Python does. Bounded, so that localStorage stays small
and painting it costs nothing: the top of the document, which is what a screen shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .cell import CODE
from .notebook import Notebook

BlockKind = Literal["heading", "text", "code", "output"]
KINDS: tuple[BlockKind, ...] = ("heading", "text", "code", "output")
VERSION = 1
MAX_BLOCKS = 60
MAX_CHARS = 24_000  # all blocks together (a screenful or three); the rest is left out, said so
TEXT_CHARS = 600
CODE_LINES = 12
OUTPUT_LINES = 8
LINE_CHARS = 200
PROSE_CHARS = 2 * MAX_CHARS  # of a Markdown cell's source, parsed for the picture


@dataclass(frozen=True)
class Block:
    """One piece of the picture: a heading (`level` 1-6), a paragraph, a code cell's first lines (`label`:
    its name) or the last lines of that cell's output."""

    kind: BlockKind
    text: str
    level: int = 0
    label: str = ""


@dataclass(frozen=True)
class Preview:
    blocks: tuple[Block, ...]
    truncated: bool  # the document goes on below the last block


def preview(notebook: Notebook, outputs: Mapping[int, str]) -> Preview:
    """The picture of `notebook`; `outputs` holds the plain text shown as output, by cell index."""
    blocks: list[Block] = []
    total = 0
    for index, cell in enumerate(notebook.cells):
        if cell.kind == CODE:
            pieces = [Block("code", _head(cell.source, CODE_LINES), label=cell.name)]
            shown = outputs.get(index, "")
            if shown.strip():
                pieces.append(Block("output", _tail(shown, OUTPUT_LINES)))
        else:
            pieces = list(_prose(cell.source))
        for block in pieces:
            if len(blocks) >= MAX_BLOCKS or total + len(block.text) > MAX_CHARS:
                return Preview(tuple(blocks), True)
            blocks.append(block)
            total += len(block.text)
    return Preview(tuple(blocks), False)


def encode(picture: Preview, **about: Any) -> str:
    """JSON for localStorage: `about` (name, when, how to reopen...) and the blocks as short lists."""
    rows = [[b.kind, b.text, b.level or b.label] for b in picture.blocks]
    return json.dumps(
        {**about, "v": VERSION, "truncated": picture.truncated, "blocks": rows}, separators=(",", ":")
    )


def decode(text: str | None) -> tuple[Preview, dict[str, Any]] | None:
    """The picture and its other fields, or None for anything that is not one (an older version,
    another app's key, a hand-edited value): the painter in web/lastdoc.js checks the same shape."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != VERSION or not isinstance(data.get("blocks"), list):
        return None
    blocks: list[Block] = []
    for row in data["blocks"]:
        if not (isinstance(row, list) and len(row) == 3 and row[0] in KINDS and isinstance(row[1], str)):
            return None
        kind, text, extra = row
        if kind == "heading":
            blocks.append(Block(kind, text, level=extra if isinstance(extra, int) else 1))
        else:
            blocks.append(Block(kind, text, label=extra if isinstance(extra, str) else ""))
    about = {k: v for k, v in data.items() if k not in ("v", "truncated", "blocks")}
    return Preview(tuple(blocks), bool(data.get("truncated"))), about


def _head(text: str, lines: int) -> str:
    kept = text.split("\n")
    out = "\n".join(_clip(line) for line in kept[:lines])
    return out + ("\n…" if len(kept) > lines else "")


def _tail(text: str, lines: int) -> str:
    kept = text.rstrip("\n").split("\n")
    out = "\n".join(_clip(line) for line in kept[-lines:])
    return ("…\n" if len(kept) > lines else "") + out


def _clip(line: str, chars: int = LINE_CHARS) -> str:
    return line if len(line) <= chars else line[: chars - 1] + "…"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def _prose(source: str) -> Iterable[Block]:
    """Headings, paragraphs (list items marked), code blocks and table rows of a Markdown cell, as text."""
    from . import mdhtml

    if len(source) > PROSE_CHARS:  # a huge Markdown cell: its top is all a picture can show
        source = source[: source.rfind("\n", 0, PROSE_CHARS) + 1 or PROSE_CHARS]
    tokens = mdhtml.renderer().parse(source)
    prefix: list[str] = []  # the list items' marks, innermost last
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            prefix.append("•" if kind == "bullet_list_open" else "1.")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            prefix.pop()
        elif kind == "heading_open" and i + 1 < len(tokens):
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            yield Block("heading", _short(_inline_text(tokens[i + 1].children or [])), level=level)
        elif kind == "inline" and i > 0 and tokens[i - 1].type == "paragraph_open":
            text = _short(_inline_text(token.children or []))
            if text:
                mark = f"{'  ' * (len(prefix) - 1)}{prefix[-1]} " if prefix else ""
                yield Block("text", mark + text)
        elif kind in ("fence", "code_block"):
            yield Block("code", _head(token.content.rstrip("\n"), CODE_LINES))
        elif kind == "tr_open":
            yield from _row(tokens, i)


def _row(tokens: Sequence[Any], start: int) -> Iterable[Block]:
    cells: list[str] = []
    for token in tokens[start + 1 :]:
        if token.type == "tr_close":
            break
        if token.type == "inline":
            cells.append(_inline_text(token.children or []))
    text = _short(" | ".join(cells))
    if text.strip(" |"):
        yield Block("text", text)


def _inline_text(children: Sequence[Any]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []))
    return "".join(parts)
