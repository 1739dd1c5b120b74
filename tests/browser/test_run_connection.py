"""Connecting to a runner: from the address (token taken out of it), from the settings fields, kept in
localStorage; and a clear, distinct message for each way it can fail."""

from __future__ import annotations

import getpass
import socket
import sys
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import (
    cell,
    cells_md,
    connect,
    open_doc,
    open_runner_settings,
    origin,
    runner,
    wait_runner_state,
)
from tests.conftest import wait_ready, wait_until
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

DOC = cells_md(("hello", "echo hi"))


def status(page: Any) -> Any:
    return page.locator("#runner-status")


def wait_error(page: Any, reason: str) -> None:
    """The state and the reason together (an earlier attempt, e.g. while typing, may fail differently)."""
    page.wait_for_selector(
        f"#runner-status[data-runner-state='error'][data-runner-reason='{reason}']", timeout=30_000
    )


def enter_runner(page: Any, url: str, token: str) -> None:
    open_runner_settings(page)
    page.get_by_label("Runner URL").fill(url)
    page.get_by_label("Runner token").fill(token)
    page.get_by_label("Runner token").press("Enter")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_a_runner_run_buttons_say_why(ready_page: Any) -> None:
    page = ready_page
    open_doc(page, DOC)
    assert status(page).get_attribute("data-runner-state") == "none"
    button = cell(page, "hello").get_by_role("button", name="Run cell")
    expect(button).to_have_attribute("title", "No runner: enter a Runner URL and token to run cells.")
    expect(button).to_have_attribute(
        "aria-description", "No runner: enter a Runner URL and token to run cells."
    )
    expect(page.get_by_role("button", name="Run all")).to_be_disabled()
    # Run says why it cannot run, and clicking it opens "Connect a runner": the command to start one for
    # this page's origin, and where to give its URL and token (issue 13).
    popover = page.locator("#runner-popover")
    expect(popover).to_be_hidden()
    button.click()
    expect(popover).to_be_visible()
    expect(page.get_by_label("Runner URL")).to_be_focused()
    app_origin = page.evaluate("location.origin")
    expect(popover.locator("[data-connect-command]")).to_have_text(
        f"fenced runner --allow-origin {app_origin}"
    )
    expect(popover.get_by_role("button", name="Copy command")).to_be_visible()
    expect(popover.get_by_text("Connect a runner", exact=True)).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    popover.get_by_role("button", name="Copy command").click()
    wait_until(
        page,
        "(c) => navigator.clipboard.readText().then(t => t === c)",
        f"fenced runner --allow-origin {app_origin}",
    )
    expect(popover).to_be_visible()  # copying closes nothing: the URL and token are still to be given
    assert cell(page, "hello").get_attribute("data-state") in (None, "idle")  # nothing ran


def test_address_token_is_removed_kept_and_used_after_reload(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    assert "token" not in page.url and runner.token not in page.url
    expect(status(page)).to_contain_text(f"{getpass.getuser()}@{socket.gethostname()}")
    assert page.evaluate("localStorage.getItem('fenced.runner.token')") == runner.token
    open_runner_settings(page)
    assert page.get_by_label("Runner URL").input_value() == runner.url
    page.goto(app_url)  # no runner in the address any more: the stored settings connect
    wait_ready(page)
    wait_runner_state(page, "connected")
    open_doc(page, DOC)
    expect(cell(page, "hello").get_by_role("button", name="Run cell")).to_be_enabled()


def test_runner_down_says_unreachable(ready_page: Any) -> None:
    page = ready_page
    url = f"http://127.0.0.1:{free_port()}"
    enter_runner(page, url, "whatever")
    wait_error(page, "unreachable")
    expect(status(page)).to_contain_text(f"Runner unreachable at {url}")
    open_doc(page, DOC)
    button = cell(page, "hello").get_by_role("button", name="Run cell")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute(
        "title", f"Cannot run: Runner unreachable at {url}: is it running, and is the URL right?"
    )


def test_wrong_token_says_unauthorized(ready_page: Any, runner: RunnerProcess) -> None:
    page = ready_page
    enter_runner(page, runner.url, "not-the-token")
    wait_error(page, "unauthorized")
    expect(status(page)).to_contain_text("Unauthorized")
    expect(status(page)).to_contain_text("token")
    enter_runner(page, runner.url, runner.token)  # fixing the token connects
    wait_runner_state(page, "connected")


def test_foreign_origin_says_which_origin_to_allow(ready_page: Any) -> None:
    page = ready_page
    origin = page.evaluate("location.origin")
    with RunnerProcess("--quiet") as other:  # allows no browser origin
        enter_runner(page, other.url, other.token)
        wait_error(page, "cors")
    expect(status(page)).to_contain_text("CORS refused")
    expect(status(page)).to_contain_text(f"--allow-origin {origin}")


# A real runner that reports another major version: `fenced` with its version patched before the runner
# module reads it.
OTHER_VERSION = "9.9.0"
PRETEND = (
    f"import fenced, runpy; fenced.__version__ = {OTHER_VERSION!r}; "
    "runpy.run_module('fenced.cli', run_name='__main__')"
)


def test_a_runner_of_another_version_is_refused_plainly(page: Any, app_url: str) -> None:
    with RunnerProcess(
        "--allow-origin", origin(app_url), "--quiet", command=[sys.executable, "-c", PRETEND]
    ) as other:
        page.goto(app_url)
        wait_ready(page)
        enter_runner(page, other.url, other.token)
        wait_error(page, "incompatible")
        expect(status(page)).to_contain_text(f"Incompatible runner version {OTHER_VERSION}")
        expect(status(page)).to_contain_text("run a matching `fenced runner`")
        open_doc(page, DOC)
        expect(cell(page, "hello").get_by_role("button", name="Run cell")).to_be_disabled()
        expect(page.get_by_role("button", name="Run all")).to_be_disabled()
