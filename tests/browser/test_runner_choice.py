"""Runners are chosen by the user (issue 11, item 1): a runner named in the address is used at first use
only; a different one waits for the user's yes in a dialog that shows its origin, and a no changes
nothing. Tokens are kept per runner and only ever sent to their own runner. A link in a document never
switches the runner. Two real runners, each with its own marker in its cells' environment, tell which one
ran a cell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    cells_md,
    connect,
    open_doc,
    origin,
    run,
    runner,
    wait_output,
    wait_runner_state,
)
from tests.browser.runner_ui_support import (
    MARK_CELL,
    MARK_SCRIPT,
    TokenLog,
    address,
    open_chip,
    status,
    storage,
    switch_dialog,
    wait_connected_to,
)
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

DOC = cells_md((MARK_CELL, MARK_SCRIPT))


@pytest.fixture(scope="module")
def other_runner(app_url: str) -> Iterator[RunnerProcess]:
    """A second runner (its own port, token and marker) that also allows the app's origin."""
    with RunnerProcess("--allow-origin", origin(app_url), "--stop-grace", "0.5", "--quiet") as proc:
        yield proc


def ran_on(page: Any, runner: RunnerProcess) -> None:
    """Run the marker cell and wait until it says `runner` ran it."""
    run(page, MARK_CELL)
    wait_output(page, MARK_CELL, f"ran-on:{runner.mark}")


def test_first_use_takes_the_address_runner_without_asking(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    expect(switch_dialog(page)).to_have_count(0)
    expect(status(page)).to_contain_text(
        origin(runner.url)
    )  # the origin, not only what the runner calls itself
    open_doc(page, DOC)
    ran_on(page, runner)


def test_an_address_runner_is_used_only_after_the_user_confirms(
    page: Any, app_url: str, runner: RunnerProcess, other_runner: RunnerProcess
) -> None:
    mine, foreign = runner, other_runner
    tokens = TokenLog(page)
    connect(page, app_url, mine)
    before = storage(page)

    # A link (or a bookmark) names another runner: the page asks, and meanwhile uses mine.
    page.goto(address(app_url, foreign))
    wait_ready(page)
    dialog = switch_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(origin(foreign.url))
    expect(dialog).to_contain_text(origin(mine.url))
    wait_connected_to(page, mine.url)
    dialog.get_by_role("button", name="Cancel").click()
    expect(switch_dialog(page)).to_have_count(0)
    assert storage(page) == before  # declining leaves every stored setting as it was
    assert foreign.token not in page.url and "token=" not in page.url and "runner=" not in page.url
    open_doc(page, DOC)
    ran_on(page, mine)
    assert origin(foreign.url) not in tokens.origins  # not a single request went to the other runner

    page.goto(app_url)  # a plain bookmark: still mine
    wait_ready(page)
    wait_connected_to(page, mine.url)
    expect(switch_dialog(page)).to_have_count(0)

    # This time the user says yes: the other runner is used, and mine keeps its own token.
    page.goto(address(app_url, foreign))
    wait_ready(page)
    switch_dialog(page).get_by_role("button", name="Switch runner").click()
    wait_connected_to(page, foreign.url)
    assert "token=" not in page.url
    open_doc(page, DOC)
    ran_on(page, foreign)

    # Back to mine from the runner list: its token was kept for it.
    popover = open_chip(page)
    popover.get_by_role("button", name=f"Use {origin(mine.url)}").click()
    wait_connected_to(page, mine.url)
    ran_on(page, mine)

    assert tokens.tokens_sent_to(mine) == {mine.token}
    assert tokens.tokens_sent_to(foreign) == {foreign.token}


def test_a_new_token_for_the_runner_in_use_is_asked_for_too(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    before = storage(page)
    page.goto(address(app_url, runner, token="someone-elses-token"))
    wait_ready(page)
    dialog = switch_dialog(page)
    expect(dialog).to_contain_text(origin(runner.url))
    page.keyboard.press("Escape")  # the same as Cancel
    expect(switch_dialog(page)).to_have_count(0)
    wait_runner_state(page, "connected")
    assert storage(page) == before


def test_the_dialog_shows_the_runners_url_in_full(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    page.goto(f"{app_url}?runner=https://runner.example.com:8443/team/runner/#token=t")
    wait_ready(page)
    expect(switch_dialog(page).locator("[data-runner-origin]")).to_have_text(
        "https://runner.example.com:8443/team/runner"
    )
    switch_dialog(page).get_by_role("button", name="Cancel").click()
    wait_connected_to(page, runner.url)


def test_a_link_in_a_document_does_not_switch_the_runner(
    page: Any, app_url: str, runner: RunnerProcess, other_runner: RunnerProcess
) -> None:
    mine, foreign = runner, other_runner
    doc = (
        f"# Setup\n\n[use the team runner](?runner={foreign.url}#token={foreign.token})\n\n"
        f"[the full address]({address(app_url, foreign)})\n\n"
        f"[in this tab](#runner={foreign.url}&token={foreign.token})\n\n{DOC}"
    )
    connect(page, app_url, mine)
    open_doc(page, doc, "setup.md")
    before = storage(page)
    for name in ("use the team runner", "the full address", "in this tab"):
        page.get_by_role("link", name=name).click()
        notice = page.locator("[data-message-key='runner-link']")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text(origin(foreign.url))
        notice.get_by_role("button", name="Dismiss message").click()
    assert len(page.context.pages) == 1  # no tab was opened
    # A runner that reaches the address bar by in-app navigation is taken out, and ignored.
    page.evaluate("(u) => { location.hash = 'runner=' + encodeURIComponent(u) + '&token=t'; }", foreign.url)
    expect(page.locator("[data-message-key='runner-link']")).to_be_visible()
    page.wait_for_function("() => !location.hash.includes('token')")
    assert "token=" not in page.url and "runner=" not in page.url
    assert storage(page) == before
    wait_connected_to(page, mine.url)
    ran_on(page, mine)
