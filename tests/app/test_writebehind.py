"""fenced.app.writebehind: a write after a quiet spell goes out at once, writes asked for close together
go out once at the window's end, flush writes what waits, and nothing is written twice."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from fenced.app.writebehind import WriteBehind


class Timers:
    def __init__(self) -> None:
        self.now = 10.0
        self.due: list[tuple[float, Callable[[], None]]] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, delay: float, callback: Callable[[], None]) -> None:
        assert delay > 0
        self.due.append((self.now + delay, callback))

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for entry in sorted([d for d in self.due if d[0] <= self.now], key=lambda d: d[0]):
            self.due.remove(entry)
            entry[1]()


def test_at_once_after_a_quiet_spell_then_once_per_window() -> None:
    timers, writes = Timers(), []
    value = {"v": 0}
    w = WriteBehind(lambda: writes.append(value["v"]), timers.schedule, 0.25, timers.clock)
    value["v"] = 1
    assert w.request() and writes == [1]
    for v in range(2, 12):  # a burst, 10 ms apart
        timers.advance(0.01)
        value["v"] = v
        assert not w.request()
    assert writes == [1] and w.pending and len(timers.due) == 1
    timers.advance(0.25)
    assert writes == [1, 11] and not w.pending  # the latest value, once
    timers.advance(5)
    value["v"] = 12
    assert w.request() and writes == [1, 11, 12]


def test_flush_writes_what_waits_and_the_timer_then_writes_nothing() -> None:
    timers, writes = Timers(), []
    w = WriteBehind(lambda: writes.append(timers.now), timers.schedule, 0.25, timers.clock)
    w.request()
    w.request()
    w.flush()
    w.flush()
    assert len(writes) == 2
    timers.advance(1)
    assert len(writes) == 2


def test_without_a_timer_every_request_writes() -> None:
    writes: list[int] = []
    w = WriteBehind(lambda: writes.append(1))
    assert all(w.request() for _ in range(5)) and len(writes) == 5 and not w.pending


@given(st.lists(st.sampled_from([0.0, 0.004, 0.05, 0.3, -1.0]), max_size=60))
@settings(max_examples=60, deadline=None)
def test_the_last_request_is_always_written_within_a_window(steps: list[float]) -> None:
    """(-1: the page goes away, a flush.) No request is left unwritten once a window has passed, and
    writes are never closer together than the window unless a flush asked for one."""
    timers = Timers()
    seen: list[tuple[float, int]] = []
    counter = {"n": 0}
    w = WriteBehind(lambda: seen.append((timers.now, counter["n"])), timers.schedule, 0.25, timers.clock)
    flushes: set[float] = set()
    for step in steps:
        if step < 0:
            flushes.add(timers.now)
            w.flush()
            continue
        timers.advance(step)
        counter["n"] += 1
        w.request()
    timers.advance(0.3)
    assert not w.pending
    if counter["n"]:
        assert seen and seen[-1][1] == counter["n"]
    for (t0, _), (t1, _) in itertools.pairwise(seen):
        assert t1 - t0 >= 0.25 - 1e-9 or t1 in flushes
