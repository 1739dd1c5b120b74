"""The runner's parts of the page for everyone (issue 13's accessibility and touch rules, on what fenced.app.run
shows): axe-core finds nothing on the "Connect a runner" panel, the runner popover with no runner (its help
open), a refused runner, and the "Switch runner?" dialog; on a phone, every control of the panel and the
popover is a 44 px target."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import cells_md, runner, wait_runner_state
from tests.browser.runner_ui_support import address, open_chip, switch_dialog
from tests.browser.ux_support import DESKTOP, PHONE, axe_violations, box, new_page
from tests.browser.view_support import show
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]


def no_violations(page: Any, where: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{where}: {found}"


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_finds_nothing_on_the_runner_parts(
    browser: Any, app_url: str, runner: RunnerProcess, dark: bool
) -> None:
    page = new_page(browser, app_url, DESKTOP, dark=dark)
    try:
        expect(page.locator("#connect-runner [data-connect-command]")).to_be_visible()
        no_violations(page, "empty page with Connect a runner")
        show(page, cells_md(("hello", "echo hello")))
        page.locator("#notebook .cell[data-cell-name='hello']").get_by_role("button", name="Run cell").click()
        popover = page.locator("#runner-popover")
        expect(popover.locator("[data-connect-command]")).to_be_visible()
        no_violations(page, "runner popover with no runner")
        popover.get_by_label("Runner URL").fill(runner.url)
        popover.get_by_label("Runner token").fill("not-the-token")
        popover.get_by_role("button", name="Connect").click()
        wait_runner_state(page, "error")
        open_chip(page)
        no_violations(page, "runner popover, runner refused")
        popover.get_by_label("Runner token").fill(runner.token)
        popover.get_by_role("button", name="Connect").click()
        wait_runner_state(page, "connected")
        page.goto(address(app_url, runner, token="someone-elses-token"))
        expect(switch_dialog(page)).to_be_visible()
        no_violations(page, "switch runner dialog")
        assert page.fenced_errors == []
    finally:
        page.context.close()


SMALL_INSIDE_JS = """(root) => [...root.querySelectorAll("button, input, summary")]
  .filter((e) => e.offsetParent !== null)
  .map((e) => [`${e.tagName} ${(e.textContent || e.id).trim().slice(0, 24)}`, e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 44 || r.height < 44)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


def test_on_a_phone_the_runner_controls_are_44px_targets(browser: Any, app_url: str) -> None:
    page = new_page(browser, app_url, PHONE, touch=True)
    try:
        panel = page.locator("#connect-runner")
        expect(panel.get_by_role("button", name="Copy command")).to_be_visible()
        assert panel.evaluate(SMALL_INSIDE_JS) == []
        chip = page.locator("#runner-chip")
        assert min(box(chip)["width"], box(chip)["height"]) >= 44
        chip.tap()
        popover = page.locator("#runner-popover")
        expect(popover).to_be_visible()
        assert popover.evaluate(SMALL_INSIDE_JS) == []
        assert page.fenced_errors == []
    finally:
        page.context.close()
