"""Benchmark: fenced.document round trip vs jupytext's Markdown round trip (issue 3).

    .venv/bin/python bench/document.py [--runs 7] [--jupytext-runs 3] [--write-corpus PATH]

Builds a ~1 MB corpus from the Runme fixtures (every Markdown document, also those
inside .txtar archives, repeated in a fixed order), then in one process times
``fenced.document.loads`` + ``dumps`` and ``jupytext.reads`` + ``writes`` (fmt ``md``)
on the same text, checks byte identity, and measures peak extra memory with
tracemalloc. ``build_corpus`` is pure Python so that the browser benchmark can
rebuild the same corpus in Pyodide from the same documents (or use
``--write-corpus`` to save it as a file).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "runme"
TARGET_BYTES = 1_000_000


# --- corpus (pure Python: usable in Pyodide) --------------------------------------------------


def build_corpus(documents: Iterable[str], target_bytes: int = TARGET_BYTES) -> str:
    """Concatenate the documents (each ending in one blank line), in order and
    repeatedly, until the UTF-8 size reaches ``target_bytes``."""
    docs = [d.rstrip("\n") + "\n\n" for d in documents if d.strip()]
    if not docs:
        raise ValueError("no documents")
    parts: list[str] = []
    size = 0
    while size < target_bytes:
        for doc in docs:
            parts.append(doc)
            size += len(doc.encode("utf-8"))
            if size >= target_bytes:
                break
    return "".join(parts)


# --- corpus sources (CPython: reads the fixture files) ----------------------------------------


def fixture_documents(root: Path = FIXTURES) -> list[str]:
    """Every Markdown document of the fixtures, sorted by path (txtar members inline)."""
    if str(REPO) not in sys.path:  # the test suite's txtar reader (imported here: CPython only)
        sys.path.insert(0, str(REPO))
    from tests.document.docsupport import split_txtar

    docs: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.suffix == ".md":
            docs.append(path.read_bytes().decode("utf-8"))
        elif path.suffix == ".txtar":
            for name, text in split_txtar(path.read_bytes().decode("utf-8")).items():
                if name.endswith((".md", ".dag")):
                    docs.append(text)
    return docs


def corpus(root: Path = FIXTURES, target_bytes: int = TARGET_BYTES) -> str:
    """The benchmark corpus."""
    return build_corpus(fixture_documents(root), target_bytes)


# --- measuring ----------------------------------------------------------------------------------


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times: list[float] = []
    result: object = None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def peak_extra(fn: Callable[[], object]) -> int:
    """Peak bytes allocated by ``fn`` above what was live before (result freed after)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del result
    return peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--jupytext-runs", type=int, default=3)
    ap.add_argument("--write-corpus", type=Path)
    ap.add_argument("--browser", action="store_true", help="also time the same corpus in Pyodide (Chromium)")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(REPO / "py"))
    from fenced.document import dumps, loads

    text = corpus()
    if args.write_corpus:
        args.write_corpus.write_bytes(text.encode("utf-8"))
    size = len(text.encode("utf-8"))
    nb = loads(text)
    cells = len(nb.cells)
    code = sum(1 for c in nb.cells if c.kind == "code")
    del nb

    def ours() -> str:
        return dumps(loads(text))

    def ours_edited() -> str:
        nb = loads(text)
        nb.cells[len(nb.cells) // 2].source = "edited"  # forces the slice-joining writer
        return dumps(nb)

    loads(text)  # warm up imports and caches
    t_ours, out = timed(ours, args.runs)
    identical = out == text
    t_loads, _ = timed(lambda: loads(text), args.runs)
    t_edit, out_edit = timed(ours_edited, args.runs)
    edit_ok = isinstance(out_edit, str) and len(out_edit) < len(text)

    rows = [
        ("fenced loads+dumps", t_ours, identical),
        ("fenced loads only", t_loads, None),
        ("fenced loads+edit 1 cell+dumps", t_edit, edit_ok),
    ]
    jt_identical: bool | None = None
    try:
        import jupytext
    except ImportError:
        jupytext = None
    if jupytext is not None:

        def theirs() -> str:
            return jupytext.writes(jupytext.reads(text, fmt="md"), fmt="md")

        t_jt, jt_out = timed(theirs, args.jupytext_runs)
        jt_identical = jt_out == text
        rows.append(("jupytext reads+writes (md)", t_jt, jt_identical))

    mem_ours = peak_extra(ours)
    mem_edit = peak_extra(ours_edited)
    mem_jt = peak_extra(theirs) if jupytext is not None else None

    print(f"corpus: {size:,} bytes UTF-8 ({len(text):,} characters), {cells:,} cells ({code:,} code)")
    print(f"python {sys.version.split()[0]}, {args.runs} runs (jupytext {args.jupytext_runs})")
    print()
    print(f"{'round trip':34} {'min s':>8} {'median s':>9} {'identical':>10}")
    for label, times, same in rows:
        flag = "-" if same is None else ("yes" if same else "NO")
        print(f"{label:34} {min(times):8.3f} {statistics.median(times):9.3f} {flag:>10}")
    if jupytext is not None:
        print(
            f"\nspeed-up vs jupytext (median): {statistics.median(rows[-1][1]) / statistics.median(t_ours):.1f}x"
        )
    print("\npeak extra memory (tracemalloc), as a multiple of the UTF-8 size:")
    print(f"  fenced loads+dumps            {mem_ours / 1e6:7.2f} MB  {mem_ours / size:5.1f}x")
    print(f"  fenced loads+edit+dumps       {mem_edit / 1e6:7.2f} MB  {mem_edit / size:5.1f}x")
    if mem_jt is not None:
        print(f"  jupytext reads+writes         {mem_jt / 1e6:7.2f} MB  {mem_jt / size:5.1f}x")
    if args.browser:
        sys.path.insert(0, str(REPO / "bench"))
        from document_browser import report, run_in_browser

        print()
        report(run_in_browser(text, runs=args.runs))
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
