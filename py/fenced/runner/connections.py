"""HTTP connections, below the app: how long a client may take, how many it may hold, and quiet logs.

uvicorn closes idle kept-alive connections, but sets no limit on how long a request may take to arrive
(a slowloris holds a connection forever by trickling its headers) nor on how long a response may wait
for a client that does not read (one stalled Watch would hold its cell's output back for everyone).
`guarded_h11` adds both to uvicorn's h11 protocol:

- request timeout: from a connection's start, or the first byte of a later request on it, the request
  (line, headers and body) must arrive within `request_timeout`, else the connection is dropped (between
  requests, uvicorn's keep-alive timeout applies: a page's idle connection is kept for the next click);
- write timeout: when the connection's send buffer has stayed full (writing paused) for `write_timeout`,
  the connection is dropped. The app sees a disconnect and the stream ends; its client may resume. The
  same bound goes to the kernel (TCP_USER_TIMEOUT, where there is one), so a client that vanished without
  a word (its machine or network gone) is noticed by the next keep-alive of its stream, not by TCP's
  retransmissions a quarter of an hour later.

Also here: the open-files limit raised toward the hard limit so that `max_connections` fit, and accept
errors (out of file descriptors) and uvicorn's per-request warnings logged at most once a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("fenced.runner")
FDS_PER_EXECUTION = 6  # pipes or a PTY, a pidfd, a pidfd per process being stopped
FDS_RESERVED = 64  # listening socket, logs, the reaper's pipe, imports...
WAITING_FOR_REQUEST = (h11.IDLE, h11.SEND_BODY)


def guarded_h11(request_timeout: float, write_timeout: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a request timeout and a write timeout (see the module docstring)."""

    class GuardedH11Protocol(H11Protocol):
        _request_timer: asyncio.TimerHandle | None = None
        _stall_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            if sock is not None and hasattr(socket, "TCP_USER_TIMEOUT"):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(write_timeout * 1000))
            self._watch_request(restart=True)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch_request(restart=False)  # a trickle of bytes does not buy more time

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._request_timer is not None:  # idle now: the keep-alive timeout's business
                self._request_timer.cancel()
                self._request_timer = None
            if self.conn.their_state is h11.SEND_BODY or self.conn.trailing_data[0]:
                self._watch_request(restart=False)  # the next (pipelined) request is arriving already

        def _watch_request(self, *, restart: bool) -> None:
            waiting = self.conn.their_state in WAITING_FOR_REQUEST and not self.transport.is_closing()
            if self._request_timer is not None and (restart or not waiting):
                self._request_timer.cancel()
                self._request_timer = None
            if waiting and self._request_timer is None:
                self._request_timer = self.loop.call_later(request_timeout, self._request_timed_out)

        def _request_timed_out(self) -> None:
            self._request_timer = None
            if self.conn.their_state in WAITING_FOR_REQUEST and not self.transport.is_closing():
                self.transport.abort()

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._stall_timer is None:
                self._stall_timer = self.loop.call_later(write_timeout, self._write_stalled)

        def resume_writing(self) -> None:
            super().resume_writing()
            if self._stall_timer is not None:
                self._stall_timer.cancel()
                self._stall_timer = None

        def _write_stalled(self) -> None:
            self._stall_timer = None
            log.info("closing a connection that accepted no data for %gs: %s", write_timeout, self.client)
            self.transport.abort()

        def connection_lost(self, exc: Exception | None) -> None:
            for timer in (self._request_timer, self._stall_timer):
                if timer is not None:
                    timer.cancel()
            self._request_timer = self._stall_timer = None
            super().connection_lost(exc)

    return GuardedH11Protocol


def raise_open_files_limit(max_connections: int, max_executions: int) -> int:
    """Raise the soft open-files limit toward the hard one; returns how many connections then fit."""
    wanted = max_connections + FDS_RESERVED + FDS_PER_EXECUTION * max_executions
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (soft < wanted or hard != soft):
        target = wanted if hard == resource.RLIM_INFINITY else max(soft, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return max_connections
    fit = max(16, soft - FDS_RESERVED - FDS_PER_EXECUTION * max_executions)
    log.warning(
        "the open files limit is %d (hard limit %d): serving at most %d connections, not %d",
        soft,
        hard,
        fit,
        max_connections,
    )
    return fit


class OncePerSecond(logging.Filter):
    """Lets a given message through at most once a second, saying how many were held back."""

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = str(record.msg)
        now = time.monotonic()
        if now - self._last.get(key, -1e9) < 1.0:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it since)"
        return True


def quiet_uvicorn() -> None:
    """uvicorn warns once per bad request and per request over the concurrency limit: once a second."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, OncePerSecond) for f in logger.filters):
        logger.addFilter(OncePerSecond())


def accept_errors_once_per_second(loop: asyncio.AbstractEventLoop) -> None:
    """asyncio reports every failed accept() (out of file descriptors) with a traceback, many times a
    second under a connection flood: one line a second instead; other errors go to the default handler."""
    limiter = OncePerSecond()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == "socket.accept() out of system resource":
            record = logging.LogRecord(
                log.name,
                logging.WARNING,
                __file__,
                0,
                "cannot accept connections: %s (open connections are cut by the request and keep-alive "
                "timeouts; see --max-connections)",
                (context.get("exception"),),
                None,
            )
            if limiter.filter(record):
                log.handle(record)
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
