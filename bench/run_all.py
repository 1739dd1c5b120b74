"""Run all at scale (issue 17): the page's Run all against `fenced run --all`, same runner, same file, one run.

For each row (100 cells of `echo hi`; 100 cells of `seq 1 20000`, 10.9 MB of output), the CLI runs the
file (`fenced run FILE --all --quiet`, stdin from /dev/null, wall time of the process) twice: as is
(stdin is not a terminal, so its cells run on pipes) and with `--tty` (on a PTY, as the page runs them:
a program line-buffers its output on a terminal, so the same cell costs the runner and the cell more),
then the built app
in headless Chromium opens the same text and presses Run all: the time is from the click until every cell
shows its exit code (measured in the page, each animation frame). Then the page's JS heap: before the
run and after it, each after a full GC (CDP `HeapProfiler.collectGarbage`, `Runtime.getHeapUsage`), and
the highest `performance.memory.usedJSHeapSize` sampled every 20 ms during the run (Chromium started with
`--enable-precise-memory-info`). Checks that every cell's plain text (`data-output-text`) is complete.

    .venv/bin/python bench/run_all.py [--rows echo,seq] [--cells 100] [--runs 3] [--profile FILE]

`--profile FILE` writes a CDP CPU profile of the page during the first page run of the first row
(open it in Chrome's DevTools, Performance panel), to see where per-cell time goes; `--trace FILE` a
Chromium trace of that run (the timeline's style, layout, paint and task events; Perfetto opens it) and
prints its busiest event kinds; `--pyprofile N` runs cProfile in the page's Python during that run and
prints its N busiest functions (by own time, then by cumulative time). `--history-kb N` gives each
document a run history of about N kB before its run (a runbook run a few times already; the page keeps
at most 256 kB of history a document), as a page that has been used finds it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from tests.runner.clisupport import FENCED, clean_env  # noqa: E402
from tests.runner.support import RunnerProcess, ensure_proto  # noqa: E402

from fenced.static import serving  # noqa: E402

ROWS = {"echo": "echo hi", "seq": "seq 1 20000"}

RUN_ALL_JS = """async (cells) => {
  const samples = [];
  const sample = () => samples.push(performance.memory.usedJSHeapSize);
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  document.querySelector('[data-run-action="run-all"]').click();
  await new Promise((resolve) => {
    const check = () => {
      if (document.querySelectorAll('#notebook .cell[data-exit-code]').length >= cells) resolve();
      else requestAnimationFrame(check);
    };
    check();
  });
  const ms = performance.now() - t0;
  clearInterval(timer);
  sample();
  const failed = document.querySelectorAll('#notebook .cell[data-exit-code]:not([data-exit-code="0"])').length;
  const texts = [...document.querySelectorAll('#notebook .cell [data-output-text]')].map((e) => e.textContent);
  return {ms, failed, peak: Math.max(...samples), texts: texts.length,
          textBytes: texts.reduce((n, t) => n + t.length, 0),
          complete: texts.filter((t) => t.endsWith(window.__expectTail)).length,
          terminals: document.querySelectorAll('#notebook .xterm').length};
}"""


def book(command: str, cells: int) -> str:
    return "".join(f'```sh {{"name":"c{i}"}}\n{command}\n```\n\n' for i in range(cells))


def cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds of a process so far: its own, and its reaped children's (the runner's cells)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def cli_run(path: Path, runner: RunnerProcess, tty: bool = False) -> float:
    argv = [*FENCED, "run", str(path), "--all", "--runner", runner.url, "--token", runner.token, "--quiet"]
    if tty:  # cells on a PTY on the runner, as the page runs them (stdin is not a terminal here)
        argv.append("--tty")
    start = time.perf_counter()
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=clean_env(), check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv}: {done.stderr.decode()[-2000:]}")
    return took


def heap(cdp: Any) -> tuple[float, float]:
    """MB after a full GC: the JS heap (what `performance.memory` counts), and with array buffers' and
    the embedder's (Blink's) memory on top, where Chromium reports them."""
    cdp.send("HeapProfiler.collectGarbage")
    usage = cdp.send("Runtime.getHeapUsage")
    extra = float(usage.get("backingStorageSize", 0)) + float(usage.get("embedderHeapUsedSize", 0))
    return float(usage["usedSize"]) / 1e6, (float(usage["usedSize"]) + extra) / 1e6


TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.stack",
    "v8.execute",
    "blink",
]


def trace_summary(path: str, top: int = 25) -> None:
    """The trace's complete events by name: total wall time (nested events counted in each)."""
    events = json.loads(Path(path).read_text())
    events = events.get("traceEvents", events) if isinstance(events, dict) else events
    totals: dict[str, list[float]] = {}
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            totals.setdefault(e["name"], []).append(e["dur"] / 1000)
    for name, durs in sorted(totals.items(), key=lambda kv: -sum(kv[1]))[:top]:
        print(f"  trace: {sum(durs):8.1f} ms  {len(durs):6d} x  {name}")


PY_PROFILE_START = """
import builtins, cProfile
builtins.__fenced_bench_profile = cProfile.Profile()
builtins.__fenced_bench_profile.enable()
"""
PY_PROFILE_STOP = """
import builtins, io, pstats
builtins.__fenced_bench_profile.disable()
out = io.StringIO()
stats = pstats.Stats(builtins.__fenced_bench_profile, stream=out)
stats.sort_stats("tottime").print_stats(TOP)
stats.sort_stats("cumulative").print_stats(TOP)
result = out.getvalue()
"""


HISTORY_JS = """([name, size]) => {
  const line = (i) => JSON.stringify({cell: `c${i % 100}`, document: name, runner: "http://127.0.0.1:1",
    started: "2026-12-05T12:00:00+00:00", duration_ms: 5, exit_code: 0, signal: "", first_lines: ["hi"],
    last_lines: [], left_out: 0, client: "fenced (browser)", error: "", execution: `old-${i}`});
  const lines = [];
  let total = 0;
  for (let i = 0; total < size; i++) { const l = line(i); lines.push(l); total += l.length + 1; }
  localStorage.setItem(`fenced.run-history:${name}`, lines.join("\\n"));
}"""


def page_run(
    page: Any,
    cdp: Any,
    text: str,
    cells: int,
    tail: str,
    profile: str | None,
    trace: str | None = None,
    pyprofile: int = 0,
    history_kb: int = 0,
) -> dict[str, Any]:
    name = f"bench-{time.monotonic_ns()}.md"
    if history_kb:
        page.evaluate(HISTORY_JS, [name, history_kb * 1000])
    page.evaluate("([t, n]) => window.fencedShowText(t, n)", [text, name])
    page.wait_for_selector("#notebook[data-view-state='idle']", timeout=60_000)
    page.wait_for_function(f"document.querySelectorAll('#notebook .cell').length >= {cells}")
    page.evaluate("(t) => { window.__expectTail = t; }", tail)
    before = heap(cdp)
    if profile:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
    if pyprofile:
        page.evaluate("(src) => window.fencedPython(src)", PY_PROFILE_START)
    if trace:
        page.context.browser.start_tracing(page=page, path=trace, categories=TRACE_CATEGORIES)
    result: dict[str, Any] = page.evaluate(RUN_ALL_JS, cells)
    if trace:
        page.context.browser.stop_tracing()
        trace_summary(trace)
    if pyprofile:
        src = PY_PROFILE_STOP.replace("TOP", str(pyprofile))
        print(json.loads(page.evaluate("(src) => window.fencedPython(src)", src)))
    if profile:
        Path(profile).write_text(json.dumps(cdp.send("Profiler.stop")["profile"]))
        cdp.send("Profiler.disable")
    result["before"], result["before_all"] = before
    result["after"], result["after_all"] = heap(cdp)
    result["peak"] = result["peak"] / 1e6
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default="echo,seq")
    parser.add_argument("--cells", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="")
    parser.add_argument("--trace", default="")
    parser.add_argument("--pyprofile", type=int, default=0, metavar="N")
    parser.add_argument("--history-kb", type=int, default=0, metavar="N")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    ensure_proto()
    print(f"load average before: {os.getloadavg()}")
    dist = build.build(ROOT / "dist")
    with tempfile.TemporaryDirectory() as tmp, serving(dist) as url, sync_playwright() as pw:
        origin = url.rstrip("/")
        with RunnerProcess("--allow-origin", origin, "--quiet") as runner:
            browser = pw.chromium.launch(
                executable_path=chromium_path(),
                args=[*CHROMIUM_FLAGS, "--enable-precise-memory-info"],
                headless=True,
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            cdp = page.context.new_cdp_session(page)
            page.goto(f"{url}?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}")
            page.wait_for_selector("#runner-status[data-runner-state='connected']", timeout=120_000)
            profile, trace, pyprofile = args.profile, args.trace, args.pyprofile
            for row in args.rows.split(","):
                command = ROWS[row]
                text = book(command, args.cells)
                path = Path(tmp) / f"{row}.md"
                path.write_text(text)
                tail = "20000\n" if row == "seq" else "hi\n"
                output = sum(
                    len(line) + 1
                    for line in subprocess.check_output(["sh", "-c", command]).decode().splitlines()
                )
                cli_run(path, runner)  # warm-up: interpreter caches, the runner's first spawns
                page_run(page, cdp, book("echo warm", 3), 3, "warm\n", None)
                clis, ttys, pages = [], [], []
                for _ in range(args.runs):
                    t0 = cpu_s(runner.proc.pid)
                    ttys.append(cli_run(path, runner, tty=True))
                    c0 = cpu_s(runner.proc.pid)
                    clis.append(cli_run(path, runner))
                    c1 = cpu_s(runner.proc.pid)
                    r = page_run(
                        page,
                        cdp,
                        text,
                        args.cells,
                        tail,
                        profile or None,
                        trace or None,
                        pyprofile,
                        args.history_kb,
                    )
                    c2 = cpu_s(runner.proc.pid)
                    profile, trace, pyprofile = "", "", 0
                    pages.append(r)
                    print(
                        f"  {row}: runner CPU (own / its cells'): CLI run {c1[0] - c0[0]:.2f} / "
                        f"{c1[1] - c0[1]:.2f} s (on a PTY {c0[0] - t0[0]:.2f} / {c0[1] - t0[1]:.2f} s), "
                        f"page run {c2[0] - c1[0]:.2f} / {c2[1] - c1[1]:.2f} s"
                    )
                    print(
                        f"  {row}: CLI {clis[-1]:.2f} s (on a PTY {ttys[-1]:.2f} s), page {r['ms'] / 1000:.2f} s "
                        f"({r['ms'] / args.cells:.1f} ms a cell), failed {r['failed']}, "
                        f"text complete {r['complete']}/{r['texts']}, {r['textBytes'] / 1e6:.1f} M chars, "
                        f"xterm {r['terminals']}, heap before {r['before']:.1f} MB after GC {r['after']:.1f} MB "
                        f"(with buffers and DOM {r['before_all']:.1f} -> {r['after_all']:.1f} MB), "
                        f"peak {r['peak']:.1f} MB, load {os.getloadavg()[0]:.2f}"
                    )
                cli, ms = statistics.median(clis), statistics.median(r["ms"] for r in pages) / 1000
                tty = statistics.median(ttys)
                print(
                    f"{args.cells} x `{command}` ({args.cells * output / 1e6:.1f} MB of output"
                    + (f", a {args.history_kb} kB run history" if args.history_kb else "")
                    + "): CLI median "
                    f"{cli:.2f} s, page median {ms:.2f} s = {ms / cli:.2f}x the CLI ({ms / tty:.2f}x the CLI "
                    f"on a PTY, {tty:.2f} s); retained heap above the "
                    f"baseline max {max(r['after'] - r['before'] for r in pages):.1f} MB, peak "
                    f"max {max(r['peak'] for r in pages):.1f} MB"
                )
            browser.close()
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
