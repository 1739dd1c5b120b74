"""Accessibility, keyboard and touch (issue 13): axe-core finds nothing on every main state, in both themes,
at desktop and phone sizes; a phone gets no horizontal scrolling, a short header and 44 px targets, and can
read and run a cell by touch; the keyboard alone gets from page load to a run in at most ten presses.
Screenshots of the main states go to test-results/screens/ for review."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    append_to_cell,
    expected_cells,
    message,
    opfs_write,
    stub_open_picker,
    wait_cells,
    wait_dirty,
)
from tests.browser.run_support import cell, cells_md, open_doc, runner, wait_exit, wait_runner_state
from tests.browser.ux_support import (
    DESKTOP,
    PHONE,
    axe_violations,
    box,
    new_page,
    no_horizontal_overflow,
    screenshot,
    small_targets,
)
from tests.browser.view_support import editor_text
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

# Cells of the sample runbook (web/sample.md) that write to stdout, to stderr (with colours) and fail.
SAMPLE_OUTPUTS = (("hello", 0), ("streams", 0), ("fails", 3))
CONFLICT_DOC = b'# Notes\n\nTo greet:\n\n```sh {"name":"greet"}\necho hello\n```\n'


def runner_suffix(runner: RunnerProcess) -> str:
    return f"?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}"


def run_outputs(page: Any) -> None:
    """Run the sample's cells with stdout, stderr and a failure (the sample must be open)."""
    for name, code in SAMPLE_OUTPUTS:
        cell(page, name).get_by_role("button", name="Run cell").click()
        wait_exit(page, name, code)
    # Every output's terminal that is live (on or near the screen: issue 17) has drawn its output.
    page.wait_for_function(
        "() => { const ts = [...document.querySelectorAll('#notebook .run-terminal')]"
        ".filter((t) => t.fencedTerminal && t.fencedTerminal.live);"
        " return ts.length > 0 && ts.every((t) => t.textContent.trim()); }"
    )


def no_violations(page: Any, where: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{where}: {found}"


def every_dialog(page: Any, phone: bool) -> None:
    """axe on each dialog of the view and the runner (the sample open, its outputs shown): shortcuts,
    frontmatter, the cell menu, cell attributes, the palette, a prompt."""
    cell(page, "hello").locator(".cell-header").click()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    no_violations(page, "shortcuts dialog")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Frontmatter").click()
    expect(page.get_by_role("dialog", name="Frontmatter")).to_be_visible()
    no_violations(page, "frontmatter dialog")
    page.keyboard.press("Escape")
    out = cell(page, "hello")
    if phone:
        out.locator(".cell-header").tap()
    else:
        out.hover(position={"x": 4, "y": 4})
    out.get_by_role("button", name="More cell actions").click()
    no_violations(page, "cell menu")
    out.locator(".cell-menu").get_by_role("button", name="Cell attributes").click()
    expect(page.get_by_role("dialog", name="Cell attributes: hello")).to_be_visible()
    no_violations(page, "attributes dialog")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Shift+P")
    expect(page.get_by_role("dialog", name="Command palette")).to_be_visible()
    no_violations(page, "command palette")
    page.keyboard.press("Escape")
    cell(page, "ask-name").get_by_role("button", name="Run cell").click()
    expect(page.locator("dialog[open]")).to_be_visible()
    no_violations(page, "prompt dialog")
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)


@pytest.mark.parametrize(
    ("size", "dark"),
    [(DESKTOP, False), (DESKTOP, True), (PHONE, False), (PHONE, True)],
    ids=["desktop-light", "desktop-dark", "phone-light", "phone-dark"],
)
def test_axe_finds_nothing(
    browser: Any, app_url: str, runner: RunnerProcess, size: dict[str, int], dark: bool
) -> None:
    phone = size is PHONE
    page = new_page(browser, app_url, size, touch=phone, dark=dark, url_suffix=runner_suffix(runner))
    tag = f"{'phone' if phone else 'desktop'}-{'dark' if dark else 'light'}"
    try:
        wait_runner_state(page, "connected")
        no_violations(page, "empty page")
        screenshot(page, f"empty-{tag}")
        page.get_by_role("button", name="Try a sample runbook").click()
        page.wait_for_selector("#notebook[data-view-state='idle']")
        no_violations(page, "open notebook")
        screenshot(page, f"open-{tag}")
        run_outputs(page)
        no_violations(page, "notebook with outputs (stdout, stderr, failed)")
        screenshot(page, f"failed-{tag}")
        if phone:
            page.get_by_role("button", name="Menu", exact=True).click()
            no_violations(page, "the phone's menu")
            screenshot(page, f"menu-{tag}")
            page.keyboard.press("Escape")
        else:
            header = page.locator(".app-header")
            for menu in ("File", "More run actions"):
                header.get_by_role("button", name=menu, exact=True).click()
                no_violations(page, f"menu {menu}")
                page.keyboard.press("Escape")
            header.get_by_role("button", name="Sidebar").click()
            no_violations(page, "sidebar")
            header.get_by_role("button", name="Sidebar").click()
        page.locator(".runner-settings [popovertarget]").click()
        no_violations(page, "runner popover")
        page.keyboard.press("Escape")
        every_dialog(page, phone)
        # An edited document: the dirty mark in the header.
        target = cell(page, "hello")
        target.locator(".cell-header").click()
        page.keyboard.press("Enter")
        page.keyboard.type("# edited\n")
        page.keyboard.press("Escape")
        page.wait_for_selector("body[data-dirty='true']", state="attached")
        expect(page.locator("#doc-name .dirty-marker")).to_be_visible()
        no_violations(page, "edited document (dirty mark)")
    finally:
        page.context.close()


def test_phone_layout_and_touch(browser: Any, app_url: str, runner: RunnerProcess) -> None:
    page = new_page(browser, app_url, PHONE, touch=True, url_suffix=runner_suffix(runner))
    try:
        wait_runner_state(page, "connected")
        for state in ("empty", "open", "outputs"):
            if state == "open":
                page.get_by_role("button", name="Try a sample runbook").tap()
                page.wait_for_selector("#notebook[data-view-state='idle']")
            if state == "outputs":
                run_outputs(page)
            assert no_horizontal_overflow(page), state
            assert box(page.locator(".app-header"))["height"] <= 64, state
            assert small_targets(page) == [], state
        # The header's menus fold into one: every command is there, each a 44 px target.
        page.get_by_role("button", name="Menu", exact=True).tap()
        tools = page.locator("#header-tools")
        for name in (
            "Open",
            "Save",
            "Open folder",
            "Save as",
            "Download",
            "Save with outputs",
            "Run all",
            "Stop all",
            "Restart session",
            "Command palette",
        ):
            expect(tools.get_by_role("button", name=name, exact=True)).to_be_visible()
        assert small_targets(page) == []
        assert no_horizontal_overflow(page)
        page.get_by_role("button", name="Menu", exact=True).tap()  # closes it again
        expect(tools).to_be_hidden()
        # The sidebar (a drawer here) and the runner's popover: 44 px targets, inside the screen.
        for opener, opened in (
            (page.get_by_role("button", name="Sidebar"), page.locator("#sidebar")),
            (page.locator(".runner-settings [popovertarget]"), page.locator("#runner-popover")),
        ):
            opener.tap()
            expect(opened).to_be_visible()
            b = box(opened)
            assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"], b
            assert small_targets(page) == []
            assert no_horizontal_overflow(page)
            if opened.get_attribute("popover") is not None:
                page.keyboard.press("Escape")
            else:
                opener.tap()
            expect(opened).to_be_hidden()
        # Dialogs fit the phone and their controls are 44 px targets too.
        cell(page, "hello").locator(".cell-header").tap()
        page.keyboard.press("?")
        for name, opening in (("Keyboard shortcuts", None), ("Cell attributes: hello", "Cell attributes")):
            if opening:
                cell(page, "hello").get_by_role("button", name="More cell actions").tap()
                cell(page, "hello").locator(".cell-menu").get_by_role("button", name=opening).tap()
            dialog = page.get_by_role("dialog", name=name)
            expect(dialog).to_be_visible()
            b = box(dialog)
            assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"], (name, b)
            assert small_targets(page) == [], name
            page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()
        # Reading and running a cell by touch (the sample is open).
        expect(page.locator("#notebook .cell-markdown").first).to_contain_text("Welcome to Fenced")
        # A tap on a cell's code edits it there: selecting the cell moves nothing under the finger.
        code = cell(page, "set-greeting").locator(".cell-source")
        code.scroll_into_view_if_needed()
        before = box(code)
        code.tap()
        page.wait_for_function("() => document.activeElement.classList.contains('cm-content')")
        assert box(code)["y"] == before["y"]
        page.keyboard.press("Escape")
        target = cell(page, "use-greeting")
        target.locator(".cell-header").tap()
        expect(target).to_have_class("cell cell-code active")
        run_button = target.get_by_role("button", name="Run cell")
        b = box(run_button)
        assert b["width"] >= 44 and b["height"] >= 44
        run_button.tap()
        wait_exit(page, "use-greeting", 0)
        expect(target.locator("[data-output-text]")).to_contain_text("the session is still in")
        screenshot(page, "running-phone")
    finally:
        page.context.close()


def test_keyboard_from_load_to_a_run_in_ten_presses(
    browser: Any, app_url: str, runner: RunnerProcess
) -> None:
    page = new_page(browser, app_url, DESKTOP, url_suffix=runner_suffix(runner))
    try:
        wait_runner_state(page, "connected")
        presses = 0

        def press(key: str) -> None:
            nonlocal presses
            presses += 1
            page.keyboard.press(key)

        # Tab to the skip link, follow it, Tab to "Try a sample runbook", open it: the first cell has the focus.
        press("Tab")
        expect(page.locator(":focus")).to_have_text("Skip to the notebook")
        press("Enter")
        while page.evaluate("() => document.activeElement.textContent.trim()") != "Try a sample runbook":
            press("Tab")
            assert presses < 8
        press("Enter")
        page.wait_for_selector("#notebook[data-view-state='idle']")
        page.wait_for_function("() => document.activeElement.matches('#notebook .cell')")
        press("j")  # the first code cell comes after the introduction
        press("j")
        press("Control+Enter")
        wait_exit(page, "hello", 0)
        assert presses <= 10, presses
        screenshot(page, "keyboard-run")
    finally:
        page.context.close()


def test_tab_moves_between_cells_and_indents_only_in_edit_mode(browser: Any, app_url: str) -> None:
    page = new_page(browser, app_url, DESKTOP)
    try:
        open_doc(page, "# Top\n\n" + cells_md(("a", "echo a"), ("b", "echo b")))
        # The skip link goes to the selected cell.
        page.locator(".skip-link").focus()
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "0"
        # Tab walks cells and their controls, never into an editor, and marks nothing dirty.
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            seen.append(
                page.evaluate(
                    "() => { const e = document.activeElement; return e.classList.contains('cm-content') ? 'EDITOR'"
                    " : e.dataset.cellName || e.dataset.cellIndex || e.getAttribute('aria-label') || e.textContent.trim(); }"
                )
            )
        assert "EDITOR" not in seen, seen
        assert "a" in seen and "b" in seen and "Move cell up" in seen, seen
        assert page.evaluate("() => document.body.dataset.dirty") == "false"
        # Enter edits; there Tab indents; Esc leaves, and Tab moves on again.
        page.locator("#notebook .cell[data-cell-name='a']").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.classList.contains('cm-content')")
        page.keyboard.press("Home")
        page.keyboard.press("Tab")
        assert editor_text(cell(page, "a")).startswith(("  echo a", "\techo a", "    echo a"))
        page.keyboard.press("Escape")
        assert page.evaluate("() => document.activeElement.dataset.cellName") == "a"
        page.keyboard.press("Tab")
        assert not page.evaluate("() => document.activeElement.classList.contains('cm-content')")
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("size", "dark"),
    [(DESKTOP, False), (DESKTOP, True), (PHONE, False), (PHONE, True)],
    ids=["desktop-light", "desktop-dark", "phone-light", "phone-dark"],
)
def test_axe_finds_nothing_without_a_runner_and_on_a_conflict(
    browser: Any, app_url: str, size: dict[str, int], dark: bool
) -> None:
    """No runner: the "Connect a runner" panel and the Run buttons that say why they cannot run. A file
    changed on disk while edited here: the dialog that shows both, and the warning left after Cancel."""
    phone = size is PHONE
    page = new_page(browser, app_url, size, touch=phone, dark=dark)
    try:
        expect(page.locator("#connect-runner")).to_be_visible()
        no_violations(page, "empty page, no runner")
        opfs_write(page, "conflict.md", CONFLICT_DOC)
        stub_open_picker(page, "conflict.md")
        page.locator("body").press("Control+o")
        wait_cells(page, len(expected_cells(CONFLICT_DOC.decode())))
        expect(cell(page, "greet").get_by_role("button", name="Run cell")).to_have_attribute(
            "title", re.compile(r"runner", re.I)
        )
        no_violations(page, "open notebook, no runner")
        append_to_cell(page, "greet", " # mine")
        page.keyboard.press("Escape")
        wait_dirty(page, True)
        opfs_write(page, "conflict.md", CONFLICT_DOC.replace(b"# Notes", b"# Notes, changed elsewhere"))
        page.locator("body").press("Control+s")
        dialog = page.get_by_role("dialog", name="conflict.md changed on disk")
        expect(dialog).to_be_visible()
        no_violations(page, "changed-on-disk dialog")
        screenshot(page, f"conflict-{'phone' if phone else 'desktop'}-{'dark' if dark else 'light'}")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        expect(message(page, "warning")).to_contain_text("changed on disk")
        no_violations(page, "a warning message")
    finally:
        page.context.close()
