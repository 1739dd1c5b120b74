"""The command palette (Ctrl/Cmd+Shift+P, or "Commands…"): every labelled command of the page's command
table and the items its palette sources give (run a cell by name, stop it), filtered as you type.

A native `<dialog>` (focus trapping, Escape and focus return come with it). Its markup and classes
(`run-dialog run-palette`, `palette-*`) are those it had when fenced.app.run owned it: styles and tests
rely on them.
"""

from __future__ import annotations

from html import escape
from typing import Any

import js

from fenced.app.jsffi import closest, listen, obj, opt

from .commandtable import PaletteItem


def matches(query: str, label: str) -> bool:
    """Every word of the query appears in the label (case-insensitive)."""
    low = label.lower()
    return all(word in low for word in query.lower().split())


class Palette:
    def __init__(self) -> None:
        self.dialog = js.document.createElement("dialog")
        self.dialog.className = "run-dialog run-palette"
        js.document.body.appendChild(self.dialog)
        self._items: list[PaletteItem] = []
        self._shown: list[int] = []
        self._active = 0
        self._return_to: Any = None
        listen(self.dialog, "input", lambda _e: self._filter())
        listen(self.dialog, "keydown", self._on_key)
        listen(self.dialog, "click", self._on_click)
        listen(self.dialog, "close", lambda _e: self._restore_focus())

    def open(self, items: list[PaletteItem]) -> None:
        self._items = items
        if not self.dialog.open:
            self._return_to = opt(js.document.activeElement)
        self.dialog.setAttribute("aria-label", "Command palette")
        self.dialog.innerHTML = (
            '<input type="text" class="palette-input" role="combobox" aria-label="Command"'
            ' aria-autocomplete="list" aria-expanded="true" aria-controls="run-palette-list"'
            ' placeholder="Run a cell by name, or a command…" autocomplete="off" spellcheck="false">'
            '<ul id="run-palette-list" class="palette-list" role="listbox" aria-label="Commands"></ul>'
        )
        if not self.dialog.open:
            self.dialog.showModal()
        self._filter()
        self.dialog.querySelector("input").focus()

    def _restore_focus(self) -> None:
        target, self._return_to = self._return_to, None
        if target is not None and target.isConnected:
            target.focus()

    def _filter(self) -> None:
        query = str(self.dialog.querySelector("input").value)
        self._shown = [i for i, item in enumerate(self._items) if matches(query, item.label)]
        self._active = 0
        items = (
            "".join(
                f'<li role="option" id="palette-{n}" data-pick="{n}" class="palette-item">'
                f"{escape(self._items[i].label)}</li>"
                for n, i in enumerate(self._shown)
            )
            or '<li class="palette-empty" aria-disabled="true">No matching command</li>'
        )
        self.dialog.querySelector("ul").innerHTML = items
        self._highlight()

    def _highlight(self) -> None:
        field = self.dialog.querySelector("input")
        for el in self.dialog.querySelectorAll("[data-pick]"):
            on = int(el.dataset.pick) == self._active
            el.setAttribute("aria-selected", "true" if on else "false")
            if on:
                field.setAttribute("aria-activedescendant", el.id)
                el.scrollIntoView(obj(block="nearest"))

    def _on_key(self, event: Any) -> None:
        key = str(event.key)
        if key in ("ArrowDown", "ArrowUp") and self._shown:
            event.preventDefault()
            self._active = (self._active + (1 if key == "ArrowDown" else -1)) % len(self._shown)
            self._highlight()
        elif key == "Enter":
            event.preventDefault()
            self._pick(self._active)

    def _on_click(self, event: Any) -> None:
        target = event.target
        item = closest(target, "[data-pick]")
        if item is not None:
            self._pick(int(item.dataset.pick))
        elif target == self.dialog:  # a click on the backdrop
            self.dialog.close()

    def _pick(self, n: int) -> None:
        if not 0 <= n < len(self._shown):
            return
        item = self._items[self._shown[n]]
        self.dialog.close()
        item.run()
