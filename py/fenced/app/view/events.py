"""DOM events -> commands. A handful of delegated listeners (the notebook root and the document), not
one per cell: each listener is a Python proxy, and proxies and JS->Python calls are what cost here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import js

from .bridge import closest, guarded, listen, opt
from .commands import Commands
from .keymap import COMMAND, EDIT, KeyPress, command_for

if TYPE_CHECKING:
    from .notebook import NotebookView

_TEXT_INPUTS = ("INPUT", "TEXTAREA", "SELECT")


class Events:
    def __init__(self, view: NotebookView) -> None:
        self.v = view
        self.commands = Commands(view)
        self._pending: str | None = None
        root = view.root
        view._ctl.listenKeys(
            guarded(self._on_keydown, view._proxies)
        )  # filtered in JS: no Python per typed key
        self._listen(root, "click", self._on_click)
        self._listen(root, "dblclick", self._on_dblclick)
        self._listen(root, "focusin", self._on_focusin)
        self._listen(view.chrome.find_input, "input", self._on_input)

    def _listen(self, target: Any, name: str, handler: Any, capture: bool = False) -> None:
        listen(target, name, handler, self.v._proxies, capture)

    def _cell_of(self, target: Any) -> Any:
        cells = self.v._cells_el
        el = closest(target, ".cell")
        return el if el is not None and el.parentElement == cells else None

    # --- keyboard ---------------------------------------------------------------------------------

    def _mode_for(self, target: Any) -> str | None:
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
        if opt(js.document.querySelector("dialog[open]")) is not None:
            return
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
        if not v.cells and command not in (
            "undo",
            "redo",
            "shortcuts",
            "find",
            "insert-above",
            "insert-below",
        ):
            return
        event.preventDefault()
        event.stopPropagation()
        self.commands.run(command)

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
            self.commands.run(command)

    # --- mouse and focus --------------------------------------------------------------------------

    def _on_click(self, event: Any) -> None:
        target = event.target
        button = closest(target, "[data-op],[data-nb],[data-goto]")
        if button is not None:
            if button.hasAttribute("data-goto"):
                self.v.chrome.go_to(int(button.getAttribute("data-goto")))
            else:
                op = button.dataset.op if button.hasAttribute("data-op") else button.dataset.nb
                self.commands.run(str(op))
            return
        cell = self._cell_of(target)
        if cell is None:
            return
        if closest(target, "a[href]") is not None:
            return  # links open (in a new tab); the click does not select
        index = self.v.index_of(cell)
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
