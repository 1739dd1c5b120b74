"""Markdown rendering cost per cell, in the page (issue 11): Python's `markdown.render` (markdown-it-py and
the token-level raw-HTML decisions) and putting the HTML into the page through DOMPurify, as the view
does, against a bare `<template>` parse (what the view did before DOMPurify).

The Markdown cells of `make_runbook(200)` (101 cells), each pass over all of them timed in the page with
`performance.now()`; medians over --runs passes. Work, not wall time of a user flow: see bench/ui.py.
Usage: .venv/bin/python bench/render.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.browser.view_support import make_runbook, show  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path, run_in_page  # noqa: E402

from fenced.static import serving  # noqa: E402

PYTHON = """
import json, time
import js
from fenced.document import loads
from fenced.app.view.markdown import render
from fenced.app.view.notebook import NotebookView
sources = [c.source for c in loads({doc!r}).cells if c.kind == "markdown"]
for s in sources:
    render(s)
times = []
for _ in range({runs}):
    t = time.perf_counter()
    htmls = [render(s) for s in sources]
    times.append((time.perf_counter() - t) * 1000)
js.window.__htmls = json.dumps(htmls)
js.window.__ctl = NotebookView.instance._ctl
result = [len(sources), times]
"""

INSERT_JS = """(runs) => {
  const htmls = JSON.parse(window.__htmls);
  const host = document.createElement('div');
  const time = (put) => { const out = []; for (let k = 0; k < runs; k++) {
    const t = performance.now(); for (const h of htmls) put(h); out.push(performance.now() - t); } return out; };
  const template = (h) => { const tpl = document.createElement('template'); tpl.innerHTML = h; host.replaceChildren(tpl.content); };
  const purify = (h) => host.replaceChildren(window.__ctl.purify(h));
  template(htmls[0]);
  if (!window.__ctl.purify) return {template: time(template), purify: null};  // a build before DOMPurify
  purify(htmls[0]);
  return {template: time(template), purify: time(purify)};
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    dist = build.build(ROOT / "dist")
    doc = make_runbook(200)
    with serving(dist) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-app-state='ready']", timeout=60_000)
        show(page, doc)
        cells, py_ms = run_in_page(page, PYTHON.format(doc=doc, runs=args.runs))
        js_ms = page.evaluate(INSERT_JS, args.runs)
        browser.close()
    med = statistics.median
    print(f"Markdown cells of make_runbook(200): {cells}; medians of {args.runs} passes over all of them")
    rows = [("Python markdown.render", py_ms), ("insert via DOMPurify", js_ms["purify"])]
    rows.append(("insert via <template> (no check)", js_ms["template"]))
    for label, ms in rows:
        if ms is None:
            continue
        print(f"  {label:34s} {med(ms):7.1f} ms  ({med(ms) / cells * 1000:6.0f} us a cell)")
    print(json.dumps({"cells": cells, "python": py_ms, **js_ms}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
