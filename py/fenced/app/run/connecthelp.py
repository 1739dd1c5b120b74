"""How to connect a runner, said where a new user looks: the "Connect a runner" panel of the empty state
(`#connect-runner`, placed by the page) and the runner popover's "How to start a runner". Both give the
exact command for this page's origin, with a copy button, and say what the token is and where it is
printed. Shown while no runner is connected.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import js

from fenced.app.jsffi import closest, js_message, listen, opt
from fenced.app.notify import notify

from .tasks import spawn


def start_command(origin: str) -> str:
    """The command that starts a runner this page may call (its CORS allows exactly this origin)."""
    return f"fenced runner --allow-origin {origin}"


def help_html(origin: str, app_url: str, heading: bool) -> str:
    command = escape(start_command(origin))
    title = '<h2 id="connect-runner-title">Connect a runner</h2>' if heading else ""
    return (
        f"{title}<p>Cells run on a <strong>runner</strong>: a small program you start on the machine where"
        " the commands should run (your laptop, a bastion host, a container). Start one there with:</p>"
        f'<div class="connect-command"><code data-connect-command>{command}</code>'
        f'<button type="button" data-copy="{command}" aria-label="Copy command">Copy</button></div>'
        "<p>It prints its <strong>URL</strong> (<code>fenced runner listening on http://127.0.0.1:8765</code>)"
        " and a line <code>open: …/#token=…</code>: the part after <code>#token=</code> is the"
        " <strong>token</strong>, a secret that lets this page run commands on that machine as you. Keep it"
        " to yourself. Give both in the runner menu (the ● in the header); with"
        f" <code>--app-url {escape(app_url)}</code> the runner prints a link that opens this page connected.</p>"
        # (in the popover, the fields are right there)
        + (
            '<p><button type="button" data-open-runner>Enter runner URL and token</button></p>'
            if heading
            else ""
        )
    )


class ConnectHelp:
    def __init__(self, open_settings: Callable[[], None]) -> None:
        self.open_settings = open_settings
        self.panel: Any = None

    def install(self) -> None:
        loc = js.window.location
        origin, app_url = str(loc.origin), f"{loc.origin}{loc.pathname}"
        self.panel = opt(js.document.getElementById("connect-runner"))
        if self.panel is not None:
            self.panel.innerHTML = help_html(origin, app_url, heading=True)
            listen(self.panel, "click", self._clicked)
        inner = opt(js.document.querySelector("[data-connect-help]"))
        if inner is not None:
            inner.innerHTML = help_html(origin, app_url, heading=False)
            listen(inner, "click", self._clicked)

    def show(self, visible: bool) -> None:
        if self.panel is not None:
            self.panel.hidden = not visible

    def _clicked(self, event: Any) -> None:
        copy = closest(event.target, "[data-copy]")
        if copy is not None:
            event.stopPropagation()  # a copy is no command that closes the menu it is in (web/shell.js)
            spawn(_copy(str(copy.dataset.copy)))
        elif closest(event.target, "[data-open-runner]") is not None:
            self.open_settings()


async def _copy(text: str) -> None:
    try:
        await js.navigator.clipboard.writeText(text)
    except Exception as exc:  # no clipboard (an insecure origin, a refused permission)
        notify(f"Could not copy ({js_message(exc)}): select the command and copy it.", "warning", key="copy")
        return
    notify(f"Copied: {text}", "success", key="copy", timeout_ms=3000)
