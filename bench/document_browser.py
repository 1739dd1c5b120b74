"""The document benchmark's Pyodide half: the same corpus, `loads` + `dumps` inside headless Chromium.

Used by `bench/document.py --browser`; can also run alone: `.venv/bin/python bench/document_browser.py`.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SRC = """
import gc, json, time, tracemalloc
import js
import fenced.document as d

text = str(js.window.__fencedCorpus)
d.dumps(d.loads(text))  # warm up imports
times = []
for _ in range(RUNS):
    start = time.perf_counter()
    out = d.dumps(d.loads(text))
    times.append(time.perf_counter() - start)
identical = out == text
del out
gc.collect()
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
d.dumps(d.loads(text))
peak = tracemalloc.get_traced_memory()[1] - base
tracemalloc.stop()
result = {"times": times, "identical": identical, "peak": peak, "size": len(text.encode())}
"""


def run_in_browser(text: str, runs: int = 5) -> dict:
    """Time loads+dumps of `text` in Pyodide in the built app; returns times (s), identity and peak bytes."""
    sys.path.insert(0, str(REPO))
    import build  # type: ignore[import-not-found]
    from playwright.sync_api import sync_playwright
    from tests.conftest import CHROMIUM_FLAGS, chromium_path

    from fenced.static import serving

    dist = build.build(REPO / "dist")
    with serving(dist) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-app-state='ready']", timeout=120_000)
        page.evaluate("t => { window.__fencedCorpus = t }", text)
        page.set_default_timeout(600_000)
        out = json.loads(page.evaluate("src => window.fencedPython(src)", SRC.replace("RUNS", str(runs))))
        browser.close()
    return out


def report(result: dict) -> None:
    times = result["times"]
    size = result["size"]
    print(
        f"Pyodide (Chromium) loads+dumps: min {min(times):.3f} s  median {statistics.median(times):.3f} s  "
        f"identical {'yes' if result['identical'] else 'NO'}  "
        f"peak extra {result['peak'] / 1e6:.2f} MB ({result['peak'] / size:.1f}x)"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from document import corpus  # type: ignore[import-not-found]

    report(run_in_browser(corpus()))
