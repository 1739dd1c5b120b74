"""The values of prompted environment variables (Runme's promptEnv), asked in a native `<dialog>` (focus
trapping, Escape and focus return come with it) before a cell that exports variables without a value runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
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

    async def ask(
        self, cell_name: str, prompts: list[Prompt], secret: Collection[str] = ()
    ) -> dict[str, str] | None:
        """Ask for the values; None when cancelled. Names in `secret` get a masked input (with a show/hide
        toggle) and are never prefilled into the page's markup; every value leaves the DOM on close."""
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        self._return_to = opt(js.document.activeElement)
        fields = "".join(_field(i, p, p.name in secret) for i, p in enumerate(prompts))
        self.prompt.setAttribute("aria-label", f"Environment variables for {cell_name}")
        note = (
            " Secret values are kept in this page's memory only and masked (••••) in output."
            if any(p.name in secret for p in prompts)
            else ""
        )
        self.prompt.innerHTML = (
            f'<form method="dialog" class="dialog-form"><h2>Run {escape(cell_name)}</h2>'
            "<p>This cell exports variables without a value. Enter the values to run it with; they are"
            f" kept for this session.{note}</p>"
            f"{fields}"
            '<div class="dialog-buttons"><button type="submit" class="primary">Run</button>'
            '<button type="button" data-cancel>Cancel</button></div></form>'
        )
        for p in prompts:  # defaults go in as properties, not markup (a secret's too)
            if p.default:
                field = self.prompt.querySelector(f'input[data-index="{prompts.index(p)}"]')
                field.value = p.default
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
            return
        reveal = closest(event.target, "[data-reveal]")
        if reveal is not None:
            field = reveal.parentElement.querySelector("input")
            shown = str(field.type) == "password"
            field.type = "text" if shown else "password"
            reveal.setAttribute("aria-pressed", "true" if shown else "false")
            reveal.textContent = "Hide" if shown else "Show"

    def _closed(self, _event: Any) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)
        self.prompt.replaceChildren()  # the values typed leave the DOM with the form
        self._restore_focus()


def _field(index: int, prompt: Prompt, secret: bool) -> str:
    name = escape(prompt.name)
    common = (
        f'name="{name}" data-index="{index}" placeholder="{escape(prompt.placeholder)}"'
        ' autocomplete="off" spellcheck="false"'
    )
    if not secret:
        return f'<label class="field"><span class="label">{name}</span><input type="text" {common}></label>'
    return (
        f'<div class="field secret-field"><label class="field-label" for="prompt-{index}">'
        f'<span class="label">{name}</span> <span class="secret-badge" aria-hidden="true">secret</span></label>'
        f'<span class="secret-row"><input type="password" id="prompt-{index}" data-secret {common}>'
        '<button type="button" data-reveal aria-pressed="false" aria-label="Show value"'
        ' title="Show or hide the value">Show</button></span></div>'
    )
