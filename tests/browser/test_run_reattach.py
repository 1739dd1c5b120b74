"""Reload the page, or lose the network, while cells run: the page re-attaches to its runner session and
shows the whole output, each line once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    TcpProxy,
    cell,
    cells_md,
    connect,
    open_doc,
    origin,
    output_text,
    run,
    runner,
    terminal_lines,
    wait_exit,
    wait_output,
    wait_runner_state,
    wait_state,
)
from tests.browser.view_support import header_action
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

COUNT = "for i in $(seq 50); do echo $i; sleep 0.1; done"
EXPECTED = "".join(f"{i}\n" for i in range(1, 51))


def test_reload_while_running_replays_every_line_once(page: Any, app_url: str, runner: RunnerProcess) -> None:
    doc = cells_md(("count", COUNT), ("done-before", "echo earlier"))
    connect(page, app_url, runner)
    open_doc(page, doc, "counting.md")
    run(page, "done-before")
    wait_exit(page, "done-before", 0)
    run(page, "count")
    wait_output(page, "count", "3\n")
    page.reload()
    wait_ready(page)
    wait_runner_state(page, "connected")
    open_doc(page, doc, "counting.md")  # the same document again
    wait_exit(page, "count", 0, timeout_ms=60_000)
    assert output_text(page, "count") == EXPECTED
    assert [line for line in terminal_lines(page, "count") if line] == [str(i) for i in range(1, 51)]
    assert output_text(page, "done-before") == "earlier\n"  # finished cells come back too
    assert cell(page, "done-before").get_attribute("data-exit-code") == "0"


@pytest.fixture()
def tunnelled(app_url: str) -> Iterator[RunnerProcess]:
    """A runner reached through a proxy on another port: the proxy's Host is named with --allow-host."""
    flags = ("--allow-origin", origin(app_url), "--allow-host", "127.0.0.1", "--stop-grace", "0.5", "--quiet")
    with RunnerProcess(*flags) as proc:
        yield proc


def test_network_loss_while_running_loses_nothing(
    page: Any, app_url: str, tunnelled: RunnerProcess, tmp_path: Path
) -> None:
    runner = tunnelled
    flag = tmp_path / "go"
    script = f"echo before\nwhile [ ! -e {flag} ]; do sleep 0.05; done\nseq 1 200"
    proxy = TcpProxy(runner.port)  # the page reaches the runner only through this
    watches: list[str] = []
    page.on("request", lambda r: watches.append(r.url) if r.url.endswith("/Watch") else None)
    try:
        page.goto(f"{app_url}?runner=http://127.0.0.1:{proxy.port}#token={runner.token}")
        wait_ready(page)
        wait_runner_state(page, "connected")
        open_doc(page, cells_md(("gap", script)))
        run(page, "gap")
        wait_output(page, "gap", "before\n")
        with page.expect_request(lambda r: r.url.endswith("/Watch"), timeout=60_000):
            proxy.refuse = True
            proxy.cut()  # the network goes away, the open Watch stream with it
            flag.touch()  # the rest is written while the page cannot hear it
        # ... and the page has tried (and failed) to reconnect at least once
        wait_state(page, "gap", "running")
        proxy.refuse = False
        wait_exit(page, "gap", 0, timeout_ms=90_000)
    finally:
        proxy.close()
    assert output_text(page, "gap") == "before\n" + "".join(f"{i}\n" for i in range(1, 201))
    assert len(watches) >= 2  # the stream was cut and resumed from its cursor


@pytest.mark.parametrize("leave", ["reload", "close the tab"])
def test_leaving_right_after_run_all_keeps_every_run_and_record(
    context: Any, page: Any, app_url: str, runner: RunnerProcess, leave: str
) -> None:
    """The run state and the run history are written behind while a Run all goes fast (a write for many
    cells): what waits is written when the page goes away, so a reload, or a tab closed and the runbook
    opened again in a new one, at once loses no run to re-attach and no history record."""
    names = [f"step{i}" for i in range(8)]
    doc = cells_md(*((name, f"echo out-{name}") for name in names))
    connect(page, app_url, runner)
    open_doc(page, doc, "hurried.md")
    page.locator('[data-run-action="run-all"]').click()
    for name in names:
        wait_exit(page, name, 0)
    if leave == "reload":
        page.reload()  # at once: within the write-behind window of the last cells
        wait_ready(page)
        wait_runner_state(page, "connected")
    else:
        page.close()
        page = context.new_page()
        connect(page, app_url, runner)
    open_doc(page, doc, "hurried.md")
    for name in names:
        wait_exit(page, name, 0)  # every cell's run found again, none run again
        assert output_text(page, name) == f"out-{name}\n"
    header_action(page, "Run history")
    records = page.get_by_role("dialog", name="Run history").locator("tr[data-history-record]")
    expect(records).to_have_count(len(names))
