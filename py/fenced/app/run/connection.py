"""The runner connection: which runner (the user's `RunnerBook`, kept in localStorage), a client for it,
and the truth about it (`status`, and `lost` while its Watch cannot get through).

Runners are chosen by the user. A runner named by the page's address is used at first use only; another
one waits for the user's yes (`ask`, the switch dialog), and until then the runner in use stays in use and
nothing is stored (`settings.decide`). Each runner's token goes to that runner only.

GetInfo decides whether we are connected. When fetch fails, a `no-cors` probe tells "runner down" from
"CORS refused this origin" (`status`). An unreachable runner is tried again every few seconds, so
starting it after the page is enough; a wrong token, a refused origin or an incompatible version wait
for the user. When the run engine's Watch stops getting through (`watch_changed`), the runner is asked
every second whether it answers again, and as soon as it does the page says so and tells the engine to
try its Watch at once (`on_back`): after a runner restart the page is connected again within a second or
two, and the engine learns at once whether its session survived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import js

from fenced.app.jsffi import LocalStorage, listen, log_error, obj, spawn
from fenced.app.notify import clear, notify
from fenced.connect import Code, ConnectError, RunnerClient
from fenced.connect.messages import Session

from . import settings, status
from .settings import Offer, RunnerBook
from .status import Status

RETRY_S = (1.0, 2.0, 3.0)  # between tries to reach an unreachable runner (the last one repeats)
BACK_S = (0.25, 0.5, 1.0)  # between GetInfo checks while the Watch is lost (the last one repeats)
CHECK_TIMEOUT_S = 3.0
PROBE_TIMEOUT_S = 5.0
# Answers to "are you back?" that are answers: the runner is there but will not serve this page as it is.
REFUSALS = frozenset({Code.UNAUTHENTICATED, Code.PERMISSION_DENIED, Code.UNIMPLEMENTED})
TROUBLE = "runner-trouble"  # the message key of connection trouble (one message, replaced, cleared)

_storage = LocalStorage()


class Connection:
    """One per page. `on_change(status, client)` hears when the client changes or the state does;
    `on_back()` when a lost runner answers again; `ask(offer, current)` is the user's yes or no to a
    runner the address names."""

    def __init__(
        self,
        on_change: Callable[[Status, RunnerClient | None], None],
        on_back: Callable[[], None],
        ask: Callable[[Offer, str], Awaitable[bool]],
    ) -> None:
        self.on_change = on_change
        self.on_back = on_back
        self.ask = ask
        self.book = RunnerBook()
        self.url = ""  # the runner connected to (or being connected to): a runner key
        self.status = status.none()
        self.lost = False  # connected, but the Watch does not get through: checking whether it answers
        self.client: RunnerClient | None = None
        self.listeners: list[Callable[[], None]] = []  # told whenever what is shown changes
        self._generation = 0
        self._trouble = ""
        self._retry: asyncio.Future[None] | None = None

    # --- the user's runners -------------------------------------------------------------------------

    def install(self) -> None:
        """Read the book and the address, take the runner out of the address bar, connect."""
        self.book = load_book()
        loc = js.window.location
        address = settings.read_address(str(loc.search), str(loc.hash))
        if address.names_runner:  # out of the address bar whatever happens next (bookmarks, screenshots)
            js.window.history.replaceState(
                js.window.history.state, "", f"{loc.pathname}{address.search}{address.fragment}"
            )
        offer = settings.decide(self.book, address)
        if offer.action == "use":  # first use: nothing to switch away from
            self.book.put(offer.url, offer.token)
            self.book.use(offer.url)
            save_book(self.book)
        listen(js.window, "storage", self._stored_elsewhere)
        self._connect_to(self.book.current)
        if offer.action == "ask":
            spawn(self._ask(offer))

    async def _ask(self, offer: Offer) -> None:
        if await self.ask(offer, self.book.current):
            self.choose(offer.url, offer.token)

    def choose(
        self, url: str, token: str | None = None, identity: str | None = None, label: str | None = None
    ) -> None:
        """The user picked a runner (the form, the runner list, the switch dialog): it is the runner in
        use from now on, and the runner of document `identity`. `token`/`label` None keep the stored ones.
        A URL that is no runner URL is shown as such, and not stored."""
        if status.check_url(url):
            self._connect_to(url.strip(), force=True)
            return
        key = self.book.put(url, token, label)
        self.book.use(key, identity)
        save_book(self.book)
        self._connect_to(key, force=True)

    def forget(self, url: str) -> None:
        """The user removed a runner (and its token) from the list."""
        key = settings.runner_key(url)
        self.book.remove(key)
        save_book(self.book)
        if key == self.url:
            self._connect_to(self.book.current, force=True)
        else:
            self._changed()

    def for_document(self, identity: str | None) -> bool:
        """A document is shown: use its runner. True when that means connecting to another runner (the
        new client then comes through `on_change`)."""
        target = self.book.runner_for(identity)
        if target == self.url:
            return False
        self._connect_to(target)
        return True

    def document_moved(self, old: str, new: str) -> None:
        self.book.move_document(old, new)
        save_book(self.book)

    def _stored_elsewhere(self, event: Any) -> None:
        """Another tab of the app changed the book: take its runners and tokens (not its runner in use:
        this tab stays on what it shows)."""
        if str(event.key or "") == settings.BOOK_KEY:
            stored = load_book()
            stored.current = self.book.current if stored.get(self.book.current) else stored.current
            self.book = stored
            self._changed()

    async def sessions(self) -> list[Session]:
        """The sessions of the runner in use (for the runner popover); [] when not connected."""
        client = self.client
        if client is None:
            return []
        return await client.list_sessions()

    # --- connecting -----------------------------------------------------------------------------------

    def _connect_to(self, url: str, force: bool = False) -> None:
        if url == self.url and not force and self.status.state != "none":
            return
        self.url = url
        spawn(self.connect())

    async def connect(self, retries: int = 0) -> None:
        self._generation += 1
        generation = self._generation
        self.lost = False
        if self._retry is not None and not self._retry.done() and self._retry is not asyncio.current_task():
            self._retry.cancel()
        url = self.url
        if not url:
            self._set(status.none(), None)
            return
        problem = status.check_url(url)
        if problem:
            self._set(status.bad_url(problem, url), None)
            return
        if retries == 0:
            self._set(status.connecting(url), None)
        client = RunnerClient(
            url, self.book.token_for(url) or None, transport=_transport(), timeout=15.0, stream_codec="proto"
        )
        try:
            info = await client.get_info()
        except ConnectError as exc:
            reachable = await _probe(url) if exc.code == Code.UNAVAILABLE else None
            if generation == self._generation:
                result = status.failure(exc, url, str(js.window.location.origin), reachable)
                self._set(result, None)
                if result.reason in ("unreachable", "failed"):
                    self._retry = asyncio.ensure_future(self._retry_later(generation, retries))
            return
        if generation != self._generation:
            return
        if not status.compatible(info.version):
            self._set(status.incompatible(info.version, url), None)
            return
        self._set(status.connected(info, url), client)

    async def _retry_later(self, generation: int, retries: int) -> None:
        await asyncio.sleep(RETRY_S[min(retries, len(RETRY_S) - 1)])
        if generation == self._generation and self.status.state == "error":
            await self.connect(retries + 1)

    def watch_changed(self, ok: bool) -> None:
        """The run engine's Watch stopped getting through (or got through again)."""
        if self.client is None or self.status.state != "connected" or self.lost == (not ok):
            return
        self.lost = not ok
        self._changed()
        if self.lost:
            spawn(self._check_back(self._generation, self.client))

    async def _check_back(self, generation: int, client: RunnerClient) -> None:
        """While lost: does the runner answer again? Then say so and let the engine try at once."""
        tries = 0
        while self.lost and generation == self._generation:
            await asyncio.sleep(BACK_S[min(tries, len(BACK_S) - 1)])
            tries += 1
            if not self.lost or generation != self._generation:
                return
            try:
                await asyncio.wait_for(client.get_info(), CHECK_TIMEOUT_S)
            except (ConnectError, TimeoutError) as exc:
                if isinstance(exc, ConnectError) and exc.code in REFUSALS:
                    await self.connect()  # it answers, but no longer to us (a new token?): say how
                    return
                continue  # not there yet (or a connection cut mid-answer): ask again
            self.lost = False
            self._changed()
            try:
                self.on_back()
            except Exception:
                log_error()
            return

    # --- state ------------------------------------------------------------------------------------

    @property
    def shown(self) -> Status:
        """What the page says: the status, or "reconnecting" while the Watch is lost."""
        if self.lost and self.status.state == "connected":
            return status.reconnecting(self.url)
        return self.status

    def _set(self, new: Status, client: RunnerClient | None) -> None:
        self.status = new
        self.client = client
        self._changed()
        try:
            self.on_change(new, client)
        except Exception:
            log_error()

    def _changed(self) -> None:
        shown = self.shown
        js.document.body.dataset.runner = shown.state
        trouble = trouble_text(shown) if shown.state == "error" or shown.reason == "lost" else ""
        if trouble != self._trouble:  # said once (a screen reader reads each new message)
            self._trouble = trouble
            if trouble:
                notify(trouble, "error" if shown.state == "error" else "warning", key=TROUBLE)
            else:
                clear(TROUBLE)
        for listener in list(self.listeners):
            try:
                listener()
            except Exception:
                log_error()


def trouble_text(shown: Status) -> str:
    if shown.reason == "lost":
        return f"Lost the connection to the runner at {shown.url}; reconnecting… Running cells wait for it."
    return shown.text


def load_book() -> RunnerBook:
    return RunnerBook.loads(
        _storage.get(settings.BOOK_KEY), _storage.get(settings.URL_KEY), _storage.get(settings.TOKEN_KEY)
    )


def save_book(book: RunnerBook) -> None:
    _storage.set(settings.BOOK_KEY, book.dumps())
    for key, value in ((settings.URL_KEY, book.current), (settings.TOKEN_KEY, book.token_for(book.current))):
        if value:
            _storage.set(key, value)
        else:
            _storage.remove(key)


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
