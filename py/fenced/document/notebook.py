"""The :class:`Notebook` and writing it back.

Writing walks the current cell list. Runs of cells that are unedited and still
next to their original neighbours are copied from the original text in one
slice, separators included; an edited or new cell is rendered; a separator
between cells that were not neighbours is one blank line (Runme's layout). So
an unchanged notebook is its original text, an edited cell changes only its own
lines, and inserting, deleting or moving cells touches nothing but the blank
lines around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, SupportsIndex

from . import naming
from .cell import CODE, Cell
from .frontmatter import Frontmatter, Located, unclosed
from .render import render_code, render_markdown
from .text import document_newline

RUNME_VERSION = "v3"
_CHUNK = 1 << 12


def _copy(out: list[str], text: str, start: int, end: int) -> None:
    """Append ``text[start:end]`` in bounded slices: a slice is stored as narrowly as
    its own characters allow, so one emoji no longer makes a whole run 4 bytes/char."""
    while end - start > _CHUNK:
        out.append(text[start : start + _CHUNK])
        start += _CHUNK
    out.append(text[start:end])


def _indented_start(cell: Cell) -> bool:
    if not cell._fenced:
        return True
    raw = cell.original_text()
    return raw is not None and raw[:1] in (" ", "\t")


def _absorbs(prev: Cell) -> bool:
    """Would an indented code block written after ``prev`` stop being one?"""
    if prev.kind == CODE:
        if not prev._fenced:
            return True  # the two blocks would merge
        text = prev.original_text()
        if not text or text[0] in "`~":
            return False  # a top-level fence
    else:
        text = prev.source
    from .scanner import markdown_it, normalize

    tokens = markdown_it().parse(normalize(text))
    last = [t.type for t in tokens if t.level == 0][-1:]
    return last in (["bullet_list_close"], ["ordered_list_close"])


class CellList(list[Cell]):
    """``Notebook.cells``: a plain list that keeps its cells linked to the notebook
    (for name de-duplication) and tells it when the order changes."""

    __slots__ = ("_nb",)

    def __init__(self, nb: Notebook, cells: Iterable[Cell] = ()) -> None:
        super().__init__(cells)
        self._nb = nb
        self._adopt(self)

    def _adopt(self, cells: Iterable[Any]) -> None:
        for c in cells:
            if not isinstance(c, Cell):
                raise TypeError(f"notebook cells must be Cell, not {type(c).__name__}")
            c._nb = self._nb
        self._nb._version += 1

    def append(self, cell: Cell) -> None:
        super().append(cell)
        self._adopt((cell,))

    def insert(self, index: SupportsIndex, cell: Cell) -> None:
        super().insert(index, cell)
        self._adopt((cell,))

    def extend(self, cells: Iterable[Cell]) -> None:
        cells = list(cells)
        super().extend(cells)
        self._adopt(cells)

    def __iadd__(self, cells: Iterable[Cell]) -> CellList:  # type: ignore[override,misc]  # as list.__iadd__ (any iterable)
        self.extend(cells)
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._adopt(value if isinstance(index, slice) else (value,))

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._nb._version += 1

    def pop(self, index: SupportsIndex = -1) -> Cell:
        cell = super().pop(index)
        self._nb._version += 1
        return cell

    def remove(self, cell: Cell) -> None:
        super().remove(cell)
        self._nb._version += 1

    def clear(self) -> None:
        super().clear()
        self._nb._version += 1

    def sort(self, *args: Any, **kwargs: Any) -> None:
        super().sort(*args, **kwargs)
        self._nb._version += 1

    def reverse(self) -> None:
        super().reverse()
        self._nb._version += 1

    def __imul__(self, n: SupportsIndex) -> CellList:
        super().__imul__(n)
        self._nb._version += 1
        return self


class Notebook:
    """A runbook: ``cells``, optional ``frontmatter`` and the text it was read from."""

    def __init__(
        self,
        cells: Iterable[Cell] | None = None,
        frontmatter: Frontmatter | Mapping[str, Any] | str | None = None,
    ) -> None:
        self._version = 0
        self._names: dict[int, tuple[str, bool]] | None = None
        self._names_version = -1
        self._text = ""
        self._loc = Located(0, 0, 0, None)
        self._fm0: Frontmatter | None = None
        self._fm: Frontmatter | None = None if frontmatter is None else Frontmatter.coerce(frontmatter)
        self._orig: tuple[Cell, ...] = ()
        self._lead_end = self._trail_start = 0
        self._cells = CellList(self, cells or ())

    # --- cells -----------------------------------------------------------------------

    @property
    def cells(self) -> CellList:
        return self._cells

    @cells.setter
    def cells(self, cells: Iterable[Cell]) -> None:
        self._cells = CellList(self, cells)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def code_cells(self) -> list[Cell]:
        return [c for c in self._cells if c.kind == CODE]

    def find(self, name: str) -> Cell | None:
        """The code cell with this (explicit or generated) name."""
        for c in self._cells:
            if c.kind == CODE and c.name == name:
                return c
        return None

    def move(self, source: int, target: int) -> None:
        """Move the cell at index ``source`` so that it ends up at index ``target``."""
        cell = self._cells.pop(source)
        self._cells.insert(target, cell)

    def _name_of(self, cell: Cell) -> tuple[str, bool] | None:
        if self._names is None or self._names_version != self._version:
            entries: list[tuple[str, str | None]] = []
            owners: list[Cell | None] = []
            for c in self._cells:
                if c.kind == CODE:
                    src = c._source if c._source is not None else c._content
                    if src is None:
                        src = c.source
                    entries.append((c.current_attributes().get("name", ""), src))
                    owners.append(c)
                else:
                    for name, code in c.ignored_fences():
                        entries.append((name, code))
                        owners.append(None)
            resolved = naming.resolve(entries)
            self._names = {id(o): r for o, r in zip(owners, resolved, strict=True) if o is not None}
            self._names_version = self._version
        return self._names.get(id(cell))

    # --- frontmatter and identity ----------------------------------------------------------

    @property
    def frontmatter(self) -> Frontmatter | None:
        return self._fm

    @frontmatter.setter
    def frontmatter(self, value: Frontmatter | Mapping[str, Any] | str | None) -> None:
        self._fm = None if value is None else Frontmatter.coerce(value)

    @property
    def frontmatter_problem(self) -> str | None:
        """Why the frontmatter is not read, as a sentence; ``None`` when nothing is wrong. Either it does
        not parse (its text is kept and written back as it came, its settings unused), or the file opens
        a frontmatter it never closes (read as Markdown; said while the start of the file is unedited)."""
        fm = self._fm
        if fm is not None:
            if fm.valid:
                return None
            detail = " ".join(
                ln.strip() for ln in (fm.error or "").splitlines() if ln.strip() not in ("", "^")
            )
            return f"The frontmatter does not parse, so its settings are not used (it is kept as written): {detail}"
        if self._fm0 is not None or not self._orig or not self._cells or self._cells[0] is not self._orig[0]:
            return None
        if self._cells[0].is_edited():
            return None
        opener = unclosed(self._text)
        if opener is None:
            return None
        return (
            f'The file starts a frontmatter with "{opener}" that is never closed: it is read as Markdown '
            "(Runme does not open such a file)."
        )

    @property
    def id(self) -> str | None:
        """The document id (``runme.id`` in the frontmatter), when present."""
        fm = self._fm
        return (fm.runme_id or None) if fm is not None else None

    def ensure_identity(self) -> None:
        """Give every code cell an ``id`` attribute and the document a ``runme.id``,
        as Runme does with identity on; existing ids are never replaced."""
        from .identity import new_id

        for c in self._cells:
            if c.kind == CODE and not c.current_attributes().get("id"):
                c.attributes["id"] = new_id()
        fm = self._fm
        if fm is None:
            self._fm = Frontmatter.new({"runme": {"id": new_id(), "version": RUNME_VERSION}})
        elif fm.valid:
            runme = fm.get("runme")
            if not isinstance(runme, MutableMapping):
                fm["runme"] = {"id": new_id(), "version": RUNME_VERSION}
            elif not runme.get("id"):
                runme["id"] = new_id()
                if not runme.get("version"):
                    runme["version"] = RUNME_VERSION

    def reset_identity(self) -> None:
        """Remove cell ``id`` attributes and the frontmatter's ``runme`` block, dropping
        a frontmatter left empty (``runme fmt reset``)."""
        for c in self._cells:
            if c.kind == CODE and "id" in c.current_attributes():
                del c.attributes["id"]
        fm = self._fm
        if fm is not None and fm.valid and "runme" in fm:
            del fm["runme"]
            if len(fm) == 0:
                self._fm = None

    # --- writing -------------------------------------------------------------------------

    @property
    def newline(self) -> str:
        """The line ending used for new text: the document's own."""
        return document_newline(self._text)

    def _fm_unchanged(self) -> bool:
        fm = self._fm
        return fm is self._fm0 and (fm is None or fm.raw == self._text[self._loc.start : self._loc.end])

    def _pristine(self) -> bool:
        cells = self._cells
        orig = self._orig
        if len(cells) != len(orig) or not self._fm_unchanged():
            return False
        return all(a is b and not (a._dirty and a.is_edited()) for a, b in zip(cells, orig, strict=True))

    def _leading(self, nl: str, has_cells: bool) -> str:
        t = self._text
        loc = self._loc
        fm = self._fm
        if self._fm0 is not None:
            pre, post = t[: loc.start], t[loc.end : self._lead_end]
            if fm is None:
                return pre + post.lstrip(" \t\r\n")
            lead = pre + self._fm_text(fm, nl) + post
        else:
            lead = t[: self._lead_end]
            if fm is not None:
                bom = "\ufeff" if lead.startswith("\ufeff") else ""
                rest = lead[len(bom) :]
                lead = bom + self._fm_text(fm, nl) + nl + (nl if rest or has_cells else "") + rest
        if has_cells and not self._orig and lead.strip():
            lead = lead.rstrip("\r\n") + nl + nl
        return lead

    def _fm_text(self, fm: Frontmatter, nl: str) -> str:
        raw = fm.raw
        if fm is not self._fm0 and nl != "\n" and "\r" not in raw:
            raw = raw.replace("\n", nl)  # a frontmatter made in code takes the file's newlines
        return raw

    def _dagger_shell(self) -> bool:
        fm = self._fm
        return fm is not None and fm.shell == "dagger shell"

    def dumps(self) -> str:
        """The document as text; see :func:`fenced.document.dumps`."""
        if self._pristine():
            return self._text
        text = self._text
        cells = self._cells
        nl = self.newline
        out = [self._leading(nl, bool(cells))]
        run_start = run_end = -1
        n = len(cells)
        prev: Cell | None = None
        for i, c in enumerate(cells):
            nxt = cells[i + 1] if i + 1 < n else None
            native = c._o is text and c._o is not None
            if prev is not None:
                if native and c._prev is prev:
                    if run_end != prev._end:
                        if run_start >= 0:
                            _copy(out, text, run_start, run_end)
                        run_start = prev._end
                    run_end = c._start
                else:
                    if run_start >= 0:
                        _copy(out, text, run_start, run_end)
                        run_start = -1
                    out.append(nl + nl)
            # Runme skips whitespace at the start of a file (without frontmatter); an indented
            # block after a new neighbour may join a list or another indented block
            at_start = c.kind == CODE and (
                (i == 0 and self._fm is None and _indented_start(c))
                or (prev is not None and not c._fenced and c._prev is not prev and _absorbs(prev))
            )
            if native and not at_start and not self._rendered(c, nxt):
                if run_start >= 0 and run_end == c._start:
                    run_end = c._end
                else:
                    if run_start >= 0:
                        _copy(out, text, run_start, run_end)
                    run_start, run_end = c._start, c._end
            else:
                if run_start >= 0:
                    _copy(out, text, run_start, run_end)
                    run_start = -1
                out.append(self._render(c, nl, nxt, at_start))
            prev = c
        if run_start >= 0:
            _copy(out, text, run_start, run_end)
        if cells:
            out.append(text[self._trail_start :] if self._orig else nl)
        return "".join(out)

    def _rendered(self, c: Cell, nxt: Cell | None) -> bool:
        """Must ``c`` be rendered rather than copied, given what follows it?"""
        if c._o is None or (c._dirty and c.is_edited()):
            return True
        # an unclosed fence can only stay unclosed before its original successor
        return not c._closed and nxt is not None and nxt._prev is not c

    def _render(self, c: Cell, nl: str, nxt: Cell | None, at_start: bool = False) -> str:
        if c.kind == CODE:
            return render_code(c, nl, nxt is not None, self._dagger_shell, at_start)
        return render_markdown(c, nl)

    def __repr__(self) -> str:
        return f"Notebook({len(self._cells)} cells, frontmatter={self._fm is not None})"
