"""Notebook UI benchmark (issue 5): what a user waits for when they drop a runbook on the page.

1. navigation -> a 200-cell runbook, dropped as soon as the shell is interactive, rendered and editable:
   the cells on screen (Markdown rendered, code in CodeMirror), then every cell (Markdown rendered, code
   in CodeMirror, or, in a big notebook only, highlighted static text that becomes CodeMirror when it is
   scrolled to or clicked), and every code cell in CodeMirror (the test hooks' `.cm-content` everywhere;
   for a notebook of this size the same moment); cold (fresh profile) and warm (second load, same profile);
2. a 5,000-cell (~1 MB) runbook: drop -> the cells on screen rendered and editable, then scroll to the
   end -> the cells there; JS heap (after a GC) and, for reference, Pyodide's Wasm memory;
3. typing in a code cell in the middle of that notebook: the longest main-thread task while typing 60
   characters at 20/s, as wall time (PerformanceObserver `longtask`) and as CPU time (Chrome trace, not
   inflated when other processes compete for the cores), and in the 2 s after (the debounced model update
   and the file helper's draft write).

The file is dropped the way a user drops it (a DataTransfer `drop` on the page), so the file helper's
path (read, decode, show, dirty state, drafts) is included. The moments are taken in the page, every
animation frame (WATCH_JS), not by polling from Playwright, whose per-frame evaluation would itself cost
tens of ms of main-thread time during the render; "shell interactive" is seen within a frame too (goto's
default wait for `load` and wait_for_selector's back-off polling delayed the drop by 0.1-0.5 s).
Headless Debian Chromium, locally served build.
Usage: .venv/bin/python bench/ui.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.browser.view_support import make_runbook  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

from fenced.static import serving  # noqa: E402

DROP_JS = """([name, text]) => {
  const dt = new DataTransfer();
  dt.items.add(new File([text], name, {type: "text/markdown"}));
  window.__dropAt = performance.now();
  document.body.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
}"""

# Every code cell has its editor (and no Markdown cell is pending).
EDITORS_JS = """(n) => {
  const cells = document.querySelectorAll('#notebook .cell');
  if (cells.length !== n) return false;
  if (document.querySelector('#notebook .cell-source[data-md="pending"]')) return false;
  for (const c of document.querySelectorAll('#notebook .cell-code')) if (!c.querySelector('.cm-content')) return false;
  return performance.now();
}"""

# What is on screen rendered: every cell in the viewport has its Markdown rendered or its editor.
VISIBLE_RENDERED_JS = """(n) => {
  const cells = document.querySelector('#notebook .nb-cells')?.children;
  if (!cells || cells.length !== n) return false;
  const h = innerHeight;
  let lo = 0, hi = n - 1, first = n;  // binary search: polling must not cost O(n) per frame itself
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (cells[mid].getBoundingClientRect().bottom >= 0) { first = mid; hi = mid - 1; } else lo = mid + 1; }
  for (let i = first; i < n; i++) {
    const c = cells[i];
    if (c.getBoundingClientRect().top > h) break;
    if (c.dataset.cellKind === 'code' ? !c.querySelector('.cm-content') : c.querySelector('[data-md="pending"]')) return false;
  }
  return performance.now();
}"""

LONGTASKS_JS = """() => {
  window.__long = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
    .observe({type: "longtask"});
}"""


def fmt(values: list[float], unit: str = "ms") -> str:
    return f"min {min(values):7.0f}  median {statistics.median(values):7.0f}  max {max(values):7.0f} {unit}"


def ready(page: Any, url: str) -> None:
    # Not goto's default wait for `load`: the user can drop a file as soon as the shell is interactive,
    # and `load` also waits for fetches still running then (the wheels' files, unpacked at idle).
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "() => document.body?.dataset.appState === 'ready'", timeout=120_000, polling="raf"
    )


# Every cell rendered (no Markdown pending; every code cell in CodeMirror or highlighted static text) and
# the cells on screen editable (VISIBLE_RENDERED_JS).
ALL_RENDERED_JS = (
    """(n) => {
  const cells = document.querySelectorAll('#notebook .cell');
  if (cells.length !== n) return false;
  if (document.querySelector('#notebook .cell-source[data-md="pending"]')) return false;
  for (const c of document.querySelectorAll('#notebook .cell-code'))
    if (!c.querySelector('.cm-content, .cell-source > pre.cell-static[data-hl]')) return false;
  return ("""
    + VISIBLE_RENDERED_JS
    + """)(n);
}"""
)


# Watches, every frame from the drop on, for the moments the three conditions first hold (in the page:
# a Playwright poll per frame would itself cost tens of ms of main-thread time over a drop).
WATCH_JS = """([n, checks]) => {
  const t = window.__t = {};
  const fns = Object.fromEntries(Object.entries(checks).map(([k, src]) => [k, eval(src)]));
  const tick = () => {
    for (const [k, f] of Object.entries(fns)) if (!(k in t)) { const v = f(n); if (v) t[k] = v; }
    if (Object.keys(t).length < Object.keys(fns).length) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def drop_200(page: Any, url: str, text: str) -> tuple[float, float, float, float]:
    """ms from navigation start to the 200-cell runbook (1) on screen rendered and editable, (2) every cell
    rendered and editable (see ALL_RENDERED_JS), (3) the part of (2) after the drop, (4) every code cell
    in CodeMirror. The drop happens as soon as the shell is interactive."""
    ready(page, url)
    checks = {"seen": VISIBLE_RENDERED_JS, "all": ALL_RENDERED_JS, "editors": EDITORS_JS}
    page.evaluate(WATCH_JS, [200, checks])
    page.evaluate(DROP_JS, ["runbook-200.md", text])
    page.wait_for_function("() => window.__t && 'editors' in window.__t", timeout=120_000, polling=100)
    t = page.evaluate("() => window.__t")
    drop = page.evaluate("() => window.__dropAt")
    return t["seen"], t["all"], t["all"] - drop, t["editors"]


def heap_mb(page: Any) -> tuple[float, float]:
    """(JS heap used, Wasm linear memory) in MB, after a GC."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    cdp.detach()
    wasm = float(
        page.evaluate(
            "() => window.fencedPython('import pyodide_js\\nresult = pyodide_js._module.HEAP8.length')"
        )
    )
    return used / 1e6, wasm / 1e6


class CpuTrace:
    """Main-thread tasks from a Chrome trace: their CPU time (`tdur`) does not grow when other processes
    compete for the two cores, unlike the wall time that `longtask` reports."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.events: list[dict[str, Any]] = []
        self.done = False
        self.cdp.on("Tracing.dataCollected", lambda p: self.events.extend(p["value"]))
        self.cdp.on("Tracing.tracingComplete", lambda p: setattr(self, "done", True))
        self.cdp.send(
            "Tracing.start",
            {
                "categories": "devtools.timeline,disabled-by-default-devtools.timeline",
                "transferMode": "ReportEvents",
            },
        )

    def stop(self) -> float:
        """The longest main-thread task's CPU time in ms."""
        self.cdp.send("Tracing.end")
        for _ in range(200):
            if self.done:
                break
            self.page.wait_for_timeout(50)
        self.cdp.detach()
        mains = {
            (e["pid"], e["tid"])
            for e in self.events
            if e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
        }
        tasks = [
            e
            for e in self.events
            if (e.get("pid"), e.get("tid")) in mains and e.get("ph") == "X" and e.get("name") == "RunTask"
        ]
        return max((e.get("tdur", 0) / 1000 for e in tasks), default=0.0)


def scroll_to_editor(page: Any, index: int) -> None:
    """Scroll cell `index` to the middle until its editor is mounted (heights settle as cells render)."""
    page.wait_for_function(
        """(i) => { const el = document.querySelector(`#notebook .cell[data-cell-index='${i}']`);
                    if (el.querySelector('.cm-content')) return true;
                    el.scrollIntoView({block: 'center'}); return false; }""",
        arg=index,
        polling=100,
        timeout=30_000,
    )


def big(page: Any, url: str, text: str, n: int) -> dict[str, float]:
    ready(page, url)
    page.evaluate(WATCH_JS, [n, {"seen": VISIBLE_RENDERED_JS}])
    page.evaluate(DROP_JS, [f"runbook-{n}.md", text])
    page.wait_for_function("() => window.__t && 'seen' in window.__t", timeout=120_000, polling=100)
    shown = page.evaluate("() => window.__t.seen")
    t_drop = page.evaluate("() => window.__dropAt")
    t0 = page.evaluate(
        "() => { window.scrollTo(0, document.documentElement.scrollHeight); return performance.now(); }"
    )
    scrolled = page.wait_for_function(VISIBLE_RENDERED_JS, arg=n, timeout=60_000, polling="raf").json_value()
    heap, wasm = heap_mb(page)
    # Typing in the middle of the notebook.
    mid = page.evaluate(
        f"() => document.querySelector(\"#notebook .cell-code[data-cell-index='{n // 2}'],"
        f" #notebook .cell-code[data-cell-index='{n // 2 + 1}']\").dataset.cellIndex"
    )
    scroll_to_editor(page, int(mid))
    page.locator(f"#notebook .cell-code[data-cell-index='{mid}'] .cm-content").click(timeout=30_000)
    page.keyboard.press("Control+End")
    page.evaluate(LONGTASKS_JS)
    tracer = CpuTrace(page)
    start = page.evaluate("() => performance.now()")
    page.keyboard.type(" # typed by the benchmark, sixty characters of it ....", delay=50)
    typed = page.evaluate("() => performance.now()")
    cpu_typing = tracer.stop()
    page.wait_for_timeout(2000)  # the debounced flush and the draft write happen here
    tasks = page.evaluate("() => window.__long")
    if "--verbose" in sys.argv:
        print("  long tasks (start rel. to typing, ms):", [(round(s - start), round(d)) for s, d in tasks])
    during = [d for s, d in tasks if start <= s <= typed]
    after = [d for s, d in tasks if s > typed]
    return {
        "render": shown - t_drop,
        "scroll": scrolled - t0,
        "heap": heap,
        "wasm": wasm,
        "typing_max": max(during, default=0.0),
        "after_max": max(after, default=0.0),
        "typing_count": float(len(during)),
        "typing_cpu": cpu_typing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cells", type=int, default=5000, help="size of the big notebook")
    parser.add_argument("--verbose", action="store_true", help="print every long task seen while typing")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    dist = build.build(ROOT / "dist")
    small, large = make_runbook(200), make_runbook(args.cells)
    cold: list[tuple[float, float, float, float]] = []
    warm: list[tuple[float, float, float, float]] = []
    rows: list[dict[str, float]] = []
    with serving(dist) as url, sync_playwright() as pw:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as profile:
                ctx = pw.chromium.launch_persistent_context(
                    profile,
                    executable_path=chromium_path(),
                    args=CHROMIUM_FLAGS,
                    headless=True,
                    viewport={"width": 1280, "height": 900},
                )
                for bucket in (cold, warm):
                    page = ctx.new_page()
                    bucket.append(drop_200(page, url, small))
                    page.close()
                page = ctx.new_page()
                rows.append(big(page, url, large, args.cells))
                page.close()
                ctx.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"notebook UI, {args.runs} runs (big notebook: {args.cells} cells, {len(large.encode()) / 1e6:.2f} MB);"
        f" load average at the end: {load} on {os.cpu_count()} CPUs"
    )
    for label, rows200 in (("cold", cold), ("warm", warm)):
        print(f"  200 cells, {label}: navigation -> on-screen cells ready:  {fmt([r[0] for r in rows200])}")
        print(f"  200 cells, {label}: navigation -> every cell ready:       {fmt([r[1] for r in rows200])}")
        print(f"  200 cells, {label}:   of which drop -> every cell ready:  {fmt([r[2] for r in rows200])}")
        print(f"  200 cells, {label}: navigation -> every editor mounted:   {fmt([r[3] for r in rows200])}")
    print(f"  big: drop -> on-screen cells ready:                 {fmt([r['render'] for r in rows])}")
    print(f"  big: scroll to end -> cells there ready:            {fmt([r['scroll'] for r in rows])}")
    print(f"  big: JS heap after render + scroll:                 {fmt([r['heap'] for r in rows], 'MB')}")
    print(f"  big: Wasm memory (Pyodide) for reference:           {fmt([r['wasm'] for r in rows], 'MB')}")
    print(f"  big: longest task while typing:                     {fmt([r['typing_max'] for r in rows])}")
    print(f"  big: longest task while typing, CPU time (trace):   {fmt([r['typing_cpu'] for r in rows])}")
    print(f"  big: longest task in the 2 s after typing:          {fmt([r['after_max'] for r in rows])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
