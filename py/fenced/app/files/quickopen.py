"""Quick open (Ctrl+P, "Go to file…"): a dialog with a field and a list of the opened folder's files and the
open documents, ranked by a fuzzy match of the path as the user types (`tree.quick_open`); Up/Down pick,
Enter opens, Escape closes. The field is a `combobox` that controls a `listbox` of `option`s, with the
picked one as its `aria-activedescendant` (the WAI-ARIA combobox pattern).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import js

from fenced.app.jsffi import listen, obj, opt

from . import tree

MARKUP = """
<form method="dialog" class="quick-open-form">
  <input type="text" class="quick-open-input" role="combobox" aria-label="File to open"
    aria-expanded="true" aria-controls="quick-open-list" aria-autocomplete="list"
    placeholder="Type part of a file's path" autocomplete="off" spellcheck="false">
  <ul id="quick-open-list" class="quick-open-list" role="listbox" aria-label="Files"></ul>
  <p class="quick-open-empty" hidden>No file matches.</p>
</form>
"""


def _highlight(path: str, positions: tuple[int, ...]) -> str:
    marks = set(positions)
    return "".join(f"<mark>{escape(c)}</mark>" if i in marks else escape(c) for i, c in enumerate(path))


class QuickOpen:
    def __init__(self, paths: Callable[[], list[str]], open_path: Callable[[str], object]) -> None:
        self._paths = paths  # the files to choose from (the folder's, then the open documents')
        self._open_path = open_path
        self._dialog: Any = None
        self._input: Any = None
        self._list: Any = None
        self._shown: list[str] = []
        self._active = 0

    def _build(self) -> None:
        dialog = js.document.createElement("dialog")
        dialog.className = "quick-open"
        dialog.setAttribute("aria-label", "Go to file")
        dialog.innerHTML = MARKUP
        js.document.body.append(dialog)
        self._dialog = dialog
        self._input = dialog.querySelector(".quick-open-input")
        self._list = dialog.querySelector(".quick-open-list")
        listen(self._input, "input", lambda _e: self._render())
        listen(self._input, "keydown", self._on_key)
        listen(self._list, "click", self._on_click)
        listen(dialog, "click", self._on_backdrop)

    def open(self) -> None:
        if self._dialog is None:
            self._build()
        self._input.value = ""
        self._render()
        if not self._dialog.open:
            self._dialog.showModal()
        self._input.focus()

    def close(self) -> None:
        if self._dialog is not None and self._dialog.open:
            self._dialog.close()

    def _render(self) -> None:
        ranked = tree.quick_open(str(self._input.value), self._paths())
        self._shown = [r.path for r in ranked]
        self._active = 0
        self._list.innerHTML = "".join(
            f'<li role="option" id="quick-open-{i}" class="quick-open-item" data-index="{i}"'
            f' aria-selected="{"true" if i == 0 else "false"}" aria-label="{escape(r.path)}">'
            f'<span class="qo-name">{escape(tree.basename(r.path))}</span>'
            f'<span class="qo-path">{_highlight(r.path, r.positions)}</span></li>'
            for i, r in enumerate(ranked)
        )
        self._dialog.querySelector(".quick-open-empty").hidden = bool(ranked)
        self._mark()

    def _mark(self) -> None:
        for item in self._list.querySelectorAll('[aria-selected="true"]'):
            item.setAttribute("aria-selected", "false")
        item = opt(self._list.querySelector(f"#quick-open-{self._active}"))
        if item is None:
            self._input.removeAttribute("aria-activedescendant")
            return
        item.setAttribute("aria-selected", "true")
        self._input.setAttribute("aria-activedescendant", f"quick-open-{self._active}")
        item.scrollIntoView(obj(block="nearest"))

    def _on_key(self, event: Any) -> None:
        key = str(event.key)
        if key in ("ArrowDown", "ArrowUp") and self._shown:
            event.preventDefault()
            step = 1 if key == "ArrowDown" else -1
            self._active = (self._active + step) % len(self._shown)
            self._mark()
        elif key == "Enter":
            event.preventDefault()
            self._choose(self._active)
        elif key == "Escape":
            event.preventDefault()
            self.close()

    def _on_click(self, event: Any) -> None:
        item = opt(event.target.closest("[data-index]"))
        if item is not None:
            self._choose(int(item.dataset.index))

    def _on_backdrop(self, event: Any) -> None:
        if event.target == self._dialog:  # a click outside the form lands on the dialog (its backdrop)
            self.close()

    def _choose(self, index: int) -> None:
        if 0 <= index < len(self._shown):
            path = self._shown[index]
            self.close()
            self._open_path(path)
