"""The benchmark's corpus builder (also meant for the Pyodide benchmark) keeps working."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fenced.document import dumps, loads

BENCH = Path(__file__).resolve().parents[2] / "bench" / "document.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("fenced_bench_document", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_built_from_the_fixtures_and_round_trips(runme_corpus: Path) -> None:
    bench = load_bench()
    text = bench.build_corpus(bench.fixture_documents(), 150_000)
    assert 150_000 <= len(text.encode("utf-8")) < 170_000
    assert text == bench.build_corpus(bench.fixture_documents(), 150_000), "deterministic"
    nb = loads(text)
    assert sum(1 for c in nb.cells if c.kind == "code") > 500
    assert dumps(nb) == text
