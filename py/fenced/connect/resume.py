"""Following a session's events across reconnects: the sans-I/O core of the one loop every client uses.

A `ResumeState` is what a client knows about its place in a session's events: the cursor (the last
event it has), its watcher id (chosen here, kept across resumes, so the runner keeps everything the
client has not acknowledged), what it has acknowledged, and how often it failed in a row. It turns
stream messages into the events not seen yet, says when an acknowledgement is due and what to ask on
the next attempt, and decides after a failure whether and when to try again (`RetryPolicy`).
`fenced.connect.streams` drives it over a transport; nothing here does I/O or reads a clock (callers
pass `now`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fenced.connect.errors import Code, ConnectError
from fenced.connect.messages import Event

ACK_INTERVAL = 1.0  # seconds: acknowledge at least this often while anything is unacknowledged
DEFAULT_DELAYS = (0.05, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 5.0)
RESUMABLE = frozenset({Code.UNAVAILABLE})
ALL_BUT_NOT_FOUND = frozenset(Code) - {Code.NOT_FOUND}


def new_watcher_id() -> str:
    return os.urandom(16).hex()


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again: after an error whose code is in `codes` (by default only a dropped connection),
    waiting `delays[n]` after the n-th failure in a row; past the last delay, give up, or keep trying at
    that pace if `forever`. `reconnect_on_end`: also reconnect when the runner ends a stream cleanly
    (it does so when it shuts down; a page wants to come back when it restarts)."""

    delays: tuple[float, ...] = DEFAULT_DELAYS
    forever: bool = False
    codes: frozenset[Code] = RESUMABLE
    reconnect_on_end: bool = False

    def delay(self, failures: int) -> float | None:
        """The wait before attempt `failures + 1`, or None to give up."""
        if failures < len(self.delays):
            return self.delays[failures]
        return self.delays[-1] if self.forever and self.delays else None


NO_RETRY = RetryPolicy(delays=())


class ResumeState:
    """One client's position in a session's events (or in one execution's, `execution_id`)."""

    def __init__(
        self,
        session_id: str = "",
        cursor: int = 0,
        *,
        watcher_id: str = "",
        execution_id: str = "",
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.session_id = session_id
        self.execution_id = execution_id
        self.cursor = cursor
        self.watcher_id = watcher_id or new_watcher_id()
        self.policy = policy
        self.ack_bytes = 0  # from the runner's first message; 0: it takes no acknowledgement
        self.acked = cursor
        self.unacked_bytes = 0  # output delivered since the last acknowledgement
        self.last_ack = 0.0
        self.failures = 0  # in a row
        self.reconnects = 0
        self.finished = False  # the followed execution exited: nothing more to come

    # -- requests ---------------------------------------------------------------------------------
    def watch_request(self) -> dict[str, Any]:
        return {"sessionId": self.session_id, "cursor": str(self.cursor), "watcherId": self.watcher_id}

    def ack_request(self, *, release: bool = False) -> dict[str, Any]:
        message: dict[str, Any] = {
            "sessionId": self.session_id,
            "watcherId": self.watcher_id,
            "cursor": str(self.cursor),
        }
        if release:
            message["release"] = True
        return message

    # -- what arrives -----------------------------------------------------------------------------
    def accept(self, message: Mapping[str, Any]) -> list[Event]:
        """The events of a stream message (its `events` proto-JSON dicts or, from the binary codec,
        `Event`s) not delivered before, in order; the cursor moves past them
        (and past events of other executions when following one)."""
        self.failures = 0
        if message.get("ackBytes") is not None:
            self.ack_bytes = int(message["ackBytes"])
        self.session_id = message.get("sessionId") or self.session_id
        self.execution_id = message.get("executionId") or self.execution_id
        events: list[Event] = []
        for raw in message.get("events") or ():
            event = raw if isinstance(raw, Event) else Event.from_json(raw)  # the binary codec's are Events
            if event.seq <= self.cursor or self.finished:
                continue
            self.cursor = event.seq
            if self.execution_id and event.execution_id != self.execution_id:
                continue
            if event.output is not None:
                self.unacked_bytes += len(event.output.data)
            events.append(event)
            if self.execution_id and event.exited is not None:
                self.finished = True
        return events

    # -- acknowledgements -------------------------------------------------------------------------
    def ack_due(self, now: float) -> bool:
        """Whether to tell the runner the cursor now: every `ack_bytes` of output, and at least every
        ACK_INTERVAL while something is unacknowledged."""
        if not self.ack_bytes or self.cursor <= self.acked:
            return False
        return self.unacked_bytes >= self.ack_bytes or now - self.last_ack >= ACK_INTERVAL

    def acknowledged(self, cursor: int, now: float) -> None:
        """An Ack of `cursor` is on its way (sent when it was due)."""
        self.acked = max(self.acked, cursor)
        self.unacked_bytes = 0
        self.last_ack = now

    # -- failures ---------------------------------------------------------------------------------
    def failed(self, error: ConnectError) -> float | None:
        """The stream broke: seconds to wait before resuming, or None when `error` is final."""
        if error.code not in self.policy.codes or not self.session_id:
            return None
        return self._again()

    def ended(self) -> float | None:
        """The runner ended the stream cleanly: wait and reconnect (per policy), or None: done."""
        if self.finished or not self.policy.reconnect_on_end:
            return None
        return self._again()

    def _again(self) -> float | None:
        delay = self.policy.delay(self.failures)
        if delay is None:
            return None
        self.failures += 1
        self.reconnects += 1
        return delay
