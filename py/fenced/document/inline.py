"""Outputs in this file: each cell's last output written right below it, in a block Runme leaves alone.

The opt-in alternative to Runme's session-outputs file (:mod:`.outputs`) for runbooks that are a record
of an operation (Runme #701: "the output provides important context for the cells that come after it").
Below a code cell that ran::

    ```text {"fencedOutput":"build","name":"build.output","transform":"false"}
    # Ran on 2024-05-06 07:08:09+02:00 for 1.5s exited with 0
    <the output as plain text>
    ```

Why this form: a fence with ``transform: false`` is Markdown to Runme, not a cell (Runme's own test
``TestEditor_CodeBlockTransformation`` reads such a fence as markup and writes it back byte for byte), and
Fenced reads it the same way, so the block never becomes something to run. Unlike an HTML comment it is
visible where runbooks are read (GitHub, Runme, Fenced's own Markdown), needs no escaping (the fence is
made longer than any backtick run in the output) and carries Runme's own ``# Ran on ... exited with N``
line. Its explicit ``name`` (``<cell>.output``, a name Runme never generates, since generated names have
no dot) keeps Runme's per-document name counter -- in which such fences take a turn -- from renaming
later cells. ``fencedOutput`` marks the block and names its cell for readers; the block belongs to the
code cell directly above it (only blank lines between).

Writing goes through the lossless model: a new block is a new markdown cell after its code cell (only the
blank lines around it are new), a re-saved block replaces exactly the old block's lines, and nothing else
changes -- not another cell's block, not a document without outputs. Output is written as plain text
(escape sequences stripped, ``\\r`` applied), secrets masked, at most :data:`MAX_OUTPUT_CHARS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import dumps, loads
from .ansi import strip
from .attributes import format_attributes, parse_bool, parse_info
from .cell import CODE, MARKDOWN, Cell
from .outputs import RAN, CellRun, parse_ran, ran_line
from .redact import redact_text

if TYPE_CHECKING:
    from .notebook import Notebook

OUTPUT_KEY = "fencedOutput"
NAME_SUFFIX = ".output"
LANGUAGE = "text"
MAX_OUTPUT_CHARS = 64 * 1024
_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")


@dataclass(frozen=True)
class FileOutput:
    """A cell's last output as the file keeps it."""

    cell: str  # the cell name the block gives (informational)
    text: str  # plain text, no final newline
    run: CellRun | None  # exit code, start and duration, when the block says them


@dataclass(frozen=True)
class Placed:
    """An output block found in a notebook: in markdown cell `holder`, right after code cell `index`."""

    index: int
    code: Cell
    holder: Cell
    end: int  # where the block ends in holder.source (its closing fence line, without the newline)
    output: FileOutput


def _body(text: str) -> tuple[str, CellRun | None]:
    first, _, rest = text.partition("\n")
    m = RAN.fullmatch(first)
    run = parse_ran(m, rest) if m else None
    return (rest, run) if run is not None else (text, None)


def _closes(line: str, fence: str) -> bool:
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith(fence):
        return False
    return not stripped.lstrip(fence[0]).strip(" \t")


def split_block(source: str) -> tuple[FileOutput | None, int]:
    """The output block a markdown cell starts with, and where it ends in `source` (0 when none)."""
    first, nl, rest = source.partition("\n")
    m = _OPEN.match(first)
    if not m or not nl:
        return None, 0
    fence, info = m.group("fence"), m.group("info").strip(" \t")
    if fence[0] == "`" and "`" in info:
        return None, 0
    attrs = parse_info(info).attributes
    if OUTPUT_KEY not in attrs or parse_bool(attrs.get("transform")) is not False:
        return None, 0
    pos = len(first) + 1
    lines = rest.split("\n")
    for k, line in enumerate(lines):
        if _closes(line, fence):
            text, run = _body("\n".join(lines[:k]))
            end = pos + sum(len(x) + 1 for x in lines[:k]) + len(line)
            return FileOutput(attrs[OUTPUT_KEY], text, run), end
    return None, 0


def find_outputs(nb: Notebook) -> list[Placed]:
    """Every output block that sits right below a code cell, in document order."""
    cells = nb.cells
    out: list[Placed] = []
    for i in range(len(cells) - 1):
        code, holder = cells[i], cells[i + 1]
        if code.kind == CODE and holder.kind == MARKDOWN and holder.source[:3] in ("```", "~~~"):
            found, end = split_block(holder.source)
            if found is not None:
                out.append(Placed(i, code, holder, end, found))
    return out


def last_outputs(nb: Notebook) -> dict[int, FileOutput]:
    """The output the file keeps for each code cell, by the cell's index in ``nb.cells``."""
    return {p.index: p.output for p in find_outputs(nb)}


def plain_output(output: str, secrets: Iterable[str] = ()) -> str:
    """What goes into a block: plain text, secrets masked, capped (the middle left out), no final newline."""
    text = redact_text(strip(output), secrets).rstrip("\n")
    if len(text) > MAX_OUTPUT_CHARS:
        half = MAX_OUTPUT_CHARS // 2
        cut = len(text) - 2 * half
        text = f"{text[:half]}\n[... {cut} characters left out ...]\n{text[-half:]}"
    return text


def block_text(name: str, run: CellRun, secrets: Iterable[str] = ()) -> str:
    """The block for a cell named `name` that ran with `run` (lines end with ``\\n``, no final one)."""
    text = plain_output(run.output, secrets)
    body = ran_line(run) + (f"\n{text}" if text else "")
    longest = max((len(r) for r in re.findall("`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    attrs = format_attributes({OUTPUT_KEY: name, "name": name + NAME_SUFFIX, "transform": "false"})
    return f"{fence}{LANGUAGE} {attrs}\n{body}\n{fence}"


def write_outputs(nb: Notebook, runs: Mapping[int, CellRun], *, secrets: Iterable[str] = ()) -> None:
    """Put each run's output below its code cell (`runs` by index in ``nb.cells``), replacing the
    cell's block when it has one; cells without a run keep theirs."""
    values = list(secrets)
    placed = {p.index: p for p in find_outputs(nb)}
    for index in sorted(runs, reverse=True):
        if not 0 <= index < len(nb.cells) or nb.cells[index].kind != CODE:
            continue
        block = block_text(nb.cells[index].name, runs[index], values)
        old = placed.get(index)
        if old is not None:
            old.holder.source = block + old.holder.source[old.end :]
        else:
            nb.cells.insert(index + 1, Cell.new_markdown(block))


def strip_outputs(nb: Notebook) -> None:
    """Remove every output block (a markdown cell left empty goes too)."""
    for p in reversed(find_outputs(nb)):
        rest = re.sub(r"^(?:[ \t]*\n)+", "", p.holder.source[p.end :].lstrip("\n"))
        if rest.strip():
            p.holder.source = rest
        else:
            nb.cells.remove(p.holder)


def with_outputs(text: str, runs: Mapping[int, CellRun], *, secrets: Iterable[str] = ()) -> str:
    """Runbook `text` with the outputs of `runs` (by index in ``loads(text).cells``) below their cells."""
    if not runs:
        return text
    nb = loads(text)
    write_outputs(nb, runs, secrets=secrets)
    return dumps(nb)
