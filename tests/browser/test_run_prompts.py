"""promptEnv dialogs, the command palette and the run keys (Shift/Ctrl/Alt+Enter)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    cell,
    cells_md,
    connect,
    open_doc,
    output_text,
    run,
    runner,
    wait_exit,
    wait_output,
)
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]


def test_prompt_for_an_empty_export_and_use_the_answer(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    doc = cells_md(
        ("greet", 'export NAME=\necho "hello $NAME"'),
        ("again", 'export NAME=""\necho "again $NAME"'),
        ("never", 'export OTHER=\necho "other=[$OTHER]"', {"promptEnv": "no"}),
    )
    connect(page, app_url, runner)
    open_doc(page, doc)
    run(page, "greet")
    dialog = page.get_by_role("dialog", name="Environment variables for greet")
    expect(dialog).to_be_visible()
    dialog.get_by_label("NAME").fill("World & 'friends'")
    dialog.get_by_role("button", name="Run").click()
    wait_exit(page, "greet", 0)
    assert output_text(page, "greet") == "hello World & 'friends'\n"
    run(page, "again")  # answered earlier in this session: no second prompt
    wait_exit(page, "again", 0)
    assert output_text(page, "again") == "again World & 'friends'\n"
    run(page, "never")  # promptEnv: no
    wait_exit(page, "never", 0)
    assert output_text(page, "never") == "other=[]\n"
    expect(dialog).to_be_hidden()


def test_cancelling_the_prompt_does_not_run(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    open_doc(page, cells_md(("hint", 'export TOKEN="<your token>"\necho "t=$TOKEN"')))
    run(page, "hint")
    dialog = page.get_by_role("dialog", name="Environment variables for hint")
    expect(dialog.get_by_label("TOKEN")).to_have_attribute("placeholder", "<your token>")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert cell(page, "hint").get_attribute("data-state") == "idle"


def test_palette_runs_a_cell_by_name(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    open_doc(page, cells_md(("first-one", "echo 1"), ("second-one", "echo 2")))
    page.keyboard.press("Control+Shift+P")
    palette = page.get_by_role("dialog", name="Command palette")
    field = palette.get_by_role("combobox", name="Command")
    expect(field).to_be_focused()
    field.fill("run second")
    expect(palette.get_by_role("option")).to_have_text(["Run cell: second-one"])
    field.press("Enter")
    wait_exit(page, "second-one", 0)
    assert output_text(page, "second-one") == "2\n"
    assert cell(page, "first-one").get_attribute("data-state") == "idle"


def test_run_keys(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    open_doc(page, cells_md(("a", "echo a"), ("b", "echo b"), ("c", "echo c")))
    cells = page.locator("#notebook .cell")

    def edit(name: str) -> None:
        cell(page, name).locator(".cell-source").click()
        expect(cell(page, name).locator(".cm-content")).to_be_focused()

    edit("a")
    page.keyboard.press("Shift+Enter")  # run and move on
    wait_exit(page, "a", 0)
    expect(cell(page, "b")).to_be_focused()
    edit("b")
    page.keyboard.press("Control+Enter")  # run in place
    wait_exit(page, "b", 0)
    expect(cell(page, "b").locator(".cm-content")).to_be_focused()
    edit("c")
    page.keyboard.press("Alt+Enter")  # run and insert a cell below
    wait_exit(page, "c", 0)
    expect(cells).to_have_count(4)
    assert output_text(page, "c") == "c\n"
    wait_output(page, "a", "a\n")
