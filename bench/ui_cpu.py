"""The page's main-thread CPU time to show a runbook, for comparing two builds on a busy machine.

bench/ui.py measures what a user waits for (wall time), which other processes on the machine inflate; to
compare a change before/after while other work competes for the cores, this one takes Chrome's ThreadTime
(CPU time of the renderer's main thread, from the DevTools Performance domain) from `fencedShowText(...)`
until (200 cells) every Markdown cell is rendered and every code cell has its editor, or (5,000 cells) the
view is idle with the cells on screen ready, and counts the elements the notebook made. Builds alternate
run by run, each in a fresh browser.

Usage (two built dist/ folders, e.g. from `git archive COMMIT | tar -x -C DIR && (cd DIR && python build.py)`):
    .venv/bin/python bench/ui_cpu.py --runs 3 before=/tmp/before/dist after=dist
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.view_support import make_runbook  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

from fenced.static import serving  # noqa: E402

EVERY_EDITOR_JS = """(n) => { const cells = document.querySelectorAll('#notebook .cell'); if (cells.length !== n) return false;
  if (document.querySelector('#notebook .cell-source[data-md="pending"]')) return false;
  for (const c of document.querySelectorAll('#notebook .cell-code')) if (!c.querySelector('.cm-content')) return false;
  return true; }"""


def thread_ms(cdp: Any) -> float:
    found = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(found["ThreadTime"]) * 1000


def one(pw: Any, url: str, text: str, cells: int, every: bool) -> tuple[float, int]:
    """(main-thread CPU ms, elements in #notebook) to show `text` in a fresh browser."""
    browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_selector("body[data-app-state='ready']", timeout=120_000)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        start = thread_ms(cdp)
        page.evaluate("([t, n]) => window.fencedShowText(t, n)", [text, "bench.md"])
        page.wait_for_selector("#notebook[data-view-state='idle']", timeout=120_000)
        if every:
            page.wait_for_function(EVERY_EDITOR_JS, arg=cells, timeout=120_000, polling=200)
        cpu = thread_ms(cdp) - start
        return cpu, int(page.evaluate("() => document.querySelectorAll('#notebook *').length"))
    finally:
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("builds", nargs="+", help="NAME=DIST_DIR, one per build to compare")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    builds = dict(b.split("=", 1) for b in args.builds)
    sizes = ((200, make_runbook(200), True), (5000, make_runbook(5000), False))
    results: dict[tuple[str, int], list[tuple[float, int]]] = {}
    with ExitStack() as stack, sync_playwright() as pw:
        urls = {name: stack.enter_context(serving(Path(dist))) for name, dist in builds.items()}
        for _ in range(args.runs):
            for name, url in urls.items():
                for cells, text, every in sizes:
                    results.setdefault((name, cells), []).append(one(pw, url, text, cells, every))
    for (name, cells), rows in results.items():
        what = "every cell ready" if cells == 200 else "cells on screen ready"
        cpu = [round(r[0]) for r in rows]
        print(
            f"{name:>10} {cells:>5} cells, show -> {what}: main-thread CPU median {statistics.median(cpu):.0f} ms"
            f" (runs {cpu}); elements in #notebook {rows[0][1]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
