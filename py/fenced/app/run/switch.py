"""The user's yes or no to a runner the page's address names (`settings.decide` said "ask"): a native
modal `<dialog>` (role dialog, focus trap, Escape = no) that shows the runner's URL in full, the runner in
use now, and what saying yes means. No is the default: the focus starts on Cancel.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

import js

from fenced.app.jsffi import closest, listen, opt

from .settings import Offer


class SwitchDialog:
    def __init__(self) -> None:
        self.dialog: Any = None
        self._answer: asyncio.Future[bool] | None = None

    def _make(self) -> Any:
        dialog = js.document.createElement("dialog")
        dialog.className = "run-dialog runner-switch"
        dialog.setAttribute("aria-labelledby", "runner-switch-title")
        js.document.body.appendChild(dialog)
        listen(dialog, "click", self._clicked)
        listen(dialog, "close", lambda _e: self._settle(False))
        return dialog

    async def ask(self, offer: Offer, current: str) -> bool:
        """True when the user says to use `offer.url` (with `offer.token`, if it brings one)."""
        if self.dialog is None:
            self.dialog = self._make()
        self._settle(False)
        self.dialog.innerHTML = _html(offer, current)
        self._answer = asyncio.get_running_loop().create_future()
        self.dialog.showModal()
        cancel = opt(self.dialog.querySelector("[data-switch='no']"))
        if cancel is not None:
            cancel.focus()
        return await self._answer

    def _clicked(self, event: Any) -> None:
        button = closest(event.target, "[data-switch]")
        if button is None:
            return
        self._settle(str(button.dataset.switch) == "yes")
        self.dialog.close()

    def _settle(self, yes: bool) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(yes)


def _html(offer: Offer, current: str) -> str:
    url, now = escape(offer.url), escape(current)
    if offer.url == current:  # another token for the runner in use
        title, accept = "Use a new token?", "Use new token"
        body = (
            f"<p>This page's address brings another token for the runner you use:</p>"
            f'<p class="runner-switch-origin"><code data-runner-origin>{url}</code></p>'
            "<p>Use it instead of the token you gave for this runner? Say no unless you got this address from"
            " the runner yourself (e.g. <code>fenced serve</code> or <code>fenced runner</code> printed it).</p>"
        )
    else:
        title, accept = "Switch runner?", "Switch runner"
        token = (
            "It brings a token for that runner."
            if offer.token
            else "It brings no token: you may have to enter one."
        )
        body = (
            "<p>This page's address asks Fenced to run your cells on the runner at</p>"
            f'<p class="runner-switch-origin"><code data-runner-origin>{url}</code></p>'
            f"<p>You use <code>{now}</code> now. {token} Every command you run would go to the runner"
            " above, which can read what the commands show. Switch only if you started it yourself or"
            " trust who did; otherwise Cancel, and nothing changes.</p>"
        )
    return (
        f'<h2 id="runner-switch-title">{title}</h2>{body}'
        '<div class="dialog-buttons"><button type="button" data-switch="no">Cancel</button>'
        f'<button type="button" data-switch="yes">{accept}</button></div>'
    )
