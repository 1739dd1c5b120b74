"""The values of prompted environment variables (Runme's promptEnv), asked in a native `<dialog>` (focus
trapping, Escape and focus return come with it) before a cell that exports variables without a value runs.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

import js

from fenced.app.jsffi import closest, listen, opt
from fenced.document.prompts import Prompt


class PromptDialog:
    def __init__(self) -> None:
        self.prompt = js.document.createElement("dialog")
        self.prompt.className = "run-dialog run-prompt"
        js.document.body.appendChild(self.prompt)
        self._answer: asyncio.Future[dict[str, str] | None] | None = None
        self._return_to: Any = None
        listen(self.prompt, "submit", self._submit)
        listen(self.prompt, "close", self._closed)
        listen(self.prompt, "click", self._click)

    def _restore_focus(self) -> None:
        target, self._return_to = self._return_to, None
        if target is not None and target.isConnected:
            target.focus()

    # --- prompts ----------------------------------------------------------------------------------

    async def ask(self, cell_name: str, prompts: list[Prompt]) -> dict[str, str] | None:
        """Ask for the values; None when cancelled."""
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        self._return_to = opt(js.document.activeElement)
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

    def _submit(self, event: Any) -> None:
        event.preventDefault()
        values = {str(f.name): str(f.value) for f in self.prompt.querySelectorAll("input")}
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(values)
        self.prompt.close()

    def _click(self, event: Any) -> None:
        if closest(event.target, "[data-cancel]") is not None:
            self.prompt.close()

    def _closed(self, _event: Any) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        self._restore_focus()
