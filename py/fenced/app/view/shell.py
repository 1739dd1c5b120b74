"""The page around the notebook (index.html's header, sidebar and empty state), as far as Python decides it:
which buttons work yet, the sidebar, and buttons that name a command (`data-command`).

Every `[data-command]` button of the page (the empty state's "Open file", "Try a sample runbook", the
sidebar's toggle) runs that command of the page's command table, so a button, a key and the palette can
never do different things. The sidebar's state is `<body data-sidebar>`: "auto" until the user chooses
(shown while a folder is open, on a wide screen), then "open" or "closed", kept in localStorage. Menus,
the skip link and the cell actions bar following the mouse need no Python (web/shell.js).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import js

from fenced.app.jsffi import LocalStorage, closest, js_list, keep, listen, obj, opt

if TYPE_CHECKING:
    from .commandtable import CommandTable

SidebarState = Literal["auto", "open", "closed"]
SIDEBAR_KEY = "fenced.sidebar"
# Buttons that work once Python is ready, whatever is shown; `[data-needs-document]` ones wait for a document.
READY = "button[data-command], .file-actions button[data-action]:not([data-needs-document])"
NEEDS_DOCUMENT = "button[data-action][data-needs-document]"


class Shell:
    def __init__(self, commands: CommandTable, on_sidebar: Callable[[bool], None]) -> None:
        self.commands = commands
        self._on_sidebar = on_sidebar  # told whether the sidebar is now visible (the outline renders then)
        self._storage = LocalStorage()
        self.sidebar = js.document.getElementById("sidebar")
        stored = self._storage.get(SIDEBAR_KEY)
        self._set_state("open" if stored == "open" else "closed" if stored == "closed" else "auto", False)
        listen(js.document, "click", self._on_click)
        # A folder opened, or two documents open (fenced.app.files sets <body data-folder-open>,
        # <body data-open-editors>), shows an "auto" sidebar.
        self._observer = js.MutationObserver.new(keep(lambda *_a: self.sync()))
        watched = js_list(["data-folder-open", "data-open-editors"])
        self._observer.observe(js.document.body, obj(attributeFilter=watched))

    def ready(self) -> None:
        """Python is ready: the buttons that need no document work from now on."""
        for button in js.document.querySelectorAll(READY):
            button.disabled = False

    def document_shown(self) -> None:
        for button in js.document.querySelectorAll(NEEDS_DOCUMENT):
            button.disabled = False
        self.sync()

    # --- the sidebar ------------------------------------------------------------------------------

    def sidebar_visible(self) -> bool:
        sidebar = self.sidebar
        return sidebar is not None and bool(sidebar.checkVisibility())

    def toggle_sidebar(self) -> None:
        self._set_state("closed" if self.sidebar_visible() else "open", True)

    def show_sidebar(self) -> None:
        if not self.sidebar_visible():
            self._set_state("open", True)

    def _set_state(self, state: SidebarState, remember: bool) -> None:
        js.document.body.dataset.sidebar = state
        if remember:
            self._storage.set(SIDEBAR_KEY, state)
        self.sync()

    def sync(self) -> None:
        """Toggle buttons say whether the sidebar shows; the outline is rendered when it does."""
        visible = self.sidebar_visible()
        for button in js.document.querySelectorAll('[data-command="sidebar"], [data-nb="outline"]'):
            button.setAttribute("aria-expanded", "true" if visible else "false")
        self._on_sidebar(visible)

    # --- buttons that name a command --------------------------------------------------------------

    def _on_click(self, event: Any) -> None:
        button = closest(event.target, "button[data-command]")
        if button is None or button.disabled:
            return
        self.commands.run(str(opt(button.getAttribute("data-command")) or ""))
