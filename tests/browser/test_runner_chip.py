"""The runner chip and many runners (issue 12 §4, issue 13): a list of runners with a token each, the runner
of each document (switched in the chip's popover, remembered per document), which runner an output came
from, the runner's sessions with this document's working directory, and the "Connect a runner" panel
with the exact command for this page's origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    cell,
    cells_md,
    connect,
    open_doc,
    origin,
    run,
    runner,
    wait_exit,
    wait_output,
    wait_runner_state,
)
from tests.browser.runner_ui_support import MARK_CELL, MARK_SCRIPT, TokenLog, open_chip, wait_connected_to
from tests.conftest import wait_ready, wait_until
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

DOC = cells_md((MARK_CELL, MARK_SCRIPT))


@pytest.fixture(scope="module")
def other_runner(app_url: str) -> Iterator[RunnerProcess]:
    with RunnerProcess("--allow-origin", origin(app_url), "--stop-grace", "0.5", "--quiet") as proc:
        yield proc


def ran_on(page: Any, runner: RunnerProcess) -> None:
    run(page, MARK_CELL)
    wait_output(page, MARK_CELL, f"ran-on:{runner.mark}")
    output = cell(page, MARK_CELL).locator(".cell-output")
    expect(output).to_have_attribute("data-runner-origin", origin(runner.url))
    expect(output.locator(".run-runner")).to_have_text(origin(runner.url).split("://", 1)[1])


def test_each_document_runs_on_its_own_runner(
    page: Any, app_url: str, runner: RunnerProcess, other_runner: RunnerProcess
) -> None:
    laptop, team = runner, other_runner
    tokens = TokenLog(page)
    connect(page, app_url, laptop)
    open_doc(page, DOC, "laptop.md")
    ran_on(page, laptop)

    # Another document goes to the team runner: added in the popover, with its token and a label.
    open_doc(page, DOC, "team.md")
    popover = open_chip(page)
    popover.get_by_label("Runner URL").fill(team.url)
    popover.get_by_label("Runner token").fill(team.token)
    popover.get_by_label("Label").fill("team")
    popover.get_by_role("button", name="Connect").click()
    wait_connected_to(page, team.url)
    expect(page.locator("#runner-popover")).to_be_hidden()  # done: out of the way
    expect(page.locator("#runner-chip")).to_contain_text(origin(team.url).split("://", 1)[1])
    ran_on(page, team)

    # A document without a runner of its own follows the runner in use; the user switches it back.
    open_doc(page, DOC, "laptop.md")
    wait_connected_to(page, team.url)
    open_chip(page).get_by_role("button", name=f"Use {origin(laptop.url)}").click()
    wait_connected_to(page, laptop.url)
    wait_output(page, MARK_CELL, f"ran-on:{laptop.mark}")  # re-attached to its session there
    ran_on(page, laptop)

    # From now on each document goes to its runner, its outputs with it (sessions stay per runner).
    open_doc(page, DOC, "team.md")
    wait_connected_to(page, team.url)
    wait_output(page, MARK_CELL, f"ran-on:{team.mark}")
    open_doc(page, DOC, "laptop.md")
    wait_connected_to(page, laptop.url)
    page.reload()
    wait_ready(page)
    open_doc(page, DOC, "team.md")
    wait_connected_to(page, team.url)
    wait_output(page, MARK_CELL, f"ran-on:{team.mark}")  # re-attached after the reload: still says where from
    restored = cell(page, MARK_CELL).locator(".cell-output")
    expect(restored).to_have_attribute("data-runner-origin", origin(team.url))
    expect(restored.locator(".run-runner")).to_have_text(origin(team.url).split("://", 1)[1])
    ran_on(page, team)

    # The list: both runners, the one in use marked; a runner removed takes its token with it.
    popover = open_chip(page)
    known = popover.locator("[data-runner-list] li")
    expect(known).to_have_count(2)
    expect(popover.locator("[data-runner-list] li[aria-current='true']")).to_contain_text("team")
    popover.get_by_role("button", name=f"Remove {origin(laptop.url)}").click()
    expect(known).to_have_count(1)
    expect(popover).to_be_visible()  # still open for the rest of the list
    assert laptop.token not in str(page.evaluate("() => JSON.stringify(localStorage)"))
    assert tokens.tokens_sent_to(laptop) == {laptop.token}
    assert tokens.tokens_sent_to(team) == {team.token}


def test_the_popover_lists_the_runners_sessions_and_this_documents_cwd(
    page: Any, app_url: str, runner: RunnerProcess, tmp_path: Any
) -> None:
    (tmp_path / "work").mkdir()
    connect(page, app_url, runner)
    open_doc(page, cells_md(("go", f"cd {tmp_path / 'work'}")), "cwd.md")
    run(page, "go")
    wait_exit(page, "go", 0)
    popover = open_chip(page)
    expect(popover.locator("[data-runner-cwd]")).to_contain_text(str(tmp_path / "work"))
    mine = popover.locator("[data-runner-sessions] li[aria-current='true']")
    expect(mine).to_contain_text("cwd.md (this document)")
    expect(mine).to_contain_text(str(tmp_path / "work"))
    expect(popover.locator("[data-runner-message]")).to_contain_text(origin(runner.url))
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(page.locator("#runner-chip")).to_be_focused()


def test_connect_a_runner_panel_gives_the_exact_command_and_opens_the_settings(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(app_url)
    wait_ready(page)
    app_origin = page.evaluate("location.origin")
    panel = page.locator("#connect-runner")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Connect a runner")).to_be_visible()
    command = f"fenced runner --allow-origin {app_origin}"
    expect(panel.locator("[data-connect-command]")).to_have_text(command)
    # What the token is: where it is printed, and that it is a secret that runs commands as the user.
    expect(panel).to_contain_text("the part after #token= is the token")
    expect(panel).to_contain_text("a secret that lets this page run commands on that machine as you")
    panel.get_by_role("button", name="Copy command").click()
    wait_until(page, "(c) => navigator.clipboard.readText().then(t => t === c)", command)
    expect(page.locator("#runner-popover")).to_be_hidden()
    panel.get_by_role("button", name="Enter runner URL and token").click()
    try:
        expect(page.get_by_label("Runner URL")).to_be_focused()
    except AssertionError:
        print(
            "DIAG",
            page.evaluate(
                "() => [document.hasFocus(), document.activeElement && document.activeElement.outerHTML.slice(0, 300), document.querySelector('#runner-popover').matches(':popover-open'), document.visibilityState]"
            ),
        )
        raise
    page.get_by_label("Runner URL").fill(runner.url)
    page.get_by_label("Runner token").fill(runner.token)
    page.get_by_label("Runner token").press("Enter")
    wait_runner_state(page, "connected")
    expect(panel).to_be_hidden()


# Holds back the runner popover's "toggle" event (a queued task, which a busy page may run after a timer):
# web/shell.js shows an anchored popover only once it is placed, on that event, and a field in a popover
# still hidden cannot take the focus.
LATE_TOGGLE_JS = """() => window.addEventListener("toggle", (e) => {
  if (e.fencedLate || e.target.id !== "runner-popover" || e.newState !== "open") return;
  e.stopImmediatePropagation();
  const late = new ToggleEvent("toggle", {oldState: e.oldState, newState: e.newState});
  late.fencedLate = true;
  setTimeout(() => e.target.dispatchEvent(late), 150);
}, true)"""


def test_the_runner_url_takes_the_focus_even_when_the_popover_shows_late(page: Any, app_url: str) -> None:
    page.goto(app_url)
    wait_ready(page)
    page.evaluate(LATE_TOGGLE_JS)
    page.locator("#connect-runner").get_by_role("button", name="Enter runner URL and token").click()
    expect(page.locator("#runner-popover")).to_be_visible()
    expect(page.get_by_label("Runner URL")).to_be_focused()


def test_the_chip_fits_a_phone(page: Any, app_url: str, runner: RunnerProcess) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    connect(page, app_url, runner)
    chip = page.locator("#runner-chip").bounding_box()
    assert chip is not None and chip["x"] >= 0 and chip["x"] + chip["width"] <= 390
    popover = open_chip(page)
    box = popover.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def dot_colour(page: Any) -> str:
    return str(page.locator("#runner-chip .runner-dot").evaluate("d => getComputedStyle(d).backgroundColor"))


def test_the_chip_shows_a_state_dot_and_the_runners_origin(ready_page: Any, runner: RunnerProcess) -> None:
    page = ready_page
    chip = page.locator("#runner-chip")
    header = page.locator(".app-header")
    expect(header.locator("form.runner-settings #runner-chip")).to_be_visible()  # one element of the header
    expect(chip).to_have_text("No runner")
    idle = dot_colour(page)
    # A runner that refuses the token: the origin, and a dot of another colour (red), the reason in full.
    popover = open_chip(page)
    popover.get_by_label("Runner URL").fill(runner.url)
    popover.get_by_label("Runner token").fill("not-the-token")
    popover.get_by_role("button", name="Connect").click()
    wait_runner_state(page, "error")
    host = origin(runner.url).split("://", 1)[1]
    expect(chip).to_have_text(host)
    expect(page.locator("#runner-status")).to_contain_text(origin(runner.url))
    refused = dot_colour(page)
    # The right token: connected, the same origin, a green dot.
    popover = open_chip(page)
    popover.get_by_label("Runner token").fill(runner.token)
    popover.get_by_role("button", name="Connect").click()
    wait_connected_to(page, runner.url)
    expect(chip).to_have_text(host)
    expect(chip).to_have_accessible_name(f"Runner: {host}")
    connected = dot_colour(page)
    assert len({idle, refused, connected}) == 3, (idle, refused, connected)
    r, g, b = (int(v) for v in connected.removeprefix("rgb(").rstrip(")").split(","))
    assert g > r and g > b  # green
    r, g, b = (int(v) for v in refused.removeprefix("rgb(").rstrip(")").split(","))
    assert r > g and r > b  # red
