"""A document's identity is the file, not its name (issue 11, items 2 and 9): two files called README.md
never share a session or outputs, the same file opened again gets its own back, and a saved run is matched
to its cell by the cell's identity, never by position (a new, unsaved cell's output never lands on a
neighbour, such as a sample block, after a reload)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import opfs_write, stub_open_picker, wait_cells
from tests.browser.run_support import cell, connect, output_text, run, runner, wait_exit, wait_runner_state
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

A = '# Project A\n\n```sh {"name":"build"}\nexport MARK=from-a; echo built-A\n```\n'
B = '# Project B\n\n```sh {"name":"build"}\necho "B sees [$MARK]"\n```\n'


def open_picked(page: Any, path: str, cells: int) -> None:
    stub_open_picker(page, path)
    page.locator(".app-header").get_by_role("button", name="Open", exact=True).click()
    expect(page.locator("#doc-name")).to_contain_text("README.md")
    wait_cells(page, cells)


def test_two_files_with_the_same_name_never_share_run_state(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    opfs_write(page, "a/README.md", A.encode())
    opfs_write(page, "b/README.md", B.encode())
    open_picked(page, "a/README.md", 2)
    run(page, "build")
    wait_exit(page, "build", 0)
    assert output_text(page, "build") == "built-A\n"

    page.reload()
    wait_ready(page)
    wait_runner_state(page, "connected")
    open_picked(page, "b/README.md", 2)
    expect(page.locator("#notebook")).to_contain_text("Project B")
    # B's cell shows nothing of A's run: no output, no exit code.
    expect(cell(page, "build")).not_to_have_attribute("data-exit-code", "0")
    assert "built-A" not in (page.locator("#notebook").text_content() or "")
    # And B runs in a session of its own: A's variable is not there.
    run(page, "build")
    wait_exit(page, "build", 0)
    assert output_text(page, "build") == "B sees []\n"

    # The same file opened again finds its own run.
    page.reload()
    wait_ready(page)
    wait_runner_state(page, "connected")
    open_picked(page, "a/README.md", 2)
    expect(page.locator("#notebook")).to_contain_text("Project A")
    wait_exit(page, "build", 0)
    assert output_text(page, "build") == "built-A\n"


SAMPLES = '```sh {"name":"first"}\necho first\n```\n\n```text\nsample output, not a command\n```\n'


def test_a_new_cells_output_never_lands_on_a_neighbour(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    opfs_write(page, "c/steps.md", SAMPLES.encode())
    stub_open_picker(page, "c/steps.md")
    page.locator(".app-header").get_by_role("button", name="Open", exact=True).click()
    wait_cells(page, 2)
    # "+ Code" below the first cell (B in command mode), unsaved; type a command and run it.
    cell(page, "first").locator(".cell-lang").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    new = page.locator("#notebook .cell-code").nth(1)
    new.locator(".cell-source").click()
    page.keyboard.type("echo new-output")
    new.get_by_role("button", name="Run cell").click()
    page.wait_for_selector("#notebook .cell-code[data-exit-code='0'] >> text=new-output")

    # Switch to another file and back: the new cell still shows its own output, and only it.
    opfs_write(page, "c/other.md", b"# Other\n")
    stub_open_picker(page, "c/other.md")
    page.locator(".app-header").get_by_role("button", name="Open", exact=True).click()
    expect(page.locator("#doc-name")).to_contain_text("other.md")
    editors = page.get_by_role("region", name="Open editors")
    editors.get_by_role("button", name="steps.md", exact=True).click()
    expect(page.locator("#doc-name")).to_contain_text("steps.md")
    new = page.locator("#notebook .cell-code").nth(1)
    expect(new.locator("[data-output-text]")).to_have_text("new-output\n")
    expect(page.locator("#notebook .cell-code[data-cell-role='sample']")).not_to_have_attribute(
        "data-exit-code", "0"
    )

    # Reload: the file on disk has no new cell; its output shows nowhere (the sample block at its
    # position, in particular), and the saved first cell is untouched.
    page.on("dialog", lambda d: d.accept())
    page.reload()
    wait_ready(page)
    wait_runner_state(page, "connected")
    stub_open_picker(page, "c/steps.md")
    page.locator(".app-header").get_by_role("button", name="Open", exact=True).click()
    wait_cells(page, 2)
    sample = page.locator("#notebook .cell-code[data-cell-role='sample']")
    expect(sample).to_have_count(1)
    expect(sample).not_to_have_attribute("data-exit-code", "0")
    assert "new-output" not in (page.locator("#notebook").text_content() or "")
    expect(cell(page, "first")).not_to_have_attribute("data-exit-code", "0")
