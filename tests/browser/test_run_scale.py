"""Long runbooks with output (issue 17): live terminals only on or near the screen, output kept as bytes
and replayed when a cell comes back, a per-cell cap with a visible "Output truncated … Open full output"
control, and the plain text complete up to that cap."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    TIMEOUT_MS,
    cell,
    cells_md,
    open_doc,
    output_text,
    runner,
    wait_exit,
    wait_runner_state,
)
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

CELLS = 40
LIVE_JS = "() => document.querySelectorAll('#notebook .cell .xterm').length"


def connect_with(page: Any, app_url: str, runner: RunnerProcess, query: str = "") -> None:
    page.goto(f"{app_url}?runner={urllib.parse.quote(runner.url, safe=':/')}{query}#token={runner.token}")
    wait_ready(page)
    wait_runner_state(page, "connected")


def drawn_on_screen(page: Any, name: str, plain: str, green: str) -> None:
    """Scroll the cell's output into view until its terminal draws `plain` and `green` (in a colour of
    its own). The cells around it get their real height only near the screen, so a scroll may need
    repeating; nothing here makes a terminal live but the page's own observer."""
    page.wait_for_function(
        """([name, plain, green]) => {
          const h = document.querySelector(`#notebook .cell[data-cell-name='${name}'] .run-terminal`);
          const r = h.getBoundingClientRect();
          if (r.top < 0 || r.bottom > innerHeight) { h.scrollIntoView({block: 'center'}); return false; }
          const rows = h.querySelector('.xterm-rows');
          if (!rows || !rows.textContent.includes(plain)) return false;
          return [...rows.querySelectorAll('span')].some((s) => s.textContent === green
            && (s.className.includes('xterm-fg-2') || s.style.color));
        }""",
        arg=[name, plain, green],
        timeout=TIMEOUT_MS,
    )


def run_all(page: Any, cells: int) -> None:
    page.locator('[data-run-action="run-all"]').click()
    page.wait_for_function(
        "(n) => document.querySelectorAll('#notebook .cell[data-exit-code]').length >= n",
        arg=cells,
        timeout=120_000,
    )


def test_run_all_keeps_live_terminals_near_the_screen_only_and_replays_on_scroll(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect_with(page, app_url, runner)
    book = cells_md(
        *((f"c{i}", f"printf 'out-{i}\\n'; printf '\\033[32mgreen-{i}\\033[0m\\n'") for i in range(CELLS))
    )
    open_doc(page, book)
    run_all(page, CELLS)
    for i in range(CELLS):  # every cell's plain text is complete, whether or not it had a live terminal
        assert output_text(page, f"c{i}") == f"out-{i}\ngreen-{i}\n"
        wait_exit(page, f"c{i}", 0)
    page.wait_for_function(f"({LIVE_JS})() > 0", timeout=TIMEOUT_MS)  # the observer's next frame
    live = page.evaluate(LIVE_JS)
    assert live < CELLS // 2, live  # a few on screen, not one per cell

    # Back on screen: a terminal again, drawing what the cell wrote, colours included.
    drawn_on_screen(page, f"c{CELLS - 1}", f"out-{CELLS - 1}", f"green-{CELLS - 1}")
    first = cell(page, "c0")
    expect(first.locator(".xterm")).to_have_count(0, timeout=TIMEOUT_MS)  # scrolled far away: gone
    assert output_text(page, "c0") == "out-0\ngreen-0\n"
    drawn_on_screen(page, "c0", "out-0", "green-0")


def test_output_past_the_cap_is_announced_and_opens_in_full(
    page: Any, context: Any, app_url: str, runner: RunnerProcess
) -> None:
    cap = 100_000
    connect_with(page, app_url, runner, f"&output-cap={cap}")
    open_doc(page, cells_md(("big", "seq 1 50000", {"interactive": "false"}), ("small", "echo small")))
    cell(page, "big").get_by_role("button", name="Run cell").click()
    wait_exit(page, "big", 0)
    text = output_text(page, "big")
    full = "".join(f"{i}\n" for i in range(1, 50001))
    assert text == full[:cap]  # complete up to the cap, to the byte
    notice = cell(page, "big").locator("[data-output-truncated]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"Output truncated, {len(full) / 1e6:.1f} MB")
    lines = page.evaluate(
        "async () => { const t = document.querySelector(\"#notebook .cell[data-cell-name='big'] .run-terminal\")"
        ".fencedTerminal; await t.flushed(); return t.lines().filter((l) => l); }"
    )
    assert lines[-1] == full[:cap].split("\n")[-1]  # the terminal too stops at the cap
    with context.expect_page(timeout=TIMEOUT_MS) as opened:
        notice.get_by_role("button", name="Open full output").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.evaluate("() => document.body.innerText").rstrip("\n") == full.rstrip("\n")

    cell(page, "small").get_by_role("button", name="Run cell").click()  # under the cap: no notice
    wait_exit(page, "small", 0)
    assert output_text(page, "small") == "small\n"
    expect(cell(page, "small").locator("[data-output-truncated]")).to_have_count(0)

    cell(page, "big").get_by_role("button", name="Run cell").click()  # a new run: one notice, fresh figures
    wait_exit(page, "big", 0)
    expect(cell(page, "big").locator("[data-output-truncated]")).to_have_count(1)
    assert output_text(page, "big") == full[:cap]
