"""Links never switch the runner. A runbook may link to the app itself with `?runner=…#token=…` (to hand a
reader its author's runner, or someone else's); followed, it would open the app asking to switch. A click
on such a link in the notebook is not followed (the page says where it pointed), and a runner or token
that reaches the address bar by in-app navigation (a `#runner=…` fragment link, history) is taken out
and ignored: only the address a page is opened with is read, and even that only with the user's yes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import js

from fenced.app.jsffi import closest, listen
from fenced.app.notify import notify

from . import settings

NOTICE = "runner-link"


def same_origin(href: str, origin: str) -> bool:
    parts = urlsplit(href)
    return settings.runner_key(f"{parts.scheme}://{parts.netloc}") == settings.runner_key(origin)


def link_offer(href: str, origin: str) -> settings.Address | None:
    """The runner/token an app link names (None: not a link to this app, or one that names none)."""
    if not same_origin(href, origin):
        return None
    parts = urlsplit(href)
    address = settings.read_address(parts.query, parts.fragment)
    return address if address.names_runner else None


def notice(address: settings.Address) -> str:
    if address.url:
        where = settings.runner_key(address.url)
        return (
            f"This link asks to switch the runner to {where}: links never switch the runner. To use that"
            " runner, add it in the runner menu in the header."
        )
    return "This link carries a runner token: links never change the runner or its token."


class LinkGuard:
    def __init__(self, root: Any) -> None:
        self.root = root  # the notebook: links in rendered cells

    def install(self) -> None:
        # On `window`, capturing: before any handler of the notebook's own (or a room's) sees the click.
        for name in ("click", "auxclick"):
            listen(js.window, name, self._clicked, capture=True)
        listen(js.window, "hashchange", lambda _e: self._navigated())
        listen(js.window, "popstate", lambda _e: self._navigated())

    def _clicked(self, event: Any) -> None:
        link = closest(event.target, "a[href]")
        if link is None or not bool(self.root.contains(link)):
            return
        address = link_offer(str(link.href), str(js.window.location.origin))
        if address is None:
            return
        event.preventDefault()
        event.stopImmediatePropagation()
        notify(notice(address), "warning", key=NOTICE)

    def _navigated(self) -> None:
        loc = js.window.location
        address = settings.read_address(str(loc.search), str(loc.hash))
        if not address.names_runner:
            return
        js.window.history.replaceState(
            js.window.history.state, "", f"{loc.pathname}{address.search}{address.fragment}"
        )
        notify(notice(address), "warning", key=NOTICE)
