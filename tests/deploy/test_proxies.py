"""The app and a runner behind the shipped nginx and Caddy recipes (TLS, HTTP/2), driven by Chromium.

Each proxy serves both layouts from one file: the runner under a path prefix on the app's origin
(https://fenced.test:P/runner/) and on an origin of its own (https://runner.fenced.test:P/).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.browser.run_support import (
    cells_md,
    open_doc,
    output_text,
    run,
    terminal_lines,
    wait_exit,
    wait_output,
    wait_runner_state,
)
from tests.conftest import wait_ready
from tests.deploy.conftest import Stack, start_stack

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000


class Wire:
    """What the page sent to the runner: the HTTP version of each response (from the DevTools protocol)
    and every Watch request."""

    def __init__(self, page: Any) -> None:
        self.protocols: dict[str, set[str]] = {}
        self.watches: list[str] = []
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._response)
        cdp.send("Network.enable")
        page.on("request", lambda r: self.watches.append(r.url) if r.url.endswith("/Watch") else None)

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if "/fenced.runner.v1.RunnerService/" in response["url"]:
            self.protocols.setdefault(response["url"].rsplit("/", 1)[1], set()).add(
                response.get("protocol", "")
            )


def open_app(page: Any, stack: Stack, runner_url: str) -> None:
    site = stack.site
    page.goto(f"{site.app_url}?runner={urllib.parse.quote(runner_url, safe=':/')}#token={stack.runner.token}")
    wait_ready(page, TIMEOUT_MS)
    wait_runner_state(page, "connected", TIMEOUT_MS)


@pytest.mark.parametrize("layout", ["prefix", "separate"])
def test_open_a_runbook_and_run_a_cell_over_http2(tls_page: Any, stack: Stack, layout: str) -> None:
    site = stack.site
    url = site.prefix_runner_url if layout == "prefix" else site.separate_runner_url
    wire = Wire(tls_page)
    open_app(tls_page, stack, url)
    open_doc(tls_page, cells_md(("hello", "echo hello from $((6 * 7))")), "proxied.md")
    run(tls_page, "hello")
    wait_exit(tls_page, "hello", 0, TIMEOUT_MS)
    assert output_text(tls_page, "hello") == "hello from 42\n"
    assert {"GetInfo", "Start", "Watch"} <= set(wire.protocols)
    assert set().union(*wire.protocols.values()) == {"h2"}, wire.protocols
    assert all(u.startswith(url.rstrip("/") + "/fenced.runner.v1.RunnerService/") for u in wire.watches)


def test_twelve_background_cells_stream_at_once_and_finish_whole(
    tls_page: Any, stack: Stack, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    names = [f"bg-{i}" for i in range(1, 13)]
    script = 'echo "start {i}"\nwhile [ ! -e {flag} ]; do sleep 0.05; done\nseq 1 3000 | sed "s/^/{i}:/"'
    doc = cells_md(
        *[(n, script.format(i=i, flag=flag), {"background": "true"}) for i, n in enumerate(names, 1)]
    )
    wire = Wire(tls_page)
    open_app(tls_page, stack, stack.site.separate_runner_url)
    open_doc(tls_page, doc, "twelve.md")
    for name in names:
        run(tls_page, name)
    for i, name in enumerate(names, 1):  # every cell streams while all twelve run
        wait_output(tls_page, name, f"start {i}\n", TIMEOUT_MS)
    flag.touch()
    for i, name in enumerate(names, 1):
        wait_exit(tls_page, name, 0, TIMEOUT_MS)
        assert output_text(tls_page, name) == f"start {i}\n" + "".join(f"{i}:{n}\n" for n in range(1, 3001))
    assert set().union(*wire.protocols.values()) == {"h2"}, wire.protocols
    assert len(wire.watches) == 1  # one stream carried all twelve


def test_reload_mid_run_reattaches_byte_exact(tls_page: Any, stack: Stack) -> None:
    count = "for i in $(seq 40); do printf 'line %03d\\n' $i; sleep 0.1; done"
    doc = cells_md(("count", count))
    open_app(tls_page, stack, stack.site.prefix_runner_url)
    open_doc(tls_page, doc, "reload.md")
    run(tls_page, "count")
    wait_output(tls_page, "count", "line 003\n", TIMEOUT_MS)
    tls_page.reload()
    wait_ready(tls_page, TIMEOUT_MS)
    wait_runner_state(tls_page, "connected", TIMEOUT_MS)
    open_doc(tls_page, doc, "reload.md")
    wait_exit(tls_page, "count", 0, TIMEOUT_MS)
    expected = [f"line {i:03d}" for i in range(1, 41)]
    assert output_text(tls_page, "count") == "".join(f"{line}\n" for line in expected)
    assert [line for line in terminal_lines(tls_page, "count") if line] == expected


READ_TIMEOUT_S = 3
QUIET = f"echo before\nsleep {3 * READ_TIMEOUT_S + 1}\necho after"


@pytest.mark.parametrize(
    ("keepalive", "mechanism"), [("15", "resume"), ("1", "keepalive")], ids=["resume", "keepalive"]
)
def test_a_cell_quiet_for_three_read_timeouts_finishes_with_its_output(
    tls_page: Any, built_app: Path, tmp_path: Path, kind: str, keepalive: str, mechanism: str
) -> None:
    """The proxy's read timeout is 3 s and the cell is silent for 10 s. With the runner's keep-alive
    (15 s) above the timeout the proxy cuts the Watch and the page resumes it from its cursor; with a
    keep-alive below it (1 s) the stream stays open."""
    runner, proxy = start_stack(
        kind, built_app, tmp_path, "--quiet", "--keepalive", keepalive, read_timeout=f"{READ_TIMEOUT_S}s"
    )
    with runner, proxy:
        stack = Stack(kind, runner, proxy)
        wire = Wire(tls_page)
        open_app(tls_page, stack, stack.site.prefix_runner_url)
        open_doc(tls_page, cells_md(("quiet", QUIET)), "quiet.md")
        run(tls_page, "quiet")
        wait_output(tls_page, "quiet", "before\n", TIMEOUT_MS)
        watches_before = len(wire.watches)
        wait_exit(tls_page, "quiet", 0, TIMEOUT_MS)
        assert output_text(tls_page, "quiet") == "before\nafter\n"
        reconnects = len(wire.watches) - watches_before
        print(
            f"{kind}, read timeout {READ_TIMEOUT_S}s, keepalive {keepalive}s: {reconnects} Watch reconnect(s)"
        )
        if mechanism == "resume":
            assert reconnects >= 2  # cut at each read timeout, resumed each time
        else:
            assert reconnects == 0


@pytest.fixture(params=["nginx", "caddy"])
def kind(request: Any) -> str:
    return request.param
