"""The page's "Run history" panel (issue 15): every execution of this document in this browser -- cell,
runner origin, start time, duration, exit code, first and last lines of output -- kept per document
across reloads, cleared on request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import cells_md, connect, origin, run, runner, wait_exit
from tests.browser.test_files_save import open_from_disk
from tests.browser.view_support import header_action
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

RUNBOOK = cells_md(
    ("count", "seq 1 10", {"interactive": "false"}),
    ("fail", "echo broken >&2; exit 4"),
)


def rows(page: Any) -> Any:
    return page.get_by_role("dialog", name="Run history").locator("tr[data-history-record]")


def test_run_history_per_document_across_reloads(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    open_from_disk(page, "h/ops.md", RUNBOOK.encode())
    run(page, "count")
    wait_exit(page, "count", 0)
    run(page, "fail")
    wait_exit(page, "fail", 4)
    run(page, "count")
    wait_exit(page, "count", 0)

    header_action(page, "Run history")
    dialog = page.get_by_role("dialog", name="Run history")
    expect(dialog).to_be_visible()
    expect(rows(page)).to_have_count(3)
    newest, failed = rows(page).nth(0), rows(page).nth(1)
    assert newest.locator("td").nth(0).inner_text() == "count"
    assert newest.locator("td").nth(1).inner_text() == origin(runner.url)
    assert newest.locator("td").nth(4).inner_text() == "exit 0"
    assert newest.locator("pre").inner_text() == "1\n2\n3\n… 4 lines …\n8\n9\n10"
    assert newest.locator("time").get_attribute("datetime")
    assert re.fullmatch(r"\d+ ms|\d+(\.\d+)? s", newest.locator("td").nth(3).inner_text())
    assert failed.get_attribute("data-exit-code") == "4" and "broken" in failed.locator("pre").inner_text()
    dialog.get_by_role("button", name="Close").click()

    # Kept across a reload (the re-attached session's replay is not recorded twice); another document
    # has its own.
    page.reload()
    connect(page, app_url, runner)
    open_from_disk(page, "h/ops.md", RUNBOOK.encode())
    page.wait_for_selector("#notebook .cell[data-cell-name='count'][data-exit-code='0']")
    header_action(page, "Run history")
    expect(rows(page)).to_have_count(3)
    dialog.get_by_role("button", name="Close").click()
    open_from_disk(page, "h/other.md", RUNBOOK.encode())
    header_action(page, "Run history")
    expect(rows(page)).to_have_count(0)
    expect(dialog).to_contain_text("No cell of this document has run")
    dialog.get_by_role("button", name="Close").click()

    open_from_disk(page, "h/ops.md", RUNBOOK.encode())
    header_action(page, "Run history")
    expect(rows(page)).to_have_count(3)
    dialog.get_by_role("button", name="Clear history").click()
    expect(rows(page)).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('fenced.run-history:'))") == []


def test_a_long_output_is_summarised_from_its_ends(page: Any, app_url: str, runner: RunnerProcess) -> None:
    """A long output's record is made from its ends, read in JS (the page no longer reads all of it into
    Python at the exit): the same first and last lines and count of the lines between, on a PTY and on
    pipes, with blank lines and a progress bar's carriage returns at the end."""
    tail = r"printf 'step 1\rstep 2\rdone\n\n\n'"
    runbook = cells_md(
        ("pty", f"seq 1 30000; {tail}"),
        ("pipes", f"seq 1 30000; {tail}", {"interactive": "false"}),
    )
    connect(page, app_url, runner)
    open_from_disk(page, "h/long.md", runbook.encode())
    for name in ("pty", "pipes"):
        run(page, name)
        wait_exit(page, name, 0)
    header_action(page, "Run history")
    expect(rows(page)).to_have_count(2)
    for i in range(2):
        assert (
            rows(page).nth(i).locator("pre").inner_text() == "1\n2\n3\n… 29995 lines …\n29999\n30000\ndone 2"
        )
