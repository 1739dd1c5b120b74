"""Lossless, Runme-compatible Markdown <-> Notebook serialisation.

Pure Python (stdlib, markdown-it-py; ruamel.yaml, tomlkit and python-ulid only
on demand), identical under CPython and Pyodide.

Reading (:func:`loads`) follows Runme: every fenced code block becomes a code
cell, also inside list items and blockquotes (its ``source`` is de-indented and
de-quoted; the prefix is restored on write); indented code blocks become
unfenced code cells; fences with ``ignore=true`` or ``transform=false``, and
``mermaid`` fences without ``transform``, stay Markdown. Names, attributes
(JSON or HTML-like form), frontmatter and ids are read as Runme reads them.

How Markdown is split -- a deliberate difference from Runme: Runme makes every
paragraph, list item and heading its own markup cell, which in an editor is
noise. Fenced makes **one markdown cell per run of Markdown between code cells,
split before each top-level heading**. A markdown cell's ``source`` is its
exact text (a paragraph that continues a list item keeps its indentation); the
blank lines between cells belong to no cell.

Writing (:func:`dumps`) never normalises: an unedited notebook is written back
byte for byte (CRLF, BOM, NUL, trailing spaces and final newlines included),
an edited cell changes only its own lines, inserted/deleted/moved cells change
only the blank lines around them, and new cells are written as Runme writes
them (```` ```sh {"name":"x"} ````, sorted compact JSON attributes, a fence
longer than any backtick run, one blank line between cells).

Identity: off by default. ``loads(text, identity=True)`` (or
:meth:`Notebook.ensure_identity`) adds a ULID ``id`` attribute to each code cell
and ``runme.id``/``runme.version`` to the frontmatter (creating a YAML
frontmatter if there is none), never replacing an existing id; only the
touched fence lines and the frontmatter change. :meth:`Notebook.reset_identity`
undoes it (``runme fmt reset``).

Editing, in short::

    nb = loads(text)
    nb.cells[2].source = "echo hi"                 # edit code or markdown
    nb.cells[2].attributes["name"] = "greet"       # or nb.cells[2].name = "greet"
    nb.cells[2].interactive = False                # typed accessors write attributes
    nb.cells.insert(3, Cell.new_code("ls", "sh", {"name": "list"}))
    nb.cells.insert(0, Cell.new_markdown("# Title"))
    nb.move(5, 1); del nb.cells[4]                 # plain list operations
    nb.frontmatter = {"shell": "bash"}             # new YAML frontmatter ...
    nb.frontmatter["cwd"] = "/tmp"                 # ... or edit it (comments kept)
    nb.frontmatter.raw = "---\\nshell: zsh\\n---"    # ... or replace its text
    nb.frontmatter = None                          # ... or remove it
    text = dumps(nb)

Shared rules for the browser and the CLI: :mod:`.runnable` (which cells run, what Run all runs),
:mod:`.catalog` (usable names with a ``cell-N`` fallback, selection by name, regex and tag),
:mod:`.prompts` (promptEnv, secret names) and :mod:`.mdx` (MDX is read-mostly); imported from those
modules, not re-exported here, so that ``import fenced.document`` stays as small as the boot needs.
"""

from __future__ import annotations

from .attributes import Attributes, format_attributes, parse_bool, parse_info
from .cell import CODE, MARKDOWN, Cell
from .frontmatter import Frontmatter, FrontmatterError
from .naming import generated_name
from .notebook import CellList, Notebook
from .summary import summary

__all__ = [
    "CODE",
    "MARKDOWN",
    "Attributes",
    "Cell",
    "CellList",
    "Frontmatter",
    "FrontmatterError",
    "Notebook",
    "dumps",
    "format_attributes",
    "generated_name",
    "loads",
    "parse_bool",
    "parse_info",
    "summary",
]


def loads(text: str, *, identity: bool = False) -> Notebook:
    """Parse a runbook. Never raises for a ``str``; ``identity=True`` adds ids (see above)."""
    from .parser import fallback, parse

    if not isinstance(text, str):
        raise TypeError(f"loads() expects str, not {type(text).__name__}")
    try:
        nb = parse(text)
    except Exception:  # markdown-it should not fail; if it does, keep the file openable
        nb = fallback(text)
    if identity:
        nb.ensure_identity()
    return nb


def dumps(nb: Notebook) -> str:
    """Write a notebook back to text: ``dumps(loads(t)) == t`` for every string ``t``."""
    return nb.dumps()
