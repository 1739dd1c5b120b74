"""Startup benchmark: navigation -> "Python ready" and -> "app shell interactive", cold and warm.

Cold = a fresh Chromium profile (empty HTTP and code caches); warm = a second load in the same profile;
returning = a third one. Chromium compiles a script, then on its second load writes its code cache
(which costs that load time: `v8.produceModuleCache`), and only from the third load on reads it, so the
second load is not yet what a user who comes back to the app every day sees.
Runs headless Debian Chromium against the locally served build. Prints min/median/max per phase.
Usage: .venv/bin/python bench/startup.py [--runs 5] [--cpu]

`--cpu` also prints the machine's busy and idle CPU time during each load: on 2 cores a cold load is
CPU-bound (busy about twice its wall time, idle near zero), a warm one much less so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

from fenced.static import serving  # noqa: E402

MARKS_JS = "() => ({python: window.fencedBoot.marks.python, ready: window.fencedBoot.marks.ready})"


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
    results: dict[str, dict[str, list[float]]] = {
        "cold": {"python": [], "ready": []},
        "warm": {"python": [], "ready": []},
        "returning": {"python": [], "ready": []},
    }
    with serving(dist) as url, sync_playwright() as pw:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as profile:
                ctx = pw.chromium.launch_persistent_context(
                    profile, executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
                )
                for phase in results:
                    if args.cpu:
                        marks, spent = cpu_during(load_once, ctx, url)
                        print(
                            f"  {phase:9} shell interactive at {marks['ready']:.0f} ms; CPU busy "
                            f"{spent['busy'] * 1000:.0f} ms, idle {spent['idle'] * 1000:.0f} ms"
                        )
                    else:
                        marks = load_once(ctx, url)
                    for key in ("python", "ready"):
                        results[phase][key].append(marks[key])
                ctx.close()
    print(f"startup, {args.runs} runs each (ms from navigation start)")
    for phase in results:
        print(f"  {phase:9} Python ready:        {fmt(results[phase]['python'])}")
        print(f"  {phase:9} shell interactive:   {fmt(results[phase]['ready'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
