"""The view's own commands: what keys, the notebook toolbar and the cell actions bar ask it to do.

Every command that changes the document first flushes pending editor text, then runs one reversible
operation from `ops` (so it is one undo step), then moves the selection where Jupyter would. They are
added to the page's `CommandTable` (`commandtable`) by name; nothing here touches the DOM directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from . import ops
from .commandtable import Command

DEFAULT_LANGUAGE = "sh"


if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .dialogs import Editable

    class _Dialogs(Protocol):
        def shortcuts(self) -> None: ...

        def attributes(self, index: int, focus: str = "") -> None: ...

        def frontmatter(self) -> None: ...

    class _Chrome(Protocol):
        @property
        def dialogs(self) -> _Dialogs: ...

        def focus_find(self) -> None: ...

        def find_step(self, delta: int) -> None: ...

        def toggle_outline(self) -> None: ...

    class Commandable(Editable, Protocol):
        """What the commands need of the view (`NotebookView`): what its dialogs need, and more."""

        root: Any

        @property
        def chrome(self) -> _Chrome: ...

        def edit(
            self, index: int | None = None, where: str = "", point: tuple[float, float] | None = None
        ) -> None: ...

        def command_mode(self, advance: bool = False) -> None: ...

        def undo(self) -> None: ...

        def redo(self) -> None: ...

        def open_palette(self) -> None: ...

        def toggle_sidebar(self) -> None: ...


class ViewCommands:
    def __init__(self, view: Commandable) -> None:
        self.v = view

    def commands(self) -> list[Command]:
        """The view's entries of the command table."""
        return [
            # navigation and modes
            Command("edit", self.v.edit),
            Command("command-mode", self.v.command_mode),
            Command("blur", self.blur),
            Command("render", self.render),
            Command("render-next", self.render_next),
            Command("next", self.next),
            Command("prev", self.prev),
            Command("first", self.first),
            Command("last", self.last),
            # adding and removing
            Command("insert-above", self.insert_above),
            Command("insert-below", self.insert_below),
            Command("add-code-above", self.add_code_above),
            Command("add-code-below", self.add_code_below),
            Command("add-markdown-above", self.add_markdown_above),
            Command("add-markdown-below", self.add_markdown_below),
            Command("add-code", self.add_code),
            Command("add-markdown", self.add_markdown),
            Command("delete", self.delete),
            Command("duplicate", self.duplicate),
            # changing cells
            Command("to-markdown", self.to_markdown),
            Command("to-code", self.to_code),
            Command("move-up", self.move_up),
            Command("move-down", self.move_down),
            # history
            Command("undo", self.v.undo),
            Command("redo", self.v.redo),
            # panels and dialogs
            Command("find", self.find),
            Command("find-next", self.find_next),
            Command("find-prev", self.find_prev),
            Command("shortcuts", self.shortcuts, label="Keyboard shortcuts"),
            Command("attributes", self.attributes),
            Command("language", self.language),
            Command("frontmatter", self.frontmatter, label="Edit the frontmatter…"),
            Command("outline", self.outline, label="Show or hide the outline"),
            Command("sidebar", self.v.toggle_sidebar, label="Show or hide the sidebar", needs_document=False),
            Command("palette", self.v.open_palette, needs_document=False),
        ]

    # --- helpers ----------------------------------------------------------------------------------

    def _cell(self) -> Any:
        cells = self.v.cells
        return cells[self.v.active] if 0 <= self.v.active < len(cells) else None

    def _language_near(self, index: int) -> str:
        cells = self.v.cells
        for i in range(min(index, len(cells) - 1), -1, -1):
            if cells[i].kind == "code" and cells[i].language:
                return str(cells[i].language)
        return DEFAULT_LANGUAGE

    def _insert(self, index: int, kind: str, edit: bool) -> None:
        from fenced.document import Cell

        self.v.flush()
        index = max(0, min(index, len(self.v.cells)))
        cell = Cell.new_code("", self._language_near(index - 1)) if kind == "code" else Cell.new_markdown("")
        self.v.run(ops.InsertCells(index, [cell], label=f"Add {kind} cell"))
        if edit:
            self.v.edit(index)
        else:
            self.v.select(index)

    def _below(self) -> int:
        return self.v.active + 1 if self.v.cells else 0

    # --- navigation and modes -------------------------------------------------------------------

    def blur(self) -> None:
        self.v.select(self.v.active)

    def render(self) -> None:
        cell = self._cell()
        if cell is not None and cell.kind == "markdown":
            self.v.command_mode()

    def render_next(self) -> None:
        self.v.command_mode(advance=True)

    def next(self) -> None:
        self.v.select(self.v.active + 1)

    def prev(self) -> None:
        self.v.select(self.v.active - 1)

    def first(self) -> None:
        self.v.select(0)

    def last(self) -> None:
        self.v.select(len(self.v.cells) - 1)

    # --- adding and removing ------------------------------------------------------------------------

    def insert_above(self) -> None:
        self._insert(self.v.active, "code", edit=False)

    def insert_below(self) -> None:
        self._insert(self._below(), "code", edit=False)

    def add_code_above(self) -> None:
        self._insert(self.v.active, "code", edit=True)

    def add_code_below(self) -> None:
        self._insert(self._below(), "code", edit=True)

    def add_markdown_above(self) -> None:
        self._insert(self.v.active, "markdown", edit=True)

    def add_markdown_below(self) -> None:
        self._insert(self._below(), "markdown", edit=True)

    def add_code(self) -> None:
        self._insert(len(self.v.cells), "code", edit=True)

    def add_markdown(self) -> None:
        self._insert(len(self.v.cells), "markdown", edit=True)

    def delete(self) -> None:
        cell = self._cell()
        if cell is None:
            return
        self.v.flush()
        index = self.v.active
        self.v.run(ops.DeleteCells(index, [cell]))
        if self.v.cells:
            self.v.select(min(index, len(self.v.cells) - 1))
        else:
            self.v.root.focus()

    def duplicate(self) -> None:
        from fenced.document import Cell

        cell = self._cell()
        if cell is None:
            return
        self.v.flush()
        if cell.kind == "code":
            taken = {c.name for c in self.v.cells if c.kind == "code"}
            attrs = ops.duplicate_attributes(dict(cell.current_attributes()), taken)
            copy = Cell.new_code(cell.source, cell.language, attrs)
        else:
            copy = Cell.new_markdown(cell.source)
        index = self.v.active + 1
        self.v.run(ops.InsertCells(index, [copy], label="Duplicate cell"))
        self.v.select(index)

    # --- changing cells ---------------------------------------------------------------------------

    def _replace_kind(self, kind: str) -> None:
        from fenced.document import Cell

        cell = self._cell()
        if cell is None or cell.kind == kind:
            return
        self.v.flush()
        index = self.v.active
        new = (
            Cell.new_markdown(cell.source)
            if kind == "markdown"
            else Cell.new_code(cell.source, self._language_near(index - 1))
        )
        self.v.run(ops.ReplaceCell(index, cell, new))
        self.v.select(index)

    def to_markdown(self) -> None:
        self._replace_kind("markdown")

    def to_code(self) -> None:
        self._replace_kind("code")

    def _move(self, delta: int) -> None:
        target = ops.clamp_move(self.v.active, delta, len(self.v.cells))
        if target is None:
            return
        self.v.flush()
        self.v.run(ops.MoveCell(self.v.active, target))
        self.v.select(target)

    def move_up(self) -> None:
        self._move(-1)

    def move_down(self) -> None:
        self._move(1)

    # --- panels and dialogs -----------------------------------------------------------------------

    def find(self) -> None:
        self.v.chrome.focus_find()

    def find_next(self) -> None:
        self.v.chrome.find_step(1)

    def find_prev(self) -> None:
        self.v.chrome.find_step(-1)

    def outline(self) -> None:
        self.v.chrome.toggle_outline()

    def shortcuts(self) -> None:
        self.v.chrome.dialogs.shortcuts()

    def frontmatter(self) -> None:
        self.v.chrome.dialogs.frontmatter()

    def attributes(self) -> None:
        cell = self._cell()
        if cell is not None and cell.kind == "code":
            self.v.chrome.dialogs.attributes(self.v.active)

    def language(self) -> None:
        cell = self._cell()
        if cell is not None and cell.kind == "code":
            self.v.chrome.dialogs.attributes(self.v.active, focus="language")
