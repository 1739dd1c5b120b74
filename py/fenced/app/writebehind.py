"""Writes that may wait a moment: the first after a quiet spell goes out at once, those that follow it
closely go out together at the end of a short window.

The page keeps a few things in localStorage that change at every cell of a Run all (the run state that
lets a reload re-attach, the run history), and each write moves the whole value across Python, JS and
the storage (the history is up to 256 kB). A cell run on its own is written as it happens; a hundred
cells in two seconds are written a few times, not a hundred. The owner flushes when the page goes away
(`pagehide`), so only a crash of the browser can lose the last window. Pure: the timer is injected (the
page's loop; none in tests and the CLI, where every write goes out at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Schedule = Callable[[float, Callable[[], None]], object]  # (delay in seconds, callback): a timer
WINDOW_S = 0.25  # writes asked for within this long of the last one wait for the window's end


class WriteBehind:
    """Calls `write()` when asked, at most once per `window` while asked often (then at the window's
    end, with whatever changed meanwhile). Without a `schedule`, every request writes at once."""

    def __init__(
        self,
        write: Callable[[], None],
        schedule: Schedule | None = None,
        window: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._schedule = schedule
        self._window = window
        self._clock = clock
        self._written_at = float("-inf")
        self._timer = False
        self._dirty = False

    @property
    def pending(self) -> bool:
        """Something asked for is not written yet."""
        return self._dirty

    def request(self) -> bool:
        """Ask for a write; True when it was done now (False: at the window's end)."""
        now = self._clock()
        if self._schedule is None or (not self._timer and now - self._written_at >= self._window):
            self._dirty = False
            self._written_at = now
            self._write()
            return True
        self._dirty = True
        if not self._timer:
            self._timer = True
            self._schedule(self._window - max(0.0, now - self._written_at), self._fire)
        return False

    def _fire(self) -> None:
        self._timer = False
        if not self._dirty:
            return
        wait = self._window - (self._clock() - self._written_at)
        if wait > 1e-6 and self._schedule is not None:  # a flush wrote meanwhile: the window runs from it
            self._timer = True
            self._schedule(wait, self._fire)
            return
        self.flush()

    def flush(self) -> None:
        """Write now what was asked for and is not written yet."""
        if self._dirty:
            self._dirty = False
            self._written_at = self._clock()
            self._write()
