"""The runner chip in the header (`form.runner-settings` in index.html): a state dot and the runner's origin,
and a popover with the runner's URL, token and label (Connect), the runners the user keeps (use one,
remove one), the sessions of the runner in use with this document's working directory, and how to start
a runner ("Connect a runner": expanded while no runner is connected; a Run button pressed with no runner
opens the popover there).

The popover is a native one (`popover`, opened by the chip's `popovertarget`): the browser gives it light
dismiss, Escape and the focus's return; web/shell.js places it under the chip, like the header's menus.

The chip shows; the connection (`Connection`, given as `ChipHost`) decides. `#runner-status` carries the
whole status text (the runner's URL first, whatever the runner calls itself after it) and the state
(`data-runner-state`, `data-runner-reason`) for scripts, screen readers and tests; the chip shows the
short form, the popover the long one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import closest, listen

from . import settings
from .tasks import spawn

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from fenced.connect.messages import Session

    from .settings import RunnerBook
    from .status import Status

    class ChipHost(Protocol):
        """What the chip needs of the connection."""

        book: RunnerBook
        url: str
        status: Status

        @property
        def shown(self) -> Status: ...

        def choose(
            self, url: str, token: str | None = None, identity: str | None = None, label: str | None = None
        ) -> None: ...

        def forget(self, url: str) -> None: ...

        async def sessions(self) -> list[Session]: ...

    # (this document's identity) and (its session id, its working directory)
    DocumentOf = Callable[[], str | None]
    SessionOf = Callable[[], tuple[str, str]]


class Chip:
    def __init__(self, host: ChipHost, document: DocumentOf, session: SessionOf) -> None:
        self.host = host
        self.document = document
        self.session = session
        doc = js.document
        self.root = doc.querySelector(".runner-settings")
        self.button = doc.getElementById("runner-chip")
        self.name_el = self.root.querySelector(".runner-chip-name")
        self.status_el = doc.getElementById("runner-status")
        self.popover = doc.getElementById("runner-popover")
        self.message_el = self.popover.querySelector("[data-runner-message]")
        self.form = self.root  # the chip is a form: Enter in a field, or Connect, submits it
        self.help_el = self.popover.querySelector("[data-runner-help]")
        self.url_input = doc.getElementById("runner-url")
        self.token_input = doc.getElementById("runner-token")
        self.label_input = doc.getElementById("runner-label")
        self.known = self.popover.querySelector(".runner-known")
        self.list_el = self.popover.querySelector("[data-runner-list]")
        self.sessions_box = self.popover.querySelector(".runner-sessions")
        self.sessions_el = self.popover.querySelector("[data-runner-sessions]")
        self.cwd_el = self.popover.querySelector("[data-runner-cwd]")
        self._filled_for: str | None = None  # the runner the fields were last filled for
        self._help_for: bool | None = None  # connected or not, when "Connect a runner" was last opened/closed
        self._chosen = ""  # a runner chosen in the popover: once connected, the popover has done its job
        self._listed: tuple[object, ...] = ()  # what the runner list shows
        self._focus_on_open = False  # open() asked for the focus: given when the popover has been shown

    def install(self) -> None:
        listen(self.form, "submit", self._submitted)
        listen(self.popover, "click", self._clicked)
        listen(self.popover, "toggle", self._toggled)
        self.render()

    # --- showing -----------------------------------------------------------------------------------

    def render(self) -> None:
        """Show the connection as it is now (called on every change)."""
        host = self.host
        shown = host.shown
        name = settings.short_name(host.url) if host.url else "No runner"
        self.root.dataset.runnerState = shown.state
        self.root.dataset.runnerReason = shown.reason
        self.name_el.textContent = name
        self.button.setAttribute("aria-label", f"Runner: {name}")
        self.button.title = shown.text
        el = self.status_el
        el.dataset.runnerState = shown.state
        el.dataset.runnerReason = shown.reason
        el.textContent = shown.text
        self.message_el.textContent = shown.text
        self.message_el.dataset.runnerState = shown.state
        if host.url != self._filled_for:
            self._filled_for = host.url
            entry = host.book.get(host.url) if host.url else None
            self.url_input.value = host.url
            self.token_input.value = entry.token if entry is not None else ""
            self.label_input.value = entry.label if entry is not None else ""
        self._render_list()
        connected = shown.state == "connected"
        if connected != self._help_for:  # not connected: how to start a runner is the next step
            self._help_for = connected
            self.help_el.open = not connected
        if not self.is_open or shown.state != "connected":
            self.sessions_box.hidden = True
        if self._chosen and shown.state != "connecting":
            done, self._chosen = self._chosen == host.url and shown.state == "connected", ""
            if done:
                self.close(refocus=bool(self.popover.contains(js.document.activeElement)))

    def _render_list(self) -> None:
        book, in_use = self.host.book, self.host.url
        shown = (tuple(book.runners), in_use)
        if shown == self._listed:  # unchanged: leave the buttons alone (one may be under the pointer)
            return
        self._listed = shown
        items = []
        for runner in book.runners:
            url = escape(runner.url)
            title = escape(runner.label) if runner.label else url
            detail = f'<span class="runner-list-url">{url}</span>' if runner.label else ""
            current = runner.url == in_use
            action = (
                '<span class="runner-in-use">in use</span>'
                if current
                else f'<button type="button" data-runner-use="{url}" aria-label="Use {url}">Use</button>'
            )
            items.append(
                f'<li data-runner-url="{url}"{" aria-current=true" if current else ""}>'
                f'<span class="runner-list-name">{title}</span>{detail}{action}'
                f'<button type="button" data-runner-remove="{url}" aria-label="Remove {url}">Remove</button></li>'
            )
        self.list_el.innerHTML = "".join(items)
        self.known.hidden = not items

    # --- the popover -------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return bool(self.popover.matches(":popover-open"))

    def open(self, focus: bool = True) -> None:
        """Show the popover (and put the focus where the next step is: URL, then token).

        A popover being opened is focused on its "toggle" event: web/shell.js keeps an anchored popover
        hidden until that event has placed it, and a field in a hidden popover cannot take the focus (a timer
        may run before that queued event on a busy page). Either way after the event that asked is done:
        a click in a cell selects that cell after us."""
        if not self.is_open:
            self._focus_on_open = focus
            self.popover.showPopover()
        elif focus:
            asyncio.get_running_loop().call_soon(self._focus_next_field)

    def _focus_next_field(self) -> None:
        url, token = str(self.url_input.value), str(self.token_input.value)
        (self.token_input if url and not token else self.url_input).focus()

    def close(self, refocus: bool = False) -> None:
        if not self.is_open:
            return
        self.popover.hidePopover()
        if refocus:
            self.button.focus()

    def _toggled(self, event: Any) -> None:
        """Opened (by the chip, a Run button, Connect a runner): the sessions as they are now."""
        if str(event.newState) == "open":
            if self._focus_on_open:
                self._focus_on_open = False
                self._focus_next_field()
            self.refresh_sessions()
        else:
            self._focus_on_open = False

    # --- what the user does ------------------------------------------------------------------------

    def _submitted(self, event: Any) -> None:
        event.preventDefault()
        url = str(self.url_input.value).strip()
        if not url:
            self.url_input.focus()
            return
        self._filled_for = settings.runner_key(url)  # keep what was typed, as typed, until it connects
        label = str(self.label_input.value)
        self._chosen = settings.runner_key(url)
        self.host.choose(url, str(self.token_input.value), self.document(), label)

    def _clicked(self, event: Any) -> None:
        use = closest(event.target, "[data-runner-use]")
        if use is not None:
            self._chosen = str(use.dataset.runnerUse)
            self.host.choose(self._chosen, None, self.document())
            return
        remove = closest(event.target, "[data-runner-remove]")
        if remove is not None:
            event.stopPropagation()  # the popover stays open for the list (web/shell.js closes menus on a click)
            self.host.forget(str(remove.dataset.runnerRemove))

    # --- sessions ----------------------------------------------------------------------------------

    def refresh_sessions(self) -> None:
        """The runner's sessions, when the popover is open and a runner is connected."""
        if self.is_open and self.host.status.state == "connected":
            spawn(self._load_sessions())

    async def _load_sessions(self) -> None:
        try:
            sessions = await self.host.sessions()
        except Exception as exc:  # the list is a convenience: say why it is missing, nothing more
            self.sessions_el.innerHTML = f"<li>Could not list the sessions: {escape(str(exc))}</li>"
            self.sessions_box.hidden = False
            return
        mine, cwd = self.session()
        items = []
        for s in sessions:
            running = sum(1 for e in s.executions if e.running)
            this = s.id == mine
            name = s.metadata.get("document") or s.id[:8]
            where = cwd if this and cwd else s.cwd
            if this and not cwd:
                cwd = s.cwd
            items.append(
                f'<li data-session-id="{escape(s.id)}"{" aria-current=true" if this else ""}>'
                f'<span class="runner-session-name">{escape(name)}{" (this document)" if this else ""}</span>'
                f'<span class="runner-session-cwd">{escape(where)}</span>'
                f'<span class="runner-session-runs">{running} running, {_runs(len(s.executions))}</span></li>'
            )
        self.sessions_el.innerHTML = "".join(items) or "<li>No sessions yet: run a cell to start one.</li>"
        self.cwd_el.hidden = not cwd
        self.cwd_el.textContent = f"This document's session works in {cwd}" if cwd else ""
        self.cwd_el.dataset.cwd = cwd
        self.sessions_box.hidden = False


def _runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"
