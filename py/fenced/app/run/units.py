"""How times and sizes are said on the page (an output's status line, the run history): short, and in
the user's time zone, which only the browser knows (Python's clock in Pyodide is UTC)."""

from __future__ import annotations

import functools

import js


def seconds(ms: float) -> str:
    if ms < 1000:
        return f"{int(ms)} ms"
    if ms < 60_000:
        return f"{ms / 1000:.2f} s".replace(".00 s", " s")
    return f"{int(ms // 60_000)} min {int(ms % 60_000 // 1000)} s"


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


@functools.lru_cache(maxsize=256)
def clock(epoch_s: float) -> str:
    """The wall-clock time of `epoch_s` in the user's time zone (the browser's, not Python's: UTC here).
    Kept: a run's start is shown at each of its state changes, and the browser's formatting is slow."""
    return str(js.Date.new(epoch_s * 1000).toLocaleTimeString())


def iso(epoch_s: float) -> str:
    return str(js.Date.new(epoch_s * 1000).toISOString())
