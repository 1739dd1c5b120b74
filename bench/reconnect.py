"""Connection truth (issue 11, item 7): how long after a restarted runner is back the page says so.

Headless Chromium, the built app, a real runner at another origin. The page runs a cell that waits; the
runner is killed (SIGKILL: it dies with its session) and a new one is started on the same port with the
same token. Measured from the moment the new runner prints that it listens: until `#runner-status` says
connected, and until the waiting cell reports its session lost. N rounds, median and max. Target: ≤ 3 s.

Usage: .venv/bin/python bench/reconnect.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from tests.runner.support import RunnerProcess, ensure_proto  # noqa: E402

from fenced.static import serving  # noqa: E402

CONNECTED = "#runner-status[data-runner-state='connected']"
LOST = "#notebook .cell[data-cell-name='wait'][data-state='failed']"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ensure_proto()
    from playwright.sync_api import sync_playwright

    connected_s: list[float] = []
    lost_s: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, serving(build.build(ROOT / "dist")) as app_url:
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(app_url))
        flag = Path(tmp) / "go"
        doc = f'```sh {{"name":"wait"}}\nwhile [ ! -e {flag} ]; do sleep 0.05; done\n```\n'
        flags = ("--allow-origin", origin, "--quiet")
        runner = RunnerProcess(*flags)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(f"{app_url}?runner={runner.url}#token={runner.token}")
            page.wait_for_selector(CONNECTED, timeout=120_000)
            page.evaluate("([t, n]) => window.fencedShowText(t, n)", [doc, "reconnect.md"])
            for _ in range(args.rounds):
                page.locator("#notebook .cell[data-cell-name='wait'] [data-run='run']").click()
                page.wait_for_selector(
                    "#notebook .cell[data-cell-name='wait'] .run-meta:has-text('pid')", timeout=30_000
                )
                runner.terminate(signal.SIGKILL)
                for orphan in runner.marked_processes():
                    orphan.kill()
                page.wait_for_selector("#runner-status[data-runner-reason='lost']", timeout=30_000)
                runner = RunnerProcess(*flags, "--port", str(runner.port), token=runner.token)
                back = time.perf_counter()
                page.wait_for_selector(CONNECTED, timeout=30_000)
                connected_s.append(time.perf_counter() - back)
                page.wait_for_selector(LOST, timeout=30_000)
                lost_s.append(time.perf_counter() - back)
            browser.close()
        runner.terminate()
    for name, values in (("connected again", connected_s), ("lost session reported", lost_s)):
        print(
            f"{name}: median {statistics.median(values):.2f} s, max {max(values):.2f} s ({len(values)} rounds)"
        )


if __name__ == "__main__":
    main()
