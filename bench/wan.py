"""The page and a runner over a slow, flaky network (issue 12): headless Chromium, the built app, a real
runner reached through `tests/faultproxy.py` (fixed latency each way, a bandwidth cap, resets).

(a) click "Run cell" -> first glyph of `echo hi` (a PTY cell) at --rtt (default 100 ms): median of N
    clicks after warm-up, with the requests each click sent (the round trips on the critical path) and
    the TCP connections it opened; clicks are --pause s apart (longer than a keep-alive would last if
    the runner closed idle connections after 5 s, as uvicorn does by default). Also the first click of
    a fresh page (new session, empty preflight cache).
(b) `seq 1 2000000` (14.9 MB, a pipe cell) at --rate (default 10 Mbit/s) and --rtt: time to exit with
    everything rendered, goodput against the link, bytes on the wire, output complete.
(c) --resets (default 20) connection resets while a cell writes 300,000 lines: each reset drops every
    connection and refuses new ones for --outage s; output byte-exact with no duplicates, and whether
    the status showed "reconnecting" during each outage.
(d) TCP connections a 12-cell run opens (page load, 12 background cells, all exited): HTTP/1.1 straight
    to the runner, and HTTP/2 through the shipped nginx recipe (TLS).
(e) Run all of --cells (default 20) cells of `echo hi` at --rtt: the page (click -> every exit code shown)
    and `fenced run --all` through the same proxy, in round trips per cell.
Usage: .venv/bin/python bench/wan.py [--rtt 0.1] [--rate 10e6] [--runs 20] [--resets 20] [--only a,b,c,d,e]
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT / "bench"))

import build  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from tests.deploy.proxies import APP_NAME, HOST_RULES, RUNNER_NAME, Nginx, free_port  # noqa: E402
from tests.faultproxy import FaultProxy, wait_until  # noqa: E402
from tests.runner.clisupport import FENCED, clean_env  # noqa: E402
from tests.runner.support import RunnerProcess, ensure_proto  # noqa: E402

from fenced.static import serving  # noqa: E402
from run_all import RUN_ALL_JS, book  # noqa: E402
from ui_run import BIG_JS, FIRST_GLYPH_JS, SEQ_BYTES  # noqa: E402

HI = '```sh {"name":"hi"}\necho hi\n```\n'
SEQ = '```sh {"name":"seq","interactive":"false"}\nseq 1 2000000\n```\n'
# printable output that compresses least: base64 text of random bytes
RANDOM = '```sh {"name":"random","interactive":"false"}\nhead -c 3000000 /dev/urandom | base64 -w 76\n```\n'
RANDOM_BYTES = 4_052_632  # 4,000,000 base64 characters and 52,632 newlines
FLOW_LINES = 300_000
FLOW = (  # 1,000 lines every 0.2 s for a minute
    '```sh {"name":"flow","interactive":"false"}\n'
    "for b in $(seq 0 299); do seq $((b * 1000 + 1)) $((b * 1000 + 1000)); sleep 0.2; done\n```\n"
)
TWELVE = "\n".join(
    f'```sh {{"name":"c{i}","background":"true"}}\nfor j in $(seq 1 20); do echo {i}-$j; sleep 0.05; done\n```\n'
    for i in range(1, 13)
)
TLS_FLAGS = [*CHROMIUM_FLAGS, "--ignore-certificate-errors", f"--host-resolver-rules={HOST_RULES}"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Requests:
    """Requests to the runner as the DevTools protocol sees them (CORS preflights included)."""

    def __init__(self, page: Any) -> None:
        self.seen: list[str] = []
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        request = event["request"]
        if "RunnerService/" in request["url"]:
            kind = "preflight " if event.get("type") == "Preflight" or request["method"] == "OPTIONS" else ""
            self.seen.append(kind + request["url"].rsplit("/", 1)[1])

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


def open_page(browser: Any, app_url: str, runner_url: str, token: str, doc: str, name: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app_url}?runner={urllib.parse.quote(runner_url, safe=':/')}#token={token}")
    page.wait_for_selector("#runner-status[data-runner-state='connected']", timeout=120_000)
    page.evaluate("([t, n]) => window.fencedShowText(t, n)", [doc, name])
    page.wait_for_selector("#notebook[data-view-state='idle']", timeout=60_000)
    return page


def click_to_glyph(page: Any) -> float:
    ms = page.evaluate(FIRST_GLYPH_JS, ["hi", "hi"])
    page.wait_for_selector(".cell[data-cell-name='hi'][data-exit-code='0']", timeout=60_000)
    return ms


def bench_glyph(browser: Any, app_url: str, runner: RunnerProcess, args: argparse.Namespace) -> None:
    with FaultProxy(("127.0.0.1", runner.port), rtt=args.rtt) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        page = browser.new_page()
        requests = Requests(page)
        page.goto(f"{app_url}?runner={urllib.parse.quote(url, safe=':/')}#token={runner.token}")
        page.wait_for_selector("#runner-status[data-runner-state='connected']", timeout=120_000)
        page.evaluate("([t, n]) => window.fencedShowText(t, n)", [HI, "wan-hi.md"])
        page.wait_for_selector("#notebook[data-view-state='idle']", timeout=60_000)
        requests.take()
        conns = proxy.connections_opened
        first = click_to_glyph(page)
        print(
            f"(a) first click of a fresh page: {first:.0f} ms; requests {requests.take()}, "
            f"{proxy.connections_opened - conns} new TCP connection(s)"
        )
        for _ in range(3):
            click_to_glyph(page)
        times, sent, opened = [], [], 0
        for _ in range(args.runs):
            time.sleep(args.pause)
            requests.take()
            conns = proxy.connections_opened
            times.append(click_to_glyph(page))
            opened += proxy.connections_opened - conns
            sent.append(" + ".join(requests.take()))
        rtt_ms = args.rtt * 1000
        median = statistics.median(times)
        print(
            f"(a) click 'Run cell' -> first glyph, `echo hi`, RTT {rtt_ms:.0f} ms, {args.runs} clicks "
            f"{args.pause:g} s apart: median {median:.0f} ms (= {median / rtt_ms:.2f} RTT), "
            f"p90 {pct(times, 90):.0f}, min {min(times):.0f}, max {max(times):.0f} ms; "
            f"target <= {rtt_ms + 60:.0f} ms"
        )
        shapes = sorted(set(sent), key=sent.count, reverse=True)
        print(
            f"    requests per click: {[(s, sent.count(s)) for s in shapes]}; new TCP connections: {opened}"
        )
        page.close()


RANDOM_JS = """async () => {
  const cell = document.querySelector(`.cell[data-cell-name='random']`);
  const t0 = performance.now();
  cell.querySelector('[data-run="run"]').click();
  await new Promise((resolve) => {
    let started = false;
    const check = () => {
      started = started || cell.dataset.state === 'running';
      if (started && cell.dataset.exitCode !== undefined) resolve(); else setTimeout(check, 20);
    };
    check();
  });
  const text = cell.querySelector('[data-output-text]').textContent;
  return {ms: performance.now() - t0, exit: cell.dataset.exitCode, textLength: text.length};
}"""


def bench_throughput(browser: Any, app_url: str, runner: RunnerProcess, args: argparse.Namespace) -> None:
    with FaultProxy(("127.0.0.1", runner.port), rtt=args.rtt, rate=args.rate) as proxy:
        doc = SEQ + "\n" + RANDOM
        page = open_page(browser, app_url, f"http://127.0.0.1:{proxy.port}", runner.token, doc, "wan-seq.md")
        link = args.rate / 8 / 1e6  # MB/s
        where = f"at {args.rate / 1e6:g} Mbit/s, RTT {args.rtt * 1000:.0f} ms"
        for _ in range(args.big_runs):
            wire = proxy.down.bytes
            r = page.evaluate(BIG_JS, "seq")
            wire = proxy.down.bytes - wire
            ok = r["exit"] == "0" and r["textTail"].endswith("2000000\n") and r["textLength"] == SEQ_BYTES
            print(
                f"(b) `seq 1 2000000` ({SEQ_BYTES / 1e6:.1f} MB) {where}: "
                + _rates(SEQ_BYTES, wire, r["ms"], link, ok)
            )
        wire = proxy.down.bytes
        r = page.evaluate(RANDOM_JS)
        wire = proxy.down.bytes - wire
        ok = r["exit"] == "0" and r["textLength"] == RANDOM_BYTES
        print(
            f"(b) base64 of 3 MB of random bytes ({RANDOM_BYTES / 1e6:.1f} MB) {where}: "
            + _rates(RANDOM_BYTES, wire, r["ms"], link, ok)
        )
        page.close()


def _rates(size: int, wire: int, ms: float, link: float, ok: bool) -> str:
    seconds = ms / 1000
    goodput = size / 1e6 / seconds
    used = wire / 1e6 / seconds
    return (
        f"{seconds:.1f} s, output at {goodput:.2f} MB/s = {100 * goodput / link:.0f} % of the link "
        f"({link:.2f} MB/s); {wire / 1e6:.1f} MB on the wire ({wire / size:.2f} x the output), the link "
        f"{100 * used / link:.0f} % busy; output {'complete' if ok else 'WRONG'}"
    )


STATE_JS = "() => document.querySelector('#runner-status').dataset.runnerReason || ''"


def bench_resets(browser: Any, app_url: str, runner: RunnerProcess, args: argparse.Namespace) -> None:
    with FaultProxy(("127.0.0.1", runner.port), rtt=args.rtt) as proxy:
        page = open_page(
            browser, app_url, f"http://127.0.0.1:{proxy.port}", runner.token, FLOW, "wan-flow.md"
        )
        page.locator(".cell[data-cell-name='flow']").get_by_role("button", name="Run cell").click()
        text = "() => document.querySelector(`.cell[data-cell-name='flow'] [data-output-text]`).textContent"
        shown, cuts, mid, to_show = 0, 0, 0, []
        for _ in range(args.resets):
            length = page.evaluate(text).count("\n")
            if length >= FLOW_LINES:
                break
            # a reset while output flows: wait for some more lines first
            wait_until(lambda length=length: page.evaluate(text).count("\n") > length + 500, timeout=60)
            mid += page.evaluate(text).count("\n") < FLOW_LINES
            proxy.refuse = True
            cuts += proxy.reset()
            began = time.monotonic()
            saw = None
            while time.monotonic() - began < args.outage:
                if saw is None and page.evaluate(STATE_JS) == "lost":
                    saw = time.monotonic() - began
                time.sleep(0.02)
            if saw is not None:
                shown += 1
                to_show.append(saw)
            proxy.refuse = False
            wait_until(lambda: page.evaluate(STATE_JS) != "lost", timeout=60)
        page.wait_for_selector(".cell[data-cell-name='flow'][data-exit-code='0']", timeout=300_000)
        out = page.evaluate(text)
        expected = "".join(f"{i}\n" for i in range(1, FLOW_LINES + 1))
        lines = out.splitlines()
        print(
            f"(c) {args.resets} resets ({mid} mid-output, {cuts} connections cut, new ones refused for "
            f"{args.outage:g} s each) during {FLOW_LINES:,} lines: output "
            f"{'byte-exact' if out == expected else 'WRONG'} ({len(out):,} bytes, {len(lines) - len(set(lines))} "
            f"duplicate lines); 'reconnecting' shown during {shown} of {args.resets} outages, "
            f"{1000 * statistics.median(to_show or [0]):.0f} ms (median) after the reset"
        )
        page.close()


def count_connections(browser: Any, app_url: str, runner_url: str, token: str, proxy: FaultProxy) -> str:
    before = proxy.connections_opened
    page = open_page(browser, app_url, runner_url, token, TWELVE, "wan-twelve.md")
    requests = Requests(page)
    for i in range(1, 13):
        page.locator(f".cell[data-cell-name='c{i}']").get_by_role("button", name="Run cell").click()
    for i in range(1, 13):
        page.wait_for_selector(f".cell[data-cell-name='c{i}'][data-exit-code='0']", timeout=120_000)
    seen = requests.take()
    opened = proxy.connections_opened - before
    page.close()
    return f"{opened} TCP connection(s); requests: {len(seen)} ({seen.count('Watch')} Watch)"


def bench_connections(
    browser: Any, tls_browser: Any, dist: Path, app_url: str, args: argparse.Namespace
) -> None:
    origin = app_url.rstrip("/")
    with RunnerProcess("--allow-origin", origin, "--allow-host", "127.0.0.1", "--quiet") as runner:
        with FaultProxy(("127.0.0.1", runner.port), rtt=args.rtt) as proxy:
            h1 = count_connections(browser, app_url, f"http://127.0.0.1:{proxy.port}", runner.token, proxy)
        print(f"(d) 12 background cells, HTTP/1.1 straight to the runner: {h1}")
    # HTTP/2: the app from nginx directly, the runner at https://runner.fenced.test:<fault proxy> -> nginx.
    with tempfile.TemporaryDirectory() as tmp:
        https_port = free_port()
        app_origin = f"https://{APP_NAME}:{https_port}"
        flags = ["--allow-origin", app_origin, "--allow-host", APP_NAME, "--allow-host", RUNNER_NAME]
        with (
            RunnerProcess(*flags, "--quiet") as runner,
            Nginx(Path(tmp), dist, runner.port, https_port=https_port) as nginx,
            FaultProxy(("127.0.0.1", nginx.site.https_port), rtt=args.rtt) as proxy,
        ):
            runner_url = f"https://{RUNNER_NAME}:{proxy.port}/"
            h2 = count_connections(tls_browser, nginx.site.app_url, runner_url, runner.token, proxy)
        print(f"(d) 12 background cells, HTTP/2 through nginx (TLS): {h2}")


def bench_run_all(browser: Any, app_url: str, runner: RunnerProcess, args: argparse.Namespace) -> None:
    """Run all is a round trip or more per cell wherever it runs from: each cell starts when the one
    before it is seen to have ended."""
    rtt_ms = args.rtt * 1000
    text = book("echo hi", args.cells)
    with FaultProxy(("127.0.0.1", runner.port), rtt=args.rtt) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        page = open_page(browser, app_url, url, runner.token, text, "wan-run-all.md")
        page.evaluate("(t) => { window.__expectTail = t; }", "hi\n")
        r = page.evaluate(RUN_ALL_JS, args.cells)
        page.close()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "wan-run-all.md"
            path.write_text(text)
            argv = [*FENCED, "run", str(path), "--all", "--runner", url, "--token", runner.token, "--quiet"]
            began = time.perf_counter()
            done = subprocess.run(
                argv, stdin=subprocess.DEVNULL, capture_output=True, env=clean_env(), check=False
            )
            cli_ms = (time.perf_counter() - began) * 1000
    ok = r["failed"] == 0 and r["complete"] == args.cells and done.returncode == 0
    per_page, per_cli = r["ms"] / args.cells, cli_ms / args.cells
    print(
        f"(e) Run all, {args.cells} x `echo hi`, RTT {rtt_ms:.0f} ms: page {r['ms'] / 1000:.2f} s "
        f"({per_page:.0f} ms = {per_page / rtt_ms:.2f} RTT a cell), `fenced run --all` {cli_ms / 1000:.2f} s "
        f"({per_cli:.0f} ms = {per_cli / rtt_ms:.2f} RTT a cell, its connect included); "
        f"{'all exited 0, output complete' if ok else 'FAILED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rtt", type=float, default=0.1, help="round-trip time in seconds (default 0.1)")
    parser.add_argument(
        "--rate", type=float, default=10e6, help="bandwidth cap in bit/s for (b) (default 10e6)"
    )
    parser.add_argument("--runs", type=int, default=20, help="clicks for (a)")
    parser.add_argument("--pause", type=float, default=6.0, help="seconds between the clicks of (a)")
    parser.add_argument("--big-runs", type=int, default=2, help="runs of (b)")
    parser.add_argument("--resets", type=int, default=20, help="resets for (c)")
    parser.add_argument(
        "--outage", type=float, default=1.5, help="seconds each reset refuses new connections"
    )
    parser.add_argument(
        "--compress",
        default="always",
        help="the runner's --compress (default always: as for a remote client)",
    )
    parser.add_argument("--cells", type=int, default=20, help="cells of (e)")
    parser.add_argument("--only", default="a,b,c,d,e", help="which parts to run (comma-separated)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    from playwright.sync_api import sync_playwright

    ensure_proto()
    dist = build.build(ROOT / "dist")
    with serving(dist) as app_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        # The fault proxy reaches the runner from 127.0.0.1: say what a remote client gets (gzip streams).
        with RunnerProcess(
            "--allow-origin",
            app_url.rstrip("/"),
            "--allow-host",
            "127.0.0.1",
            "--quiet",
            "--compress",
            args.compress,
        ) as runner:
            if "a" in parts:
                bench_glyph(browser, app_url, runner, args)
            if "b" in parts:
                bench_throughput(browser, app_url, runner, args)
            if "c" in parts:
                bench_resets(browser, app_url, runner, args)
            if "e" in parts:
                bench_run_all(browser, app_url, runner, args)
        if "d" in parts:
            tls_browser = pw.chromium.launch(executable_path=chromium_path(), args=TLS_FLAGS, headless=True)
            bench_connections(browser, tls_browser, dist, app_url, args)
            tls_browser.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
