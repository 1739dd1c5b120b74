"""Running-cells benchmark (issue 6): headless Chromium, the built app, a real runner at another origin.

(a) Click "Run cell" -> first glyph on screen for `echo hi` (an interactive cell, i.e. a PTY: Runme's
    default), median and p90 of N runs after warm-up. "On screen" is the moment xterm.js puts "hi" into
    its rows (its DOM renderer does that inside the animation frame that paints it).
(b) `seq 1 2000000` (14.9 MB) fully rendered: from the click until the cell has exited, xterm.js has
    parsed everything and its last line reads 2000000 (and the plain-text copy ends with it); the
    longest main-thread task meanwhile (PerformanceObserver `longtask`) and the rate in MB/s. Once on
    pipes (interactive=false) and once on a PTY.
(c) Bulk output into the page's Python: `RunnerClient` (fetch transport) in the page runs `cat` of a
    file of `head -c <mb>M /dev/urandom | base64` (made once, before timing) and takes every output event,
    with Watch/Execute in JSON and in binary proto (`fenced.connect.wire`), alternating. The page keeps the
    output's bytes and hashes them after the clock stops; byte-exact against the file's sha256. (Before,
    the cell made the data and the page hashed it while timing: a sha256 in Pyodide runs at ~270 MB/s,
    and the shell's urandom, base64, tee and sha256sum took the CPU the runner and page share, so the
    figure measured the benchmark. `--page-inline` does it that way still, for comparison.)
Usage: .venv/bin/python bench/ui_run.py [--runs 50] [--big-runs 3] [--page-mb 100] [--page-runs 3]
       [--page-only] [--page-inline]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from tests.runner.support import RunnerProcess, ensure_proto  # noqa: E402

from fenced.static import serving  # noqa: E402

SEQ_BYTES = sum(len(str(i)) + 1 for i in range(1, 2_000_001))
DOC = (
    '```sh {"name":"hi"}\necho hi\n```\n\n'
    '```sh {"name":"seq-pipe","interactive":"false"}\nseq 1 2000000\n```\n\n'
    '```sh {"name":"seq-pty"}\nseq 1 2000000\n```\n'
)

# Click the cell's Run button and resolve with ms until `needle` shows in its terminal rows.
FIRST_GLYPH_JS = """async ([name, needle]) => {
  const cell = document.querySelector(`#notebook .cell[data-cell-name='${name}']`);
  const button = cell.querySelector('[data-run="run"]');
  const box = cell.querySelector('.cell-output');
  const old = box.querySelector('.run-terminal');
  if (old && old.fencedTerminal) {  // start from an empty terminal, so the previous "hi" does not count
    old.fencedTerminal.term.reset();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }
  return await new Promise((resolve) => {
    let t0 = 0;
    const seen = () => { const rows = box.querySelector('.xterm-rows');
                         return rows && rows.textContent.includes(needle); };
    const mo = new MutationObserver(() => { if (t0 && seen()) { mo.disconnect(); resolve(performance.now() - t0); } });
    mo.observe(box, {subtree: true, childList: true, characterData: true});
    t0 = performance.now();
    button.click();
  });
}"""

BIG_JS = """async (name) => {
  const cell = document.querySelector(`#notebook .cell[data-cell-name='${name}']`);
  const longest = [];
  const po = new PerformanceObserver((list) => { for (const e of list.getEntries()) longest.push(e.duration); });
  po.observe({type: 'longtask'});
  const t0 = performance.now();
  cell.querySelector('[data-run="run"]').click();
  await new Promise((resolve) => {  // this run's exit (the previous run's exit code goes when it starts)
    let started = false;
    const check = () => {
      started = started || cell.dataset.state === 'running';
      if (started && cell.dataset.exitCode !== undefined) resolve(); else setTimeout(check, 20);
    };
    check();
  });
  const term = cell.querySelector('.run-terminal').fencedTerminal;
  await term.flushed();
  await new Promise((r) => requestAnimationFrame(() => r()));
  const t1 = performance.now();
  po.disconnect();
  const lines = term.lines(3).filter((l) => l);
  const text = cell.querySelector('[data-output-text]').textContent;
  return {ms: t1 - t0, exit: cell.dataset.exitCode, last: lines[lines.length - 1],
          textTail: text.slice(-8), textLength: text.length, longtaskMax: Math.max(0, ...longest),
          longtasks: longest.length};
}"""


# (c): run in the page's Python (window.fencedPython); `result` is what the bench reads.
PAGE_PY = """
import hashlib, time
from fenced.connect import Program, RunnerClient
parts, side = [], bytearray()
async with RunnerClient(RUNNER, TOKEN, stream_codec=CODEC) as c:
    t0 = time.perf_counter()
    async for event in c.execute(Program(script=SCRIPT)):
        if event.output is not None:
            if event.output.stream == "stdout":
                parts.append(event.output.data)
            else:
                side += event.output.data
    seconds = time.perf_counter() - t0
digest = hashlib.sha256()
for part in parts:
    digest.update(part)
result = {"bytes": sum(map(len, parts)), "seconds": seconds, "sha256": digest.hexdigest(), "side": bytes(side).decode()}
"""

# The way (c) measured before: the shell makes the data and hashes it aside, the page hashes while timing.
PAGE_INLINE_PY = """
import hashlib, time
from fenced.connect import Program, RunnerClient
digest, size, side = hashlib.sha256(), 0, bytearray()
async with RunnerClient(RUNNER, TOKEN, stream_codec=CODEC) as c:
    t0 = time.perf_counter()
    async for event in c.execute(Program(script=SCRIPT)):
        if event.output is not None:
            if event.output.stream == "stdout":
                digest.update(event.output.data)
                size += len(event.output.data)
            else:
                side += event.output.data
    seconds = time.perf_counter() - t0
result = {"bytes": size, "seconds": seconds, "sha256": digest.hexdigest(), "side": bytes(side).decode()}
"""


def page_python(page: object, runner: RunnerProcess, mb: int, runs: int, inline: bool = False) -> None:
    """(c): MB/s into the page's Python, JSON then proto, `runs` times each, alternating."""
    import hashlib
    import json as _json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bulk.txt"
        if inline:
            script, want = f"head -c {mb}M /dev/urandom | base64 | tee >(sha256sum >&2)", None
        else:
            subprocess.run(f"head -c {mb}M /dev/urandom | base64 > {data}", shell=True, check=True)
            script, want = f"cat {data}", hashlib.sha256(data.read_bytes()).hexdigest()
        rates: dict[str, list[float]] = {"json": [], "proto": []}
        for _ in range(runs):
            for codec in ("json", "proto"):
                src = (
                    f"RUNNER, TOKEN, CODEC, SCRIPT = {runner.url!r}, {runner.token!r}, {codec!r}, {script!r}\n"
                    + (PAGE_INLINE_PY if inline else PAGE_PY)
                )
                r = _json.loads(page.evaluate("(src) => window.fencedPython(src)", src))  # type: ignore[attr-defined]
                exact = r["sha256"] == (want or r["side"].split()[0])
                rate = r["bytes"] / 1e6 / r["seconds"]
                rates[codec].append(rate)
                print(
                    f"  page Python, {codec}: {r['bytes'] / 1e6:.1f} MB in {r['seconds']:.2f} s = {rate:.1f} MB/s, "
                    f"{'byte-exact' if exact else 'WRONG'}"
                )
    for codec, values in rates.items():
        print(
            f"bulk output into the page's Python, {codec}: median {statistics.median(values):.1f} MB/s "
            f"({min(values):.1f}-{max(values):.1f}, {runs} runs)"
        )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--big-runs", type=int, default=3)
    parser.add_argument("--page-mb", type=int, default=100, help="MiB of urandom (base64'd) for (c)")
    parser.add_argument("--page-runs", type=int, default=3, help="runs of (c) per codec")
    parser.add_argument("--page-only", action="store_true", help="only (c)")
    parser.add_argument(
        "--page-inline",
        action="store_true",
        help="(c) as measured before: the shell makes and hashes the data, the page hashes while timing",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    ensure_proto()
    dist = build.build(ROOT / "dist")
    with serving(dist) as url, sync_playwright() as pw:
        origin = url.rstrip("/")
        with RunnerProcess("--allow-origin", origin, "--quiet") as runner:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}")
            page.wait_for_selector("#runner-status[data-runner-state='connected']", timeout=120_000)
            page.evaluate("([t, n]) => window.fencedShowText(t, n)", [DOC, "bench.md"])
            page.wait_for_selector("#notebook[data-view-state='idle']", timeout=60_000)

            print(f"load before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            page_python(page, runner, args.page_mb, args.page_runs, args.page_inline)
            if args.page_only:
                print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
                browser.close()
                return 0

            def once(name: str) -> float:
                ms = page.evaluate(FIRST_GLYPH_JS, [name, "hi"])
                page.wait_for_selector(f".cell[data-cell-name='{name}'][data-exit-code='0']", timeout=30_000)
                return ms

            for _ in range(3):
                once("hi")  # warm-up: bundle, JIT, session
            glyph = [once("hi") for _ in range(args.runs)]
            print(
                f"click 'Run cell' -> first glyph, `echo hi` (PTY), {args.runs} runs: "
                f"median {statistics.median(glyph):.1f} ms, p90 {pct(glyph, 90):.1f} ms, "
                f"min {min(glyph):.1f} ms, max {max(glyph):.1f} ms"
            )
            for name in ("seq-pipe", "seq-pty"):
                results = []
                for _ in range(args.big_runs):
                    r = page.evaluate(BIG_JS, name)
                    ok = r["exit"] == "0" and r["last"] == "2000000" and r["textTail"].endswith("2000000\n")
                    results.append(r)
                    print(
                        f"  {name}: {r['ms']:.0f} ms, {SEQ_BYTES / 1e6 / (r['ms'] / 1000):.1f} MB/s, "
                        f"longtask max {r['longtaskMax']:.0f} ms ({r['longtasks']} long tasks), "
                        f"final line {r['last']!r}, text {r['textLength']} chars, {'OK' if ok else 'WRONG'}"
                    )
                best = statistics.median(r["ms"] for r in results)
                print(
                    f"`seq 1 2000000` ({SEQ_BYTES / 1e6:.1f} MB) {name}: median {best:.0f} ms = "
                    f"{SEQ_BYTES / 1e6 / (best / 1000):.1f} MB/s; longtask max "
                    f"{max(r['longtaskMax'] for r in results):.0f} ms"
                )
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
