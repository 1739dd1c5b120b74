"""A session's watchers: who follows its events, what each client has, and so what the runner must keep.

A `Watcher` is one client's position in a session's events. It outlives the stream that made it: a
client that names a `watcher_id` gets the same watcher back when it resumes (the new stream replaces the
old one), and tells the runner what it has received (`Ack`, or the cursor it resumes from). So the runner
knows what each client *has*, not merely what it wrote to a connection that may have dropped it.

What an execution must keep (`keep_after`): every event after the lowest position among the attached
watchers that follow it; with none attached, after the lowest position among those away (their stream
ended and they may resume), for at most the disconnect grace; with none of either, everything for a
foreground execution (someone may still come for it), and for a background one only what fits its
buffer. A client without a watcher_id (older clients) counts as having whatever was written to its
stream, and is forgotten when that stream ends.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Callable, Iterator

from connectrpc.code import Code

from fenced.runner.errors import RunnerError

MAX_WATCHER_ID = 64


class Watcher:
    """One client's position: `sent` is the last event written to its current stream, `acked` the last one
    it said it has. `stream` numbers its streams, so a replaced stream knows it is no longer current."""

    def __init__(self, watcher_id: str, cursor: int, execution_id: str | None, *, acknowledges: bool) -> None:
        self.id = watcher_id
        self.acknowledges = acknowledges
        self.sent = cursor
        self.acked = cursor
        self.execution_id = execution_id  # set for an Execute's watcher: that execution only
        self.wake = asyncio.Event()
        self.stream = 0
        self.attached = False
        self.released = False
        self.expiry: asyncio.TimerHandle | None = None

    @property
    def cursor(self) -> int:
        return self.sent

    @property
    def has(self) -> int:
        """Every event up to here reached the client, as far as the runner can know."""
        return self.acked if self.acknowledges else self.sent

    def wants(self, execution_id: str) -> bool:
        return self.execution_id is None or self.execution_id == execution_id

    def current(self, stream: int) -> bool:
        return self.attached and self.stream == stream


def check_watcher_id(watcher_id: str) -> None:
    if len(watcher_id) > MAX_WATCHER_ID or not watcher_id.isprintable():
        raise RunnerError(
            Code.INVALID_ARGUMENT, f"watcher_id must be 1 to {MAX_WATCHER_ID} printable characters"
        )


class Watchers:
    """The watchers of one session; `on_change` runs whenever what must be kept may have changed."""

    def __init__(self, limit: int, grace: float, on_change: Callable[[], None]) -> None:
        self.limit = limit
        self.grace = grace
        self._on_change = on_change
        self._attached: dict[str, Watcher] = {}
        self._away: dict[str, Watcher] = {}

    def __len__(self) -> int:
        return len(self._attached)

    def __bool__(self) -> bool:
        return bool(self._attached)

    def __iter__(self) -> Iterator[Watcher]:
        return iter(list(self._attached.values()))

    def attach(self, watcher_id: str, cursor: int, execution_id: str | None) -> tuple[Watcher, int]:
        """A stream opens: the watcher it names (resumed, replacing any open stream of it) or a new one."""
        check_watcher_id(watcher_id)
        watcher = (self._attached.get(watcher_id) or self._away.pop(watcher_id, None)) if watcher_id else None
        if watcher is None:
            if len(self._attached) >= self.limit:
                raise RunnerError(
                    Code.RESOURCE_EXHAUSTED,
                    f"this session already has {self.limit} watchers (--max-watchers)",
                )
            watcher = Watcher(
                watcher_id or uuid.uuid4().hex, cursor, execution_id, acknowledges=bool(watcher_id)
            )
        else:
            if watcher.expiry is not None:
                watcher.expiry.cancel()
                watcher.expiry = None
            if execution_id is not None:
                watcher.execution_id = execution_id
            watcher.sent = watcher.acked = cursor  # what the client says it has, even if less than before
            watcher.released = False
        watcher.stream += 1
        watcher.attached = True
        watcher.wake.set()  # a replaced stream of it wakes up and ends
        self._attached[watcher.id] = watcher
        self._on_change()
        return watcher, watcher.stream

    def detach(self, watcher: Watcher, stream: int, *, may_resume: bool) -> None:
        """Stream `stream` of `watcher` ended; unless replaced already, the watcher is away (if its client
        may resume it) or forgotten."""
        if not watcher.current(stream):
            return
        watcher.attached = False
        self._attached.pop(watcher.id, None)
        if may_resume and watcher.acknowledges and not watcher.released:
            self._away[watcher.id] = watcher
            while len(self._away) > self.limit:
                oldest = next(iter(self._away))
                self._forget(self._away[oldest])
            watcher.expiry = asyncio.get_running_loop().call_later(self.grace, self._expire, watcher)
        self._on_change()

    def _expire(self, watcher: Watcher) -> None:
        watcher.expiry = None
        if self._away.get(watcher.id) is watcher:
            self._forget(watcher)
            self._on_change()

    def _forget(self, watcher: Watcher) -> None:
        self._away.pop(watcher.id, None)
        if watcher.expiry is not None:
            watcher.expiry.cancel()
            watcher.expiry = None

    def ack(self, watcher_id: str, cursor: int, latest: int, *, release: bool = False) -> None:
        """The client of `watcher_id` has every event up to `cursor` (never past `latest`, the session's)."""
        watcher = self._attached.get(watcher_id) or self._away.get(watcher_id)
        if watcher is None:
            return  # forgotten already (or never known): nothing to keep for it
        watcher.acked = max(watcher.acked, min(cursor, latest))
        if release:
            watcher.released = True
            self._forget(watcher)
        self._on_change()

    def advanced(self, watcher: Watcher, stream: int, cursor: int) -> None:
        """Stream `stream` wrote every event up to `cursor`."""
        if watcher.current(stream):
            watcher.sent = cursor
            if not watcher.acknowledges:
                self._on_change()

    def keep_after(self, execution_id: str, background: bool) -> float:
        """Events of the execution up to this seq may be dropped (see the module docstring)."""
        live = [w.has for w in self._attached.values() if w.wants(execution_id)]
        if live:
            return min(live)
        away = [w.has for w in self._away.values() if w.wants(execution_id)]
        if away:
            return min(away)
        return math.inf if background else 0

    def notify(self) -> None:
        for watcher in self._attached.values():
            watcher.wake.set()

    def clear(self) -> None:
        """The session is gone: wake every stream (they see it and end) and forget those away."""
        self.notify()
        for watcher in list(self._away.values()):
            self._forget(watcher)
