"""Running cells in Chromium against a real runner at another origin: streaming output, stderr, exit
codes, Stop, keyboard input to a PTY, terminal width, Run all, env/cwd carry-over, background cells.

Scripts that must pause wait for a flag file the test creates, so nothing depends on timing.
"""

from __future__ import annotations

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
    output_text,
    run,
    runner,
    terminal_lines,
    wait_exit,
    wait_output,
    wait_state,
)
from tests.browser.view_support import cell_action, header_action
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]  # the fixture, imported for the tests of this module


def wait_for_flag(path: Path) -> str:
    return f"while [ ! -e {path} ]; do sleep 0.05; done"


def test_output_streams_stderr_is_distinct_and_exit_codes_show(
    page: Any, app_url: str, runner: RunnerProcess, tmp_path: Path
) -> None:
    flag = tmp_path / "go"
    doc = cells_md(
        ("stream", f"echo first\n{wait_for_flag(flag)}\necho second"),
        ("mixed", "echo out; echo oops >&2; exit 3", {"interactive": "false"}),
    )
    connect(page, app_url, runner)
    open_doc(page, doc)
    run(page, "stream")
    wait_output(page, "stream", "first\n")
    assert cell(page, "stream").get_attribute("data-state") == "running"
    assert "second" not in output_text(page, "stream")  # incremental: the rest has not been written yet
    expect(cell(page, "stream").locator(".run-status")).to_contain_text("pid")
    flag.touch()
    wait_exit(page, "stream", 0)
    assert output_text(page, "stream") == "first\nsecond\n"
    assert cell(page, "stream").get_attribute("data-state") == "succeeded"
    assert cell(page, "stream").get_attribute("data-pid")

    run(page, "mixed")
    wait_exit(page, "mixed", 3)
    mixed = cell(page, "mixed")
    assert mixed.get_attribute("data-state") == "failed"
    assert output_text(page, "mixed") == "out\noops\n"
    assert mixed.locator("[data-stderr-text]").text_content() == "oops\n"
    assert terminal_lines(page, "mixed")[:2] == ["out", "oops"]
    # stderr is drawn in red (xterm's palette colour 1), stdout in the default colour
    expect(mixed.locator(".xterm-rows .xterm-fg-1")).to_have_text("oops")
    expect(mixed.locator(".run-status")).to_contain_text("Exited 3")


def test_stop_a_long_command(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    open_doc(page, cells_md(("sleeper", "sleep 100"), ("other", "sleep 100")))
    stop = cell(page, "sleeper").get_by_role("button", name="Stop cell")
    expect(stop).to_be_disabled()
    run(page, "sleeper")
    wait_state(page, "sleeper", "running")
    expect(cell(page, "sleeper").get_by_role("button", name="Run cell")).to_be_disabled()
    stop.click()
    wait_exit(page, "sleeper", 130)
    assert cell(page, "sleeper").get_attribute("data-state") == "failed"
    expect(cell(page, "sleeper").locator(".run-status")).to_contain_text("SIGINT")
    expect(cell(page, "sleeper").get_by_role("button", name="Run cell")).to_be_enabled()
    run(page, "sleeper")
    run(page, "other")
    wait_state(page, "sleeper", "running")
    wait_state(page, "other", "running")
    header_action(page, "Stop all")
    wait_exit(page, "sleeper", 130)
    wait_exit(page, "other", 130)


def test_interactive_cell_reads_the_keyboard_and_follows_the_width(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    page.set_viewport_size({"width": 1200, "height": 800})
    connect(page, app_url, runner)
    open_doc(
        page, cells_md(("ask", "read -p 'name? ' n; echo hi $n"), ("size", "stty size; read x; stty size"))
    )
    run(page, "ask")
    wait_output(page, "ask", "name? ")
    cell(page, "ask").locator(".run-terminal").click()
    page.keyboard.type("bob")
    page.keyboard.press("Enter")
    wait_output(page, "ask", "hi bob")
    wait_exit(page, "ask", 0)
    assert output_text(page, "ask") == "name? bob\nhi bob\n"  # the PTY echoed what was typed

    run(page, "size")
    term = cell(page, "size").locator(".run-terminal")
    cols, rows = term.get_attribute("data-cols"), term.get_attribute("data-rows")
    wait_output(page, "size", f"{rows} {cols}\n")
    term.click()  # focus the terminal first (selecting the cell may shift the layout a little)
    page.set_viewport_size({"width": 700, "height": 800})
    expect(term).not_to_have_attribute("data-cols", cols, timeout=TIMEOUT_MS)
    narrower = term.get_attribute("data-cols")
    assert int(narrower) < int(cols)
    page.keyboard.press("Enter")
    wait_output(page, "size", f"{rows} {narrower}\n")
    wait_exit(page, "size", 0)


def test_run_all_stops_at_a_failure_unless_asked_to_continue(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    doc = cells_md(
        ("first", "echo one"),
        ("skipped", "echo never", {"excludeFromRunAll": "true"}),
        ("broken", "echo two; exit 4"),
        ("last", "echo three"),
    )
    connect(page, app_url, runner)
    open_doc(page, doc)
    run_all = page.get_by_role("button", name="Run all")
    run_all.click()
    wait_exit(page, "broken", 4)
    expect(page.locator(".message-error")).to_contain_text("Run all stopped: broken failed")
    expect(run_all).to_be_enabled()
    assert cell(page, "last").get_attribute("data-state") == "idle"
    assert cell(page, "skipped").get_attribute("data-state") == "idle"
    assert output_text(page, "first") == "one\n"

    page.get_by_role("button", name="More run actions").click()  # Run all's menu
    page.get_by_label("Continue after a failure").check()
    page.keyboard.press("Escape")
    run_all.click()
    wait_exit(page, "last", 0)
    assert output_text(page, "last") == "three\n"
    assert cell(page, "skipped").get_attribute("data-state") == "idle"


def test_env_and_cwd_carry_over_and_frontmatter_is_honoured(
    page: Any, app_url: str, runner: RunnerProcess, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    doc = cells_md(
        ("set", "export GREETING=hello; cd sub"),
        ("get", 'echo "$GREETING from $(pwd)"; echo "bash=${BASH_VERSION:+yes}"'),
        ("up", "pwd", {"cwd": ".."}),
        frontmatter=f"---\nshell: bash\ncwd: {tmp_path}\n---\n",
    )
    connect(page, app_url, runner)
    open_doc(page, doc)
    run(page, "set")
    wait_exit(page, "set", 0)
    run(page, "get")
    wait_exit(page, "get", 0)
    lines = output_text(page, "get").splitlines()
    assert lines[0] == f"hello from {tmp_path / 'sub'}" and lines[1] == "bash=yes"
    run(page, "up")
    wait_exit(page, "up", 0)
    assert Path(output_text(page, "up").strip()).resolve() == tmp_path.resolve()
    header_action(page, "Restart session")  # a fresh session: no GREETING, no cd
    expect(page.locator(".message")).to_contain_text("Started a new session")
    run(page, "get")
    wait_output(page, "get", f" from {tmp_path}\n")  # (its earlier run also exited 0: wait for the text)
    wait_exit(page, "get", 0)


def test_ten_background_cells_stream_at_once_over_one_watch(
    page: Any, app_url: str, runner: RunnerProcess, tmp_path: Path
) -> None:
    flag = tmp_path / "done"
    doc = cells_md(
        *[
            (f"bg{i}", f"echo start {i}\n{wait_for_flag(flag)}\necho end {i}", {"background": "true"})
            for i in range(10)
        ]
    )
    watches: list[str] = []
    page.on("request", lambda r: watches.append(r.url) if r.url.endswith("/Watch") else None)
    connect(page, app_url, runner)
    open_doc(page, doc)
    page.get_by_role("button", name="Run all")  # background cells do not block Run all
    page.get_by_role("button", name="Run all").click()
    for i in range(10):
        wait_output(page, f"bg{i}", f"start {i}\n")
    assert page.locator("#notebook .cell[data-state='running']").count() == 10  # all ten at once
    flag.touch()
    for i in range(10):
        wait_exit(page, f"bg{i}", 0)
        assert output_text(page, f"bg{i}") == f"start {i}\nend {i}\n"
    assert len(watches) == 1  # one stream carried every cell's output


def test_a_cells_output_comes_back_with_it_when_its_deletion_is_undone(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    """The view re-creates the cell's element (its `cells_rendered` event): the run room puts the output
    back into it, with its state on the cell."""
    connect(page, app_url, runner)
    open_doc(page, cells_md(("one", "echo first"), ("two", "echo second")))
    run(page, "one")
    wait_exit(page, "one", 0)
    cell(page, "one").locator(".cell-name").click()  # select it: the actions bar moves in
    cell_action(cell(page, "one"), "Delete cell")
    expect(cell(page, "one")).to_have_count(0)
    page.get_by_role("button", name="Undo", exact=True).click()
    expect(cell(page, "one").locator("[data-output-text]")).to_have_text("first\n")
    expect(cell(page, "one")).to_have_attribute("data-exit-code", "0")
    expect(cell(page, "one").locator(".cell-output")).to_be_visible()
    expect(cell(page, "two").locator("[data-output-text]")).to_have_count(0)  # nothing strayed
