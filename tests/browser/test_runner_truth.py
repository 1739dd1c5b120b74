"""Connection truth (issue 11, item 7): what the page says about its runner is what is so. A restarted
runner is "connected" again within 3 s of being back, and the session it lost is reported on its cells
once; while the runner is down, a running cell says it waits for the runner instead of counting; after a
reload, a running cell's elapsed time counts from its start on the runner."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    TIMEOUT_MS,
    cell,
    cells_md,
    connect,
    open_doc,
    origin,
    run,
    wait_exit,
    wait_output,
    wait_runner_state,
    wait_state,
)
from tests.browser.runner_ui_support import elapsed_seconds
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser

LOST = "the runner no longer has this session"


def runner_args(app_url: str) -> list[str]:
    return ["--allow-origin", origin(app_url), "--stop-grace", "0.5", "--quiet"]


@pytest.fixture()
def own_runner(app_url: str) -> Iterator[RunnerProcess]:
    """A runner of this test's own (the test kills it)."""
    proc = RunnerProcess(*runner_args(app_url))
    try:
        yield proc
    finally:
        proc.terminate(signal.SIGKILL)
        for orphan in proc.marked_processes():  # cells a killed runner left behind
            orphan.kill()


def wait_for(flag: Path) -> str:
    return f"echo waiting\nwhile [ ! -e {flag} ]; do sleep 0.05; done\necho done"


def state_text(page: Any, name: str) -> Any:
    return cell(page, name).locator(".run-state")


def test_after_a_runner_restart_connected_within_3s_and_the_lost_session_is_said_once(
    page: Any, app_url: str, own_runner: RunnerProcess, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    doc = cells_md(("long", wait_for(flag)), ("short", "echo short"))
    connect(page, app_url, own_runner)
    open_doc(page, doc, "restart.md")
    run(page, "short")
    wait_exit(page, "short", 0)
    run(page, "long")
    wait_output(page, "long", "waiting\n")

    own_runner.terminate(signal.SIGKILL)  # the runner dies with the session (its cell is orphaned)
    expect(state_text(page, "long")).to_contain_text("Waiting for runner", timeout=TIMEOUT_MS)
    expect(page.locator("#runner-status")).not_to_have_attribute("data-runner-state", "connected")
    back = RunnerProcess(*runner_args(app_url), "--port", str(own_runner.port), token=own_runner.token)
    try:
        wait_runner_state(page, "connected", timeout_ms=3_000)
        wait_state(page, "long", "failed")
        expect(state_text(page, "long")).to_contain_text(LOST)
        lost_notices = page.locator("[data-message-key='runner-session-lost']")
        expect(lost_notices).to_have_count(1)
        expect(lost_notices).to_contain_text(origin(back.url))
        assert cell(page, "short").get_attribute("data-exit-code") == "0"  # finished output stays
        # The next run gets a new session on the new runner, and nothing is said again.
        run(page, "short")
        wait_exit(page, "short", 0)
        expect(lost_notices).to_have_count(1)
        assert cell(page, "long").locator(".cell-output").text_content().count(LOST) == 1
    finally:
        flag.touch()
        back.terminate()


def test_a_running_cell_waits_for_an_unreachable_runner_instead_of_counting(
    page: Any, app_url: str, own_runner: RunnerProcess, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    connect(page, app_url, own_runner)
    open_doc(page, cells_md(("long", wait_for(flag))), "down.md")
    run(page, "long")
    wait_output(page, "long", "waiting\n")
    expect(state_text(page, "long")).to_have_text("Running")
    own_runner.terminate(signal.SIGKILL)
    expect(state_text(page, "long")).to_contain_text("Waiting for runner", timeout=TIMEOUT_MS)
    long = cell(page, "long")
    assert long.get_attribute("data-state") == "running"  # it may well still run: nobody knows
    assert long.get_attribute("data-waiting") == "true"
    assert elapsed_seconds(long.locator(".run-meta").text_content() or "") is None  # no ticking clock
    # The trouble is said where it is seen, not only in the header.
    banner = page.locator("[data-message-key='runner-trouble']")
    expect(banner).to_be_visible(timeout=TIMEOUT_MS)
    expect(banner).to_contain_text(origin(own_runner.url))
    flag.touch()


def test_after_a_reload_elapsed_time_counts_from_the_start_on_the_runner(
    page: Any, app_url: str, own_runner: RunnerProcess, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    doc = cells_md(("long", wait_for(flag)))
    connect(page, app_url, own_runner)
    open_doc(page, doc, "elapsed.md")
    run(page, "long")
    meta = cell(page, "long").locator(".run-meta")
    page.wait_for_function(  # the cell has run for 2 s or more
        """(sel) => { const m = document.querySelector(sel);
            const s = m && /(\\d+(?:\\.\\d+)?) s\\b/.exec(m.textContent); return !!s && parseFloat(s[1]) >= 2; }""",
        arg="#notebook .cell[data-cell-name='long'] .run-meta",
        timeout=TIMEOUT_MS,
    )
    page.reload()
    wait_ready(page)
    wait_runner_state(page, "connected")
    open_doc(page, doc, "elapsed.md")
    wait_state(page, "long", "running")
    page.wait_for_function(
        "(sel) => { const m = document.querySelector(sel); return !!m && /\\d s\\b|\\d ms\\b/.test(m.textContent); }",
        arg="#notebook .cell[data-cell-name='long'] .run-meta",
        timeout=TIMEOUT_MS,
    )
    shown = elapsed_seconds(meta.text_content() or "")
    assert shown is not None and shown >= 2, meta.text_content()
    flag.touch()
    wait_exit(page, "long", 0)
