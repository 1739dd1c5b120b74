"""Clicks and keys of the running part: Run/Stop in cells, a click in a terminal, the Run toolbar's
buttons (dispatched through the page's command table), and the run keys.

The run keys (Shift/Ctrl/Alt+Enter on a code cell, Ctrl/Cmd+Shift+P) are caught on `window` in the
capture phase, so before the view's own keymap (on `document`): Shift+Enter on a code cell runs it, where
the view alone would only move on. A JS filter calls Python for those keys only, so typing costs no
Python call per key press.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import js

from fenced.app.jsffi import closest, guarded, listen, opt

if TYPE_CHECKING:
    from .commands import RunCommands, RunnableView
    from .outputs import Outputs

# Calls Python only for the run keys (see the module's docstring).
KEY_FILTER_JS = (
    "(py) => (e) => { const mod = e.ctrlKey || e.metaKey;"
    " if ((e.key === 'Enter' && (e.shiftKey || mod || e.altKey)) ||"
    " (mod && e.shiftKey && (e.key === 'p' || e.key === 'P'))) py(e); }"
)


class RunKeys:
    def __init__(self, view: RunnableView, outputs: Outputs, commands: RunCommands) -> None:
        self.view = view
        self.outputs = outputs
        self.commands = commands  # what Run and Stop do

    def listen(self, actions: Any) -> None:
        """Clicks in cells (Run/Stop, a terminal), on the Run toolbar (`actions`), and the run keys."""
        listen(self.view.root, "click", self._on_click)
        listen(actions, "click", self._on_action)
        from pyodide.code import run_js

        js.window.addEventListener("keydown", run_js(KEY_FILTER_JS)(guarded(self._on_keydown)), True)

    def _on_click(self, event: Any) -> None:
        target = event.target
        button = closest(target, "[data-run]")
        if button is None:
            self._clicked_output(target)
            return
        cell_el = opt(button.closest(".cell"))
        if cell_el is None:
            return
        index = int(cell_el.dataset.cellIndex)
        if button.dataset.run == "run":
            self.commands.run_index(index)
        else:
            self.commands.stop_index(index)

    def _clicked_output(self, target: Any) -> None:
        """A click in a terminal: an interactive run's terminal takes the keyboard. (The view selects the
        cell on a click in its output area, without moving the focus.)"""
        if closest(target, ".cell-output") is None:
            return
        cell_el = closest(target, ".cell")
        if cell_el is None:
            return
        out = self.outputs.get(int(cell_el.dataset.key))
        if out is not None and out.term is not None and out.run is not None and out.run.interactive:
            out.term.focus()

    def _on_action(self, event: Any) -> None:
        button = closest(event.target, "[data-run-action]")
        if button is None or button.disabled:
            return
        self.view.commands.run(str(button.dataset.runAction))

    def _on_keydown(self, event: Any) -> None:
        key = str(event.key)
        mod, shift, alt = bool(event.ctrlKey or event.metaKey), bool(event.shiftKey), bool(event.altKey)
        if mod and shift and not alt and key.lower() == "p":
            event.preventDefault()
            event.stopPropagation()
            self.view.commands.run("palette")
            return
        if key != "Enter" or event.isComposing or event.defaultPrevented or (shift + mod + alt) != 1:
            return
        if opt(js.document.querySelector("dialog[open], [popover]:popover-open")) is not None:
            return
        target = event.target
        cell_el = closest(target, ".cell")
        if cell_el is None or not self.view.root.contains(cell_el) or cell_el.dataset.cellKind != "code":
            return  # Markdown cells keep the view's keys (Shift+Enter renders)
        if closest(target, ".cell-output") is not None:
            return  # keys typed in a terminal go to the process
        if target != cell_el and closest(target, ".cm-editor") is None:
            return
        event.preventDefault()
        event.stopPropagation()
        index = int(cell_el.dataset.cellIndex)
        self.commands.run_index(index)
        view = self.view
        if shift:  # run and move on
            view.select(min(index + 1, len(view.cells) - 1))
        elif alt:  # run and insert a cell below
            view.active = index
            view.commands.run("add-code-below")
