"""The page's run history store (fenced.app.run.runlog), pure: per document, once per execution,
secrets masked, bounded, moved with Save as, damaged storage read as empty."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fenced.app.run.runlog import KEY_PREFIX, MAX_BYTES, RunLog, make_record
from fenced.document.redact import MASK


class Store(dict[str, str]):
    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(key, default)

    def set(self, key: str, value: str) -> None:
        self[key] = value

    def remove(self, key: str) -> None:
        self.pop(key, None)


def record(cell: str = "c", document: str = "a.md", output: str = "out\n", **kw: object) -> object:
    args: dict[str, object] = {
        "cell": cell,
        "document": document,
        "runner": "http://127.0.0.1:1",
        "started_at": 1_700_000_000.0,
        "duration_ms": 5,
        "exit_code": 0,
        "signal": "",
        "output": output,
        "error": "",
    }
    args.update(kw)
    return make_record(**args)  # type: ignore[arg-type]


def test_records_per_document_once_per_execution_and_cleared() -> None:
    log = RunLog(Store())
    assert log.add(record("x"), "e1")  # type: ignore[arg-type]
    assert not log.add(record("x"), "e1")  # type: ignore[arg-type]  # a replay
    assert log.add(record("y", exit_code=None, error="refused"))  # type: ignore[arg-type]
    log.add(record("z", document="b.md"), "e2")  # type: ignore[arg-type]
    assert [(r.cell, r.exit_code, r.error) for r in log.records("a.md")] == [
        ("x", 0, ""),
        ("y", None, "refused"),
    ]
    assert [r.cell for r in log.records("b.md")] == ["z"]
    log.move("a.md", "c.md")
    assert log.records("a.md") == [] and [r.document for r in log.records("c.md")] == ["c.md", "c.md"]
    log.clear("c.md")
    assert log.records("c.md") == []


def test_secrets_masked_output_summarised_and_bounded() -> None:
    store = Store()
    log = RunLog(store)
    out = "".join(f"line {i} hunter2-secret\n" for i in range(50))
    log.add(record(output=out, secrets=["hunter2-secret"]))  # type: ignore[arg-type]
    (r,) = log.records("a.md")
    assert r.first_lines[0] == f"line 0 {MASK}" and r.left_out == 44 and len(r.last_lines) == 3
    assert "hunter2" not in store[KEY_PREFIX + "a.md"]
    for i in range(250):
        log.add(record(output=("x" * 190 + "\n") * 6), f"e{i}")  # type: ignore[arg-type]
    assert MAX_BYTES - 2048 <= len(store[KEY_PREFIX + "a.md"].encode()) <= MAX_BYTES
    assert log.records("a.md")[-1].extra["execution"] == "e249"
    store[KEY_PREFIX + "a.md"] = "{not json\n" + store[KEY_PREFIX + "a.md"]
    assert len(log.records("a.md")) > 100  # a damaged line loses nothing else


def _old_add(store: Store, rec: object, execution_id: str) -> bool:
    """The store's former definition (every record read, measured and written back at each add)."""
    import json

    from fenced.document.history import keep_newest

    doc = rec.document  # type: ignore[attr-defined]
    raw = store.get(KEY_PREFIX + doc)
    lines = [line for line in raw.split("\n") if line] if raw else []
    if execution_id and any(f'"execution":{json.dumps(execution_id)}' in line for line in lines):
        return False
    data = json.loads(rec.to_json())  # type: ignore[attr-defined]
    if execution_id:
        data["execution"] = execution_id
    lines.append(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    store.set(KEY_PREFIX + doc, "\n".join(keep_newest(lines, MAX_BYTES)))
    return True


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(["", "é", "𝄞", "x" * 3000]), st.booleans()),
        max_size=160,
    )
)
@settings(max_examples=40, deadline=None)
def test_appending_keeps_what_the_whole_rewrite_kept(steps: list[tuple[int, str, bool]]) -> None:
    """Same answers and the same stored text as before, through duplicates and the size bound."""
    new, old = Store(), Store()
    log = RunLog(new)
    for n, text, with_id in steps:
        rec = record(f"cell-{n}", output=(text + "\n") * 8)
        execution = f"exec-{n}" if with_id else ""
        assert log.add(rec, execution) == _old_add(old, rec, execution)  # type: ignore[arg-type]
        assert new == old


class Timers:
    """A fake clock and timer queue for the written-behind log."""

    def __init__(self) -> None:
        self.now = 100.0
        self.due: list[tuple[float, object]] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, delay: float, callback: object) -> object:
        self.due.append((self.now + delay, callback))
        return None

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for at, callback in [d for d in self.due if d[0] <= self.now]:
            self.due.remove((at, callback))
            callback()  # type: ignore[operator]


class CountingStore(Store):
    def __init__(self) -> None:
        super().__init__()
        self.reads = self.writes = 0

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.reads += 1
        return super().get(key, default)

    def set(self, key: str, value: str) -> None:
        self.writes += 1
        super().set(key, value)


def test_a_lone_record_is_stored_at_once_and_a_burst_together_at_the_window_end() -> None:
    timers, store = Timers(), CountingStore()
    log = RunLog(store, timers.schedule, window=0.25, clock=timers.clock)
    assert log.add(record("first"), "e0")  # type: ignore[arg-type]
    assert [r.cell for r in RunLog(store).records("a.md")] == ["first"]  # in the storage at once
    reads, writes = store.reads, store.writes
    for i in range(1, 20):  # a Run all: a record every 10 ms
        timers.advance(0.01)
        assert log.add(record(f"c{i}"), f"e{i}")  # type: ignore[arg-type]
        assert not log.add(record(f"c{i}"), f"e{i}")  # type: ignore[arg-type]  # held: still once
    assert not log.add(record("first"), "e0")  # type: ignore[arg-type]  # stored: still once
    assert (store.reads, store.writes) == (reads, writes)  # nothing read or written meanwhile
    timers.advance(0.25)
    assert store.writes == writes + 1  # the window's end: one write for 19 records
    assert [r.cell for r in RunLog(store).records("a.md")] == ["first", *(f"c{i}" for i in range(1, 20))]
    timers.advance(1.0)
    writes = store.writes
    log.add(record("later"), "e99")  # type: ignore[arg-type]  # quiet again: at once
    assert store.writes == writes + 1


def test_held_records_reach_the_storage_on_flush_and_before_a_read_and_clear_drops_them() -> None:
    timers, store = Timers(), Store()
    log = RunLog(store, timers.schedule, window=0.25, clock=timers.clock)
    log.add(record("a"), "e1")  # type: ignore[arg-type]
    log.add(record("b"), "e2")  # type: ignore[arg-type]  # held
    assert [r.cell for r in RunLog(store).records("a.md")] == ["a"]
    log.flush()  # the page goes away (pagehide)
    assert [r.cell for r in RunLog(store).records("a.md")] == ["a", "b"]
    log.add(record("c"), "e3")  # type: ignore[arg-type]  # held (within the window of the flush)
    assert [r.cell for r in log.records("a.md")] == ["a", "b", "c"]  # reading flushes first
    log.add(record("d"), "e4")  # type: ignore[arg-type]
    log.clear("a.md")
    timers.advance(1.0)
    assert log.records("a.md") == [] and store.get(KEY_PREFIX + "a.md") is None


def test_records_another_tab_wrote_meanwhile_are_kept_and_not_written_twice() -> None:
    timers, store = Timers(), Store()
    mine = RunLog(store, timers.schedule, window=0.25, clock=timers.clock)
    other = RunLog(store)  # another tab, on the same storage
    mine.add(record("mine-1"), "e1")  # type: ignore[arg-type]
    mine.add(record("mine-2"), "e2")  # type: ignore[arg-type]  # held
    other.add(record("other"), "e3")  # type: ignore[arg-type]
    other.add(record("mine-2"), "e2")  # type: ignore[arg-type]  # it replayed the same execution
    timers.advance(0.3)
    assert [r.cell for r in other.records("a.md")] == ["mine-1", "other", "mine-2"]


@given(
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from([0.0, 0.01, 0.3]), st.booleans()), max_size=120)
)
@settings(max_examples=40, deadline=None)
def test_written_behind_keeps_the_same_records_as_written_at_once(
    steps: list[tuple[int, float, bool]],
) -> None:
    """After a flush: every record written at once is there, in the same order, once per execution,
    within the size bound (the written-behind store may keep older records the other cut earlier)."""
    timers = Timers()
    behind, now = Store(), Store()
    log = RunLog(behind, timers.schedule, window=0.25, clock=timers.clock)
    plain = RunLog(now)
    for n, pause, with_id in steps:
        timers.advance(pause)
        rec = record(f"cell-{n}", output=("y" * 2500 + "\n") * 4)
        execution = f"exec-{n}" if with_id else ""
        log.add(rec, execution)  # type: ignore[arg-type]
        plain.add(rec, execution)  # type: ignore[arg-type]
    log.flush()
    kept, expected = behind.get(KEY_PREFIX + "a.md") or "", now.get(KEY_PREFIX + "a.md") or ""
    assert kept.endswith(expected) and len(kept.encode()) <= MAX_BYTES
    ids = [r.extra.get("execution") for r in log.records("a.md") if r.extra.get("execution")]
    assert len(ids) == len(set(ids))


def test_a_record_is_made_from_the_ends_of_a_long_output_without_reading_it_all() -> None:
    from fenced.document.history import OutputEnds

    text = "".join(f"{i}\n" for i in range(1, 20001))

    def whole() -> str:
        raise AssertionError("the whole output was read")

    ends = OutputEnds(text[:16384], text[-16384:], text.count("\n"))
    r = record(output=whole, ends=ends)
    assert (r.first_lines, r.last_lines, r.left_out) == (("1", "2", "3"), ("19998", "19999", "20000"), 19994)  # type: ignore[attr-defined]
    read = record(output=lambda: text, ends=ends, secrets=["hunter2-secret"])  # masking: the whole
    assert read.left_out == 19994  # type: ignore[attr-defined]
