"""The runner connection: settings fields, the address bar and localStorage in; a client and the status
indicator (`#runner-status[data-runner-state]`) out.

GetInfo decides: connected (with host and user), or the reason it is not. When fetch fails, a `no-cors`
probe tells "runner down" from "CORS refused this origin" (see `status`). Unreachable runners are
retried with a back-off, so starting the runner after the page is enough; a wrong token, a refused
origin or an incompatible version wait for the user to change something.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import js

from fenced.app.jsffi import LocalStorage, listen, log_error, obj, spawn
from fenced.connect import ConnectError, RunnerClient
from fenced.connect.protocol import runner_base_url

from . import settings, status
from .status import Status

TYPING_DELAY_S = 0.6
RETRY_S = (2.0, 4.0, 8.0, 15.0, 30.0)
PROBE_TIMEOUT_S = 5.0

_storage = LocalStorage()


def stored(key: str) -> str:
    return _storage.get(key) or ""


def store(key: str, value: str) -> None:
    if value:
        _storage.set(key, value)
    else:
        _storage.remove(key)


class Connection:
    """One per page. `on_change(status, client)` is called whenever the state changes."""

    def __init__(self, on_change: Callable[[Status, RunnerClient | None], None]) -> None:
        self.on_change = on_change
        self.url = ""
        self.token = ""
        self.status = status.none()
        self.client: RunnerClient | None = None
        self._generation = 0
        self._typing: asyncio.TimerHandle | None = None
        self._retry: asyncio.Future[None] | None = None
        doc = js.document
        self.url_input = doc.getElementById("runner-url")
        self.token_input = doc.getElementById("runner-token")
        self.indicator = self._indicator()

    # --- set-up -----------------------------------------------------------------------------------

    def _indicator(self) -> Any:
        el = js.document.getElementById("runner-status")
        if not el:
            el = js.document.createElement("output")
            el.id = "runner-status"
            el.className = "runner-status"
            js.document.querySelector(".runner-settings").appendChild(el)
        return el

    def install(self) -> None:
        loc = js.window.location
        url, token, fragment = settings.from_location(str(loc.search), str(loc.hash))
        if fragment != str(loc.hash):  # take the token out of the address bar (bookmarks, screenshots)
            js.window.history.replaceState(
                js.window.history.state, "", f"{loc.pathname}{loc.search}{fragment}"
            )
        self.url = (url or stored(settings.URL_KEY)).strip()
        self.token = (token or stored(settings.TOKEN_KEY)).strip()
        if url:
            store(settings.URL_KEY, self.url)
        if token:
            store(settings.TOKEN_KEY, self.token)
        self.url_input.value = self.url
        self.token_input.value = self.token
        for field in (self.url_input, self.token_input):
            listen(field, "input", lambda _e: self._typed())
            listen(field, "change", lambda _e: self.apply())
        listen(self.url_input.form, "submit", self._submitted)
        self._show(self.status)
        if self.url:
            self.apply(force=True)

    def _submitted(self, event: Any) -> None:
        event.preventDefault()
        self.apply(force=True)

    def _typed(self) -> None:
        if self._typing is not None:
            self._typing.cancel()
        self._typing = asyncio.get_running_loop().call_later(TYPING_DELAY_S, self.apply)

    # --- connecting -------------------------------------------------------------------------------

    def apply(self, force: bool = False) -> None:
        """Take the fields' values; reconnect if they changed (or when `force`d)."""
        if self._typing is not None:
            self._typing.cancel()
            self._typing = None
        url = runner_base_url(str(self.url_input.value))  # a path prefix stays: https://host/runner
        token = str(self.token_input.value).strip()
        if not force and url == self.url and token == self.token and self.status.state != "none":
            return
        self.url, self.token = url, token
        store(settings.URL_KEY, url)
        store(settings.TOKEN_KEY, token)
        spawn(self.connect())

    async def connect(self, retries: int = 0) -> None:
        self._generation += 1
        generation = self._generation
        if self._retry is not None and not self._retry.done() and self._retry is not asyncio.current_task():
            self._retry.cancel()
        if not self.url:
            self._set(status.none(), None)
            return
        problem = status.check_url(self.url)
        if problem:
            self._set(status.bad_url(problem), None)
            return
        self._set(status.connecting(self.url), None)
        client = RunnerClient(self.url, self.token or None, transport=_transport(), timeout=15.0)
        try:
            info = await client.get_info()
        except ConnectError as exc:
            reachable = await _probe(self.url) if exc.code.value == "unavailable" else None
            if generation == self._generation:
                result = status.failure(exc, self.url, str(js.window.location.origin), reachable)
                self._set(result, None)
                if result.reason in ("unreachable", "failed"):
                    self._retry = asyncio.ensure_future(self._retry_later(generation, retries))
            return
        if generation != self._generation:
            return
        if not status.compatible(info.version):
            self._set(status.incompatible(info.version, self.url), None)
            return
        self._set(status.connected(info), client)

    async def _retry_later(self, generation: int, retries: int) -> None:
        await asyncio.sleep(RETRY_S[min(retries, len(RETRY_S) - 1)])
        if generation == self._generation and self.status.state == "error":
            await self.connect(retries + 1)

    def watch_changed(self, ok: bool) -> None:
        """The run engine's stream dropped (or came back): show it without dropping the client."""
        if self.client is None or self.status.state != "connected":
            return
        self._show(self.status if ok else status.reconnecting(self.url))

    # --- state ------------------------------------------------------------------------------------

    def _set(self, new: Status, client: RunnerClient | None) -> None:
        self.status = new
        self.client = client
        self._show(new)
        try:
            self.on_change(new, client)
        except Exception:
            log_error()

    def _show(self, shown: Status) -> None:
        el = self.indicator
        el.dataset.runnerState = shown.state
        el.dataset.runnerReason = shown.reason
        el.textContent = shown.text
        el.title = shown.text
        js.document.body.dataset.runner = shown.state


def _transport() -> Any:
    from fenced.connect.fetch_transport import FetchTransport

    return FetchTransport()


async def _probe(url: str) -> bool:
    """Does anything answer at `url`? A `no-cors` GET resolves (opaquely) whenever the server answers,
    whatever CORS would say, and rejects only when nothing is there."""
    init = obj(mode="no-cors", cache="no-store", credentials="omit")
    try:
        await asyncio.wait_for(js.fetch(url + "/", init), PROBE_TIMEOUT_S)
    except Exception:
        return False
    return True
