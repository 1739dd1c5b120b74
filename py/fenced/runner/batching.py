"""Output that follows other output closely goes out with it: one event, not one per read.

A program on a terminal line-buffers, so `seq 1 20000` reaches the runner as thousands of small writes
and a read finds whatever a few of them left: ~26 reads, so ~26 events, for 109 kB. Each event is
stored, framed, sent and decoded by every client on its own, and in the page each costs a wake-up of
its Python. Here the first output after a quiet spell goes out at once (a prompt, a keystroke's echo, a
cell's first line: no latency added); output that comes within `WINDOW` of the last event sent is held
and sent with whatever else arrives in that window, at most `WINDOW` later, or as soon as `LIMIT` bytes
are held (a flood still goes out in big pieces, as fast as it is read). The reads themselves are not
delayed: the producer never waits for the batching.

Streams stay in order: output of the other stream first sends what is held. The owner flushes before it
reports the exit, so an `Exited` event never overtakes output.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

WINDOW = 0.004  # seconds: output within this long of the last event sent joins the next one
LIMIT = 64 * 1024  # bytes held at most: then they go out at once


class OutputBatching:
    """Batches one process's output for `emit(stream, data)`. Lives on the loop that created it."""

    def __init__(
        self, emit: Callable[[int, bytes], None], *, window: float = WINDOW, limit: int = LIMIT
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._emit = emit
        self._window = window
        self._limit = limit
        self._stream = 0
        self._held: list[bytes] = []
        self._size = 0
        self._sent_at = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    def add(self, stream: int, data: bytes) -> None:
        if self._held and stream != self._stream:
            self.flush()
        now = time.monotonic()
        if not self._held and now - self._sent_at >= self._window:
            self._sent_at = now
            self._emit(stream, data)
            return
        self._stream = stream
        self._held.append(data)
        self._size += len(data)
        if self._size >= self._limit:
            self.flush()
        elif self._timer is None:
            self._timer = self._loop.call_at(self._loop.time() + self._window, self.flush)

    def flush(self) -> None:
        """Send what is held now (the timer's job; the owner's before it reports the end)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held, self._size = [], 0
        self._sent_at = time.monotonic()
        self._emit(self._stream, data)
