"""A notebook's code cells as a list of tasks people pick from: usable names, roles, tags, selection.

The browser (cell names, Run all) and the CLI (``fenced run``, ``fenced list``) share these rules:

- **names**: Runme's name where it is usable, else a fallback ``cell-N`` (:mod:`.naming`); a cell is
  found by either, never by an empty name; an unknown name gets "did you mean" suggestions;
- **roles**: runnable, sample or other (:mod:`.runnable`); only runnable cells are listed as tasks;
- **tags**: Runme's ``category`` and ``tag`` attributes (comma-separated, the same thing under two
  names); a cell without any takes the frontmatter's ``category``/``tag``, as in Runme;
- **selection** by names (in the order given), or by a regular expression on names and/or tags over
  the cells Run all runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import naming
from .cell import CODE, Cell
from .notebook import Notebook
from .runnable import Role, cell_role, why_not_runnable


@dataclass(frozen=True)
class Entry:
    """One code cell with what a picker needs to know about it."""

    cell: Cell
    number: int  # 1-based position among the notebook's code cells
    name: str  # the name to show and type: Runme's, or the fallback when Runme's is not usable
    runme_name: str  # Runme's name, as other Runme tools see it (may be "" or "-2")
    generated: bool  # Runme generated the name from the code (no ``name`` attribute)
    fallback: bool  # `name` is Fenced's fallback
    role: Role
    tags: tuple[str, ...]  # the cell's category/tag values, else the frontmatter's
    run_all: bool  # Run all runs it: runnable and not excludeFromRunAll

    @property
    def runnable(self) -> bool:
        return self.role is Role.RUNNABLE

    @property
    def first_line(self) -> str:
        """The first command (comments and a ``$`` prompt skipped), as Runme lists it."""
        return naming.first_command(self.cell.source).strip()


class SelectionError(ValueError):
    """A selection that names no cell, or a cell that cannot run; the message says what to do."""


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in value.split(",") if t.strip()]


def document_tags(nb: Notebook) -> tuple[str, ...]:
    fm = nb.frontmatter
    if fm is None or not fm.valid:
        return ()
    return tuple(split_tags(fm.category) + split_tags(fm.tag))


def catalog(nb: Notebook) -> list[Entry]:
    """Every code cell of `nb` in document order, with usable names (fallbacks never collide)."""
    cells = [c for c in nb.cells if c.kind == CODE]
    runme_names = [c.name for c in cells]
    taken = set(runme_names)
    doc_tags = document_tags(nb)
    out: list[Entry] = []
    for number, (cell, runme_name) in enumerate(zip(cells, runme_names, strict=True), start=1):
        name = runme_name
        fallback = not naming.is_usable(runme_name)
        if fallback:
            name = naming.fallback_name(number, taken)
            taken.add(name)
        kind = cell_role(cell) or Role.OTHER
        out.append(
            Entry(
                cell=cell,
                number=number,
                name=name,
                runme_name=runme_name,
                generated=cell.name_generated,
                fallback=fallback,
                role=kind,
                tags=tuple(cell.tags) or doc_tags,
                run_all=kind is Role.RUNNABLE and not cell.exclude_from_run_all,
            )
        )
    return out


def tasks(entries: Iterable[Entry]) -> list[Entry]:
    """The entries worth listing as things to run: runnable cells (samples and data blocks left out)."""
    return [e for e in entries if e.runnable]


def find(entries: Sequence[Entry], name: str) -> Entry:
    """The cell called `name` (its usable name, or Runme's own); raises `SelectionError` otherwise."""
    if not name.strip():
        raise SelectionError(
            f"an empty cell name {name!r} (an unset variable?) names no cell; "
            f"did you mean one of: {_some(n.name for n in tasks(entries))}?"
        )
    for entry in entries:
        if name == entry.name or (entry.runme_name and name == entry.runme_name):
            if not entry.runnable:
                raise SelectionError(
                    f"cell {entry.name!r} cannot run: {why_not_runnable(entry.cell.language)}"
                )
            return entry
    import difflib  # only for a name nobody has: kept out of the browser's boot snapshot (its heap is tight)

    known = [e.name for e in tasks(entries)]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if not close:
        close = [k for k in known if name.lower() in k.lower()][:3]
    if close:
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?"
    else:
        hint = f"; did you mean one of: {_some(known)}?"
    raise SelectionError(f"no cell named {name!r}{hint}")


def select(
    entries: Sequence[Entry],
    names: Sequence[str] = (),
    *,
    pattern: str | None = None,
    tags: Sequence[str] = (),
) -> list[Entry]:
    """Cells by `names` (in that order, excluded-from-Run-all cells included), else the cells Run all
    runs whose name matches the regular expression `pattern` (searched, not anchored) and that carry
    one of `tags` (``"a,b"`` means a or b). Raises `SelectionError` when that selects nothing."""
    if names:
        return [find(entries, n) for n in names]
    wanted = {t for value in tags for t in split_tags(value)}
    regex = None
    if pattern is not None:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise SelectionError(f"invalid regular expression {pattern!r}: {exc}") from None
    chosen = [
        e
        for e in entries
        if e.run_all
        and (regex is None or regex.search(e.name))
        and (not wanted or wanted.intersection(e.tags))
    ]
    if not chosen and (regex is not None or wanted):
        what = " and ".join(
            ([f"name matching {pattern!r}"] if regex is not None else [])
            + ([f"tag {' or '.join(sorted(wanted))}"] if wanted else [])
        )
        known = sorted({t for e in entries if e.run_all for t in e.tags})
        extra = f" (tags here: {', '.join(known)})" if wanted and known else ""
        raise SelectionError(f"no cell with a {what} runs in Run all{extra}")
    return chosen


def _some(names: Iterable[str], limit: int = 8) -> str:
    items = list(names)
    if not items:
        return "none"
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
