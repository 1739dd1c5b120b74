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
