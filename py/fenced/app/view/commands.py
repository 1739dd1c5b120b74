"""Notebook commands by name: what keys, toolbar buttons and the actions bar ask the view to do.

Every command that changes the document first flushes pending editor text, then runs one reversible
operation from `ops` (so it is one undo step), then moves the selection where Jupyter would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ops

if TYPE_CHECKING:
    from .notebook import NotebookView

DEFAULT_LANGUAGE = "sh"


class Commands:
    def __init__(self, view: NotebookView) -> None:
        self.v = view

    def run(self, name: str) -> bool:
        """Run command `name` on the active cell; False when there is no such command."""
        handler = getattr(self, "cmd_" + name.replace("-", "_"), None)
        if handler is None or self.v.notebook is None:
            return False
        handler()
        return True

    # --- helpers ----------------------------------------------------------------------------------

    def _cell(self) -> Any:
        cells = self.v.cells
        return cells[self.v.active] if 0 <= self.v.active < len(cells) else None

    def _language_near(self, index: int) -> str:
        cells = self.v.cells
        for i in range(min(index, len(cells) - 1), -1, -1):
            if cells[i].kind == "code" and cells[i].language:
                return cells[i].language
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

    # --- navigation and modes -------------------------------------------------------------------

    def cmd_edit(self) -> None:
        self.v.edit()

    def cmd_command_mode(self) -> None:
        self.v.command_mode()

    def cmd_blur(self) -> None:
        self.v.select(self.v.active)

    def cmd_render(self) -> None:
        cell = self._cell()
        if cell is not None and cell.kind == "markdown":
            self.v.command_mode()

    def cmd_render_next(self) -> None:
        self.v.command_mode(advance=True)

    def cmd_next(self) -> None:
        self.v.select(self.v.active + 1)

    def cmd_prev(self) -> None:
        self.v.select(self.v.active - 1)

    def cmd_first(self) -> None:
        self.v.select(0)

    def cmd_last(self) -> None:
        self.v.select(len(self.v.cells) - 1)

    # --- adding and removing ------------------------------------------------------------------------

    def cmd_insert_above(self) -> None:
        self._insert(self.v.active, "code", edit=False)

    def cmd_insert_below(self) -> None:
        self._insert(self.v.active + 1 if self.v.cells else 0, "code", edit=False)

    def cmd_add_code_above(self) -> None:
        self._insert(self.v.active, "code", edit=True)

    def cmd_add_code_below(self) -> None:
        self._insert(self.v.active + 1 if self.v.cells else 0, "code", edit=True)

    def cmd_add_markdown_above(self) -> None:
        self._insert(self.v.active, "markdown", edit=True)

    def cmd_add_markdown_below(self) -> None:
        self._insert(self.v.active + 1 if self.v.cells else 0, "markdown", edit=True)

    def cmd_add_code(self) -> None:
        self._insert(len(self.v.cells), "code", edit=True)

    def cmd_add_markdown(self) -> None:
        self._insert(len(self.v.cells), "markdown", edit=True)

    def cmd_delete(self) -> None:
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

    def cmd_duplicate(self) -> None:
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

    def cmd_to_markdown(self) -> None:
        self._replace_kind("markdown")

    def cmd_to_code(self) -> None:
        self._replace_kind("code")

    def _move(self, delta: int) -> None:
        target = ops.clamp_move(self.v.active, delta, len(self.v.cells))
        if target is None:
            return
        self.v.flush()
        self.v.run(ops.MoveCell(self.v.active, target))
        self.v.select(target)

    def cmd_move_up(self) -> None:
        self._move(-1)

    def cmd_move_down(self) -> None:
        self._move(1)

    # --- history ----------------------------------------------------------------------------------

    def cmd_undo(self) -> None:
        self.v.undo()

    def cmd_redo(self) -> None:
        self.v.redo()

    # --- panels and dialogs -----------------------------------------------------------------------

    def cmd_find(self) -> None:
        self.v.chrome.focus_find()

    def cmd_find_next(self) -> None:
        self.v.chrome.find_step(1)

    def cmd_find_prev(self) -> None:
        self.v.chrome.find_step(-1)

    def cmd_shortcuts(self) -> None:
        self.v.chrome.dialogs.shortcuts()

    def cmd_attributes(self) -> None:
        cell = self._cell()
        if cell is not None and cell.kind == "code":
            self.v.chrome.dialogs.attributes(self.v.active)

    def cmd_language(self) -> None:
        cell = self._cell()
        if cell is not None and cell.kind == "code":
            self.v.chrome.dialogs.attributes(self.v.active, focus="language")

    def cmd_frontmatter(self) -> None:
        self.v.chrome.dialogs.frontmatter()

    def cmd_outline(self) -> None:
        self.v.chrome.toggle_outline()
