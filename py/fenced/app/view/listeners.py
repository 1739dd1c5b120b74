"""DOM events -> commands. A handful of delegated listeners (the notebook root and the document), not
one per cell: each listener is a Python proxy, and proxies and JS->Python calls are what cost here.
Commands are run by name through the view's `CommandTable`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import closest, guarded, listen, opt

from .commandtable import CommandTable
from .keymap import COMMAND, EDIT, KeyPress, Mode, command_for

_TEXT_INPUTS = ("INPUT", "TEXTAREA", "SELECT")
MODAL = "dialog[open], [popover]:popover-open"
# What the keys may do in a notebook without cells.
_WITHOUT_CELLS = ("undo", "redo", "shortcuts", "find", "insert-above", "insert-below")


if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .dialogs import Editable

    class _Chrome(Protocol):
        find_input: Any

        def handles_key(self, event: Any) -> bool: ...

        def go_to(self, index: int) -> None: ...

        def on_input(self, event: Any) -> None: ...

    class _Cells(Protocol):
        el: Any  # .nb-cells

    class Interactive(Editable, Protocol):
        """What the listeners need of the view (`NotebookView`): what its dialogs need, and more."""

        root: Any
        mode: Mode
        commands: CommandTable

        @property
        def chrome(self) -> _Chrome: ...

        @property
        def dom(self) -> _Cells: ...

        def index_of(self, element: Any) -> int: ...

        def edit(
            self, index: int | None = None, where: str = "", point: tuple[float, float] | None = None
        ) -> None: ...

        def follow_link(self, anchor: Any, event: Any) -> None: ...


class Listeners:
    def __init__(self, view: Interactive, ctl: Any) -> None:
        self.v = view
        self._pending: str | None = None
        root = view.root
        ctl.listenKeys(guarded(self._on_keydown))  # filtered in JS: no Python per typed key
        listen(root, "click", self._on_click)
        listen(root, "dblclick", self._on_dblclick)
        listen(root, "focusin", self._on_focusin)
        listen(view.chrome.find_input, "input", self._on_input)

    def _cell_of(self, target: Any) -> Any:
        cells = self.v.dom.el
        el = closest(target, ".cell")
        return el if el is not None and el.parentElement == cells else None

    # --- keyboard ---------------------------------------------------------------------------------

    def _mode_for(self, target: Any) -> Mode | None:
        """EDIT in a cell's editor, COMMAND on a cell (or nothing focused), None elsewhere."""
        if target == js.document.body or target == self.v.root:
            return COMMAND
        cell = self._cell_of(target)
        if cell is None:
            return None
        if closest(target, ".cm-editor") is not None:
            return EDIT
        if target == cell:
            return COMMAND
        return None  # a button or link inside the cell keeps its own keys

    def _on_keydown(self, event: Any) -> None:
        v = self.v
        if v.notebook is None or event.defaultPrevented or event.isComposing:
            return
        target = event.target
        if v.chrome.handles_key(event):
            return
        if opt(js.document.querySelector(MODAL)) is not None:
            return  # a dialog or an open menu has the keys (Escape closes it: never prevent that)
        mode = self._mode_for(target)
        if mode is None:
            self._other_key(event, target)
            return
        press = KeyPress(
            str(event.key), bool(event.ctrlKey), bool(event.metaKey), bool(event.shiftKey), bool(event.altKey)
        )
        command, self._pending = command_for(mode, press, self._pending)
        if command is None:
            return
        if mode == EDIT:
            cell = self._cell_of(target)
            if cell is not None:
                v.active = v.index_of(cell)
        if not v.cells and command not in _WITHOUT_CELLS:
            return
        event.preventDefault()
        event.stopPropagation()
        v.commands.run(command)

    def _other_key(self, event: Any, target: Any) -> None:
        """Focus on a control (a button of the notebook, or outside it): only a few keys are ours."""
        if str(getattr(target, "tagName", "")) in _TEXT_INPUTS or getattr(target, "isContentEditable", False):
            return
        key = str(event.key)
        mod = bool(event.ctrlKey or event.metaKey)
        command = None
        if key == "?" and not mod:
            command = "shortcuts"
        elif self.v.root.contains(target) and not event.altKey:
            if key == "Escape" and not mod:
                command = "blur"
            elif mod and key.lower() == "z":
                command = "redo" if event.shiftKey else "undo"
            elif mod and key.lower() == "y" and not event.shiftKey:
                command = "redo"
        if command is not None:
            event.preventDefault()
            self.v.commands.run(command)

    # --- mouse and focus --------------------------------------------------------------------------

    def _on_click(self, event: Any) -> None:
        target = event.target
        button = closest(target, "[data-op],[data-nb]")
        if button is not None:
            if button.hasAttribute("data-op"):
                # The actions bar (or its menu) of a cell: that cell, which the mouse may have shown it
                # in without selecting it (web/shell.js moves the one bar to the hovered cell).
                cell = self._cell_of(button)
                if cell is not None and self.v.index_of(cell) != self.v.active:
                    self.v.select(self.v.index_of(cell), focus=False, scroll=False)
                self.v.commands.run(str(button.dataset.op))
            else:
                self.v.commands.run(str(button.dataset.nb))
            return
        cell = self._cell_of(target)
        if cell is None:
            return
        index = self.v.index_of(cell)
        if closest(target, ".cell-output") is not None:
            # The output area is another room's (fenced.app.run: a terminal may take the keyboard there):
            # select the cell, but leave the focus where that click put it.
            self.v.select(index, focus=False, scroll=False)
            return
        link = closest(target, "a[href]")
        if link is not None:  # links open (see follow_link); the click does not select
            if closest(target, ".markdown-body") is not None:
                self.v.follow_link(link, event)
            return
        if cell.dataset.cellKind == "code" and closest(target, ".cell-source") is not None:
            if closest(target, ".cm-editor") is None:  # static text: mount and edit, caret where clicked
                self.v.edit(index, point=(float(event.clientX), float(event.clientY)))
            return
        if closest(target, ".cm-editor") is None:
            self.v.select(index)

    def _on_dblclick(self, event: Any) -> None:
        cell = self._cell_of(event.target)
        if (
            cell is not None
            and cell.dataset.cellKind == "markdown"
            and not cell.classList.contains("editing")
        ):
            event.preventDefault()
            self.v.edit(self.v.index_of(cell))

    def _on_focusin(self, event: Any) -> None:
        target = event.target
        cell = self._cell_of(target)
        if cell is None:
            return
        index = self.v.index_of(cell)
        if closest(target, ".cm-editor") is not None:
            if index != self.v.active or not cell.classList.contains("active"):
                self.v.select(index, focus=False, scroll=False)
            self.v.mode = EDIT
        elif target == cell:
            if index != self.v.active:
                self.v.select(index, focus=False, scroll=False)
            self.v.mode = COMMAND

    def _on_input(self, event: Any) -> None:
        self.v.chrome.on_input(event)
