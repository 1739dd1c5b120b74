"""Startup benchmark: navigation -> "Python ready" and -> "app shell interactive", cold and warm.

Cold = a fresh Chromium profile (empty HTTP and code caches); warm = a second load in the same profile;
returning = a third one. Chromium compiles a script, then on its second load writes its code cache
(which costs that load time: `v8.produceModuleCache`), and only from the third load on reads it, so the
second load is not yet what a user who comes back to the app every day sees.
Runs headless Debian Chromium against the locally served build. Prints min/median/max per phase.
Usage: .venv/bin/python bench/startup.py [--runs 5] [--cpu]

`--cpu` also prints the machine's busy and idle CPU time during each load: on 2 cores a cold load is
CPU-bound (busy about twice its wall time, idle near zero), a warm one much less so.

`--last-document` makes each profile's first page a user's: it connects to a runner, opens a runbook
(an OPFS file through the Open picker, as the tests do), runs all its cells and goes away, so that every
later load has a last document. Printed then also: navigation -> "the last document and its outputs on
screen" (the `lastDocument` mark that web/lastdoc.js sets when it has painted the card).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

from fenced.static import serving  # noqa: E402

MARKS_JS = """() => ({python: window.fencedBoot.marks.python, ready: window.fencedBoot.marks.ready,
  lastDocument: window.fencedBoot.marks.lastDocument ?? -1})"""
RUNBOOK = """# Rolling restart

Check the pods, then restart them one by one.

```sh {"name":"pods"}
seq 1 40 | sed 's/^/api-/'
```

```sh {"name":"restart"}
for i in 1 2 3; do echo "restarted api-$i"; done
```
"""


def use_once(context, url: str, runner) -> None:
    """A user's visit: connect to `runner`, open RUNBOOK, Run all, wait for the exits, leave."""
    import urllib.parse

    from tests.browser.files_support import opfs_write, stub_open_picker

    page = context.new_page()
    page.goto(f"{url}?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}")
    page.wait_for_selector("body[data-app-state='ready']", timeout=120_000)
    page.wait_for_selector("#runner-status[data-runner-state='connected']", timeout=60_000)
    opfs_write(page, "bench/restart.md", RUNBOOK.encode())
    stub_open_picker(page, "bench/restart.md")
    page.get_by_role("button", name="Open", exact=True).click()
    page.locator("[data-cell-name='restart']").wait_for()
    page.locator("[data-run-action='run-all']").click()
    page.wait_for_selector("[data-cell-name='restart'][data-exit-code='0']", timeout=60_000)
    page.close()  # pagehide: the picture is kept


def load_once(context, url: str) -> dict[str, float]:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("body[data-app-state='ready']", timeout=120_000)
    marks = page.evaluate(MARKS_JS)
    page.close()
    return marks


def cpu_during(load, *args) -> tuple[dict[str, float], dict[str, float]]:
    """`load(*args)`'s marks, and the machine's busy and idle CPU seconds (all cores) while it ran (on a
    quiet machine the busy time is the browser's: its processes come and go during a load, so they are
    not counted one by one)."""
    import psutil

    before = psutil.cpu_times()
    marks = load(*args)
    after = psutil.cpu_times()
    busy = sum(getattr(after, f) - getattr(before, f) for f in ("user", "nice", "system", "irq", "softirq"))
    return marks, {"busy": busy, "idle": after.idle - before.idle}


def fmt(values: list[float]) -> str:
    return f"min {min(values):7.0f}  median {statistics.median(values):7.0f}  max {max(values):7.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="print the CPU time of each load by process")
    parser.add_argument(
        "--last-document",
        action="store_true",
        help="each profile's first visit opens and runs a runbook (needs a runner: one is started)",
    )
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="serve a copy of the build without the Python memory snapshot (for comparison)",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    dist = build.build(ROOT / "dist")
    if args.no_snapshot:
        import shutil

        copy = Path(tempfile.mkdtemp()) / "dist"
        shutil.copytree(dist, copy, ignore=shutil.ignore_patterns("snapshot.bin.gz"))
        dist = copy
    keys = ("python", "ready", "lastDocument") if args.last_document else ("python", "ready")
    # With --last-document the user's visit is the profile's cold load (not counted: it waits for a runner).
    phases = ("warm", "returning") if args.last_document else ("cold", "warm", "returning")
    results: dict[str, dict[str, list[float]]] = {phase: {key: [] for key in keys} for phase in phases}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(serving(dist))
        pw = stack.enter_context(sync_playwright())
        runner = None
        if args.last_document:
            from tests.runner.support import RunnerProcess

            origin = "/".join(url.split("/")[:3])
            runner = stack.enter_context(RunnerProcess("--allow-origin", origin, "--quiet"))
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as profile:
                ctx = pw.chromium.launch_persistent_context(
                    profile, executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
                )
                if runner is not None:  # a visit that leaves a last document; its load is not counted
                    use_once(ctx, url, runner)
                for phase in results:
                    if args.cpu:
                        marks, spent = cpu_during(load_once, ctx, url)
                        print(
                            f"  {phase:9} shell interactive at {marks['ready']:.0f} ms; CPU busy "
                            f"{spent['busy'] * 1000:.0f} ms, idle {spent['idle'] * 1000:.0f} ms"
                        )
                    else:
                        marks = load_once(ctx, url)
                    for key in keys:
                        results[phase][key].append(marks[key])
                ctx.close()
    print(f"startup, {args.runs} runs each (ms from navigation start)")
    for phase in results:
        print(f"  {phase:9} Python ready:        {fmt(results[phase]['python'])}")
        print(f"  {phase:9} shell interactive:   {fmt(results[phase]['ready'])}")
        if args.last_document:
            print(f"  {phase:9} last document shown: {fmt(results[phase]['lastDocument'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
