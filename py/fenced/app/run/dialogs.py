"""The running part's two dialogs: values for prompted environment variables, and the command palette
(Ctrl/Cmd+Shift+P: run a cell by name, Run all, Stop all, ...). Native `<dialog>`s, so focus trapping,
Escape and focus return come with them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html import escape
from typing import Any

import js
from pyodide.ffi import to_js

from fenced.app.view.bridge import listen
from fenced.document.prompts import Prompt

Command = tuple[str, Callable[[], None]]


def matches(query: str, label: str) -> bool:
    """Every word of the query appears in the label (case-insensitive)."""
    low = label.lower()
    return all(word in low for word in query.lower().split())


class RunDialogs:
    def __init__(self) -> None:
        self._proxies: list[Any] = []
        self.prompt = self._dialog("run-dialog run-prompt")
        self.palette = self._dialog("run-dialog run-palette")
        self._answer: asyncio.Future[dict[str, str] | None] | None = None
        self._commands: list[Command] = []
        self._shown: list[int] = []
        self._active = 0
        self._return_to: Any = None
        self._on(self.prompt, "submit", self._prompt_submit)
        self._on(self.prompt, "close", self._prompt_closed)
        self._on(self.prompt, "click", self._prompt_click)
        self._on(self.palette, "input", lambda _e: self._filter())
        self._on(self.palette, "keydown", self._palette_key)
        self._on(self.palette, "click", self._palette_click)
        self._on(self.palette, "close", lambda _e: self._restore_focus())

    def _dialog(self, cls: str) -> Any:
        dialog = js.document.createElement("dialog")
        dialog.className = cls
        js.document.body.appendChild(dialog)
        return dialog

    def _on(self, target: Any, name: str, handler: Callable[[Any], None]) -> None:
        listen(target, name, handler, self._proxies)

    def _restore_focus(self) -> None:
        target, self._return_to = self._return_to, None
        if target is not None and target.isConnected:
            target.focus()

    # --- prompts ----------------------------------------------------------------------------------

    async def ask(self, cell_name: str, prompts: list[Prompt]) -> dict[str, str] | None:
        """Ask for the values; None when cancelled."""
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        self._return_to = js.document.activeElement
        fields = "".join(
            f'<label class="field"><span class="label">{escape(p.name)}</span>'
            f'<input type="text" name="{escape(p.name)}" value="{escape(p.default)}"'
            f' placeholder="{escape(p.placeholder)}" autocomplete="off" spellcheck="false"></label>'
            for p in prompts
        )
        self.prompt.setAttribute("aria-label", f"Environment variables for {cell_name}")
        self.prompt.innerHTML = (
            f'<form method="dialog" class="dialog-form"><h2>Run {escape(cell_name)}</h2>'
            "<p>This cell exports variables without a value. Enter the values to run it with; they are"
            " kept for this session.</p>"
            f"{fields}"
            '<div class="dialog-buttons"><button type="submit" class="primary">Run</button>'
            '<button type="button" data-cancel>Cancel</button></div></form>'
        )
        self._answer = asyncio.get_running_loop().create_future()
        self.prompt.showModal()
        first = self.prompt.querySelector("input")
        if first:
            first.focus()
            first.select()
        return await self._answer

    def _prompt_submit(self, event: Any) -> None:
        event.preventDefault()
        values = {str(f.name): str(f.value) for f in self.prompt.querySelectorAll("input")}
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(values)
        self.prompt.close()

    def _prompt_click(self, event: Any) -> None:
        target = event.target
        if hasattr(target, "closest") and target.closest("[data-cancel]"):
            self.prompt.close()

    def _prompt_closed(self, _event: Any) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        self._restore_focus()

    # --- command palette --------------------------------------------------------------------------

    def open_palette(self, commands: list[Command]) -> None:
        self._commands = commands
        if not self.palette.open:
            self._return_to = js.document.activeElement
        self.palette.setAttribute("aria-label", "Command palette")
        self.palette.innerHTML = (
            '<input type="text" class="palette-input" role="combobox" aria-label="Command"'
            ' aria-autocomplete="list" aria-expanded="true" aria-controls="run-palette-list"'
            ' placeholder="Run a cell by name, or a command…" autocomplete="off" spellcheck="false">'
            '<ul id="run-palette-list" class="palette-list" role="listbox" aria-label="Commands"></ul>'
        )
        if not self.palette.open:
            self.palette.showModal()
        self._filter()
        self.palette.querySelector("input").focus()

    def _filter(self) -> None:
        query = str(self.palette.querySelector("input").value)
        self._shown = [i for i, (label, _) in enumerate(self._commands) if matches(query, label)]
        self._active = 0
        items = (
            "".join(
                f'<li role="option" id="palette-{n}" data-pick="{n}" class="palette-item">{escape(self._commands[i][0])}</li>'
                for n, i in enumerate(self._shown)
            )
            or '<li class="palette-empty" aria-disabled="true">No matching command</li>'
        )
        self.palette.querySelector("ul").innerHTML = items
        self._highlight()

    def _highlight(self) -> None:
        field = self.palette.querySelector("input")
        for el in self.palette.querySelectorAll("[data-pick]"):
            on = int(el.dataset.pick) == self._active
            el.setAttribute("aria-selected", "true" if on else "false")
            if on:
                field.setAttribute("aria-activedescendant", el.id)
                el.scrollIntoView(to_js({"block": "nearest"}, dict_converter=js.Object.fromEntries))

    def _palette_key(self, event: Any) -> None:
        key = str(event.key)
        if key in ("ArrowDown", "ArrowUp") and self._shown:
            event.preventDefault()
            self._active = (self._active + (1 if key == "ArrowDown" else -1)) % len(self._shown)
            self._highlight()
        elif key == "Enter":
            event.preventDefault()
            self._pick(self._active)

    def _palette_click(self, event: Any) -> None:
        target = event.target
        item = target.closest("[data-pick]") if hasattr(target, "closest") else None
        if item:
            self._pick(int(item.dataset.pick))
        elif target == self.palette:  # a click on the backdrop
            self.palette.close()

    def _pick(self, n: int) -> None:
        if not 0 <= n < len(self._shown):
            return
        _label, action = self._commands[self._shown[n]]
        self.palette.close()
        action()
