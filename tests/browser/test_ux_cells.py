"""Cells as Jupyter and VS Code users expect them (issue 13): the Run button in the gutter that never moves,
at most four icon actions and a "…" menu, dimmed generated names, consistent names, and the notebook basics:
last run time and duration, execution count, copy / collapse / clear output, run above / below, and a
shortcut help that lists every shortcut. Against a real runner."""

from __future__ import annotations

import datetime
import re
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
from tests.browser.ux_support import DESKTOP, axe_violations, box, new_page, screenshot
from tests.browser.view_support import cell_action, header_action, show
from tests.conftest import wait_until
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

DOC = (
    "# Steps\n\nFirst some prose.\n\n"
    + cells_md(("one", "echo first"), ("two", "echo second; echo more"), ("three", "echo third"))
    + "\n```sh\necho unnamed cell\n```\n"
)


def connected_page(browser: Any, app_url: str, runner: RunnerProcess, **context_args: Any) -> Any:
    page = new_page(
        browser,
        app_url,
        DESKTOP,
        url_suffix=f"?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}",
        **context_args,
    )
    wait_runner_state(page, "connected")
    return page


def test_cell_chrome_gutter_icons_menu_and_names(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    one = cell(page, "one")
    run_button = one.get_by_role("button", name="Run cell")
    source = one.locator(".cell-source")
    # The Run button sits in the gutter, left of the cell's text, and stays put when the cell is selected.
    before = box(run_button)
    assert before["x"] + before["width"] <= box(source)["x"]
    assert one.locator(".cell-gutter").get_by_role("button", name="Run cell").count() == 1
    one.locator(".cell-header").click()
    page.wait_for_function(
        "() => document.querySelector('#notebook .cell.active')?.dataset.cellName === 'one'"
    )
    assert box(run_button) == before
    # At most four actions show as icons, plus "More cell actions"; each has a name and a tooltip.
    bar = one.get_by_role("toolbar", name="Cell actions")
    visible = [b for b in bar.get_by_role("button").all() if b.is_visible()]
    names = [b.get_attribute("title") for b in visible]
    assert len(visible) <= 5 and visible[-1].inner_text() == "More cell actions", names
    for b in visible:
        assert b.get_attribute("data-icon") and b.get_attribute("title")
        assert box(b)["width"] <= 40  # icons, not words
    assert box(run_button) == before  # the bar pushed nothing
    bar.get_by_role("button", name="More cell actions").click()
    menu = one.locator(".cell-menu")
    expect(menu.get_by_role("button", name="Cell attributes…")).to_be_visible()  # the menu is open
    labels = [b.inner_text() for b in menu.get_by_role("button").all() if b.is_visible()]
    for wanted in (
        "Cell attributes…",
        "Make Markdown cell",
        "Add Markdown cell above",
        "Add Markdown cell below",
        "Run the cells above",
        "Run this cell and below",
        "Clear output",
    ):
        assert wanted in labels, labels
    assert not [label for label in labels if "Text" in label]  # "Markdown" everywhere
    page.keyboard.press("Escape")
    # A generated name is dimmed and says where it comes from; an author's name is not.
    generated = cell(page, "echo-unnamed").locator(".cell-name")
    expect(generated).to_have_attribute("title", "generated from the first line; set a name")
    assert "generated" in (generated.get_attribute("class") or "")
    colours = page.evaluate(
        "() => [...document.querySelectorAll('#notebook .cell-name')].map(e => getComputedStyle(e).color)"
    )
    assert colours[0] != colours[-1]
    assert one.locator(".cell-name").get_attribute("title") is None
    # Naming the cell takes the dimming away.
    cell_action(cell(page, "echo-unnamed"), "Cell attributes")
    dialog = page.get_by_role("dialog", name="Cell attributes: echo-unnamed")
    dialog.get_by_label("Name").fill("say-it")
    dialog.get_by_role("button", name="Save").click()
    named = cell(page, "say-it").locator(".cell-name")
    expect(named).not_to_have_class("cell-name generated")
    assert named.get_attribute("title") is None


def test_shortcut_help_lists_every_shortcut(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    page.get_by_role("button", name="Keyboard shortcuts").click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    keys = dialog.locator("kbd").all_inner_texts()
    for wanted in (
        "Shift+Enter",
        "Ctrl/Cmd+Enter",
        "Alt+Enter",
        "Enter",
        "Esc",
        "Tab / Shift+Tab",
        "Ctrl/Cmd+Shift+P",
        "Ctrl/Cmd+S",
        "Ctrl/Cmd+Shift+S",
        "Ctrl/Cmd+O",
        "Ctrl/Cmd+B",
        "D, D",
        "?",
    ):
        assert wanted in keys, keys
    text = dialog.inner_text()
    assert "Code cell: run it" in text and "Tab indents" in text and "Esc" in text


def test_run_time_duration_count_and_output_actions(
    browser: Any, app_url: str, runner: RunnerProcess
) -> None:
    page = connected_page(browser, app_url, runner, permissions=["clipboard-read", "clipboard-write"])
    try:
        open_doc(page, DOC)
        one = cell(page, "one")
        when = one.locator("[data-run-when]")
        expect(when).to_have_text("")
        one.get_by_role("button", name="Run cell").click()
        wait_exit(page, "one", 0)
        # When it ran (the user's clock) and how long it took, after the name; the execution count in the gutter.
        ran_at = datetime.datetime.fromisoformat(when.get_attribute("data-ran-at").replace("Z", "+00:00"))
        assert abs((datetime.datetime.now(datetime.UTC) - ran_at).total_seconds()) < 120
        assert int(when.get_attribute("data-duration-ms")) >= 0
        assert " · " in when.inner_text() and when.get_attribute("title").startswith("Last run succeeded")
        expect(one.locator("[data-run-count]")).to_have_text("[1]")
        # Copy output: the plain text, on the clipboard.
        one.get_by_role("button", name="Copy output").click()
        wait_until(page, "async () => (await navigator.clipboard.readText()) === 'first\\n'")
        # Collapse and expand: the status line stays, the terminal goes and comes back.
        one.get_by_role("button", name="Collapse output").click()
        expect(one).to_have_attribute("data-output-collapsed", "true")
        expect(one.locator(".run-terminal")).to_be_hidden()
        expect(one.locator(".run-state")).to_be_visible()
        one.get_by_role("button", name="Expand output").click()
        expect(one.locator(".run-terminal")).to_be_visible()
        assert one.get_attribute("data-output-collapsed") is None
        # Clear output: as if it never ran here.
        one.get_by_role("button", name="Clear output").click()
        expect(one.locator(".cell-output")).to_be_hidden()
        expect(one).to_have_attribute("data-state", "idle")
        assert one.get_attribute("data-exit-code") is None and output_text(page, "one") == ""
        expect(when).to_have_text("")
        # Run below (from "two" on) and run above (what is before "three").
        cell_action(cell(page, "two"), "Run this cell and below")
        wait_exit(page, "three", 0)
        wait_exit(page, "two", 0)
        expect(one).to_have_attribute("data-state", "idle")
        cell_action(cell(page, "three"), "Run the cells above")
        wait_exit(page, "one", 0)
        assert output_text(page, "one") == "first\n"
        # Clear all outputs, from Run all's menu.
        header_action(page, "Clear all outputs")
        for name in ("one", "two", "three"):
            expect(cell(page, name).locator(".cell-output")).to_be_hidden(timeout=TIMEOUT_MS)
    finally:
        page.context.close()


def test_run_button_keeps_its_place_while_running(browser: Any, app_url: str, runner: RunnerProcess) -> None:
    page = connected_page(browser, app_url, runner)
    try:
        open_doc(page, cells_md(("slow", "sleep 30")))
        slow = cell(page, "slow")
        run_button = slow.get_by_role("button", name="Run cell")
        before = box(run_button)
        run_button.click()
        page.wait_for_selector("#notebook .cell[data-cell-name='slow'][data-state='running']")
        assert box(run_button) == before
        stop = slow.get_by_role("button", name="Stop cell")
        expect(stop).to_be_enabled()
        expect(slow.locator("[data-run-count]")).to_have_text("[*]")
        screenshot(page, "running-desktop-light")
        assert axe_violations(page) == []  # a running cell: Stop, "[*]", the live status
        page.emulate_media(color_scheme="dark")
        screenshot(page, "running-desktop-dark")
        assert axe_violations(page) == []
        stop.click()
        page.wait_for_selector(
            "#notebook .cell[data-cell-name='slow'][data-state='failed']", timeout=TIMEOUT_MS
        )
        assert box(run_button) == before
    finally:
        page.context.close()


def test_markdown_is_the_one_name_for_prose_cells(ready_page: Any) -> None:
    """Every label, tooltip and accessible name of the cells' actions, the toolbars, the palette and the
    shortcut help says "Markdown" for a prose cell: never "Text" (the old "To Markdown"/"+ Text ↑" mix)."""
    page = ready_page
    show(page, DOC)
    words_js = """() => { const out = [];
      for (const e of document.querySelectorAll('[title], [aria-label]'))
        out.push(e.title, e.getAttribute('aria-label'));
      for (const e of document.querySelectorAll('button, [role=option], kbd, td, th'))
        if (!e.closest('.cell-source, .cell-output')) out.push(e.textContent);
      return out.filter(Boolean).map(v => v.trim()); }"""
    page.get_by_role("button", name="Keyboard shortcuts").click()
    words = page.evaluate(words_js)
    page.keyboard.press("Escape")
    page.locator("body").press("Control+Shift+P")
    expect(page.get_by_role("dialog", name="Command palette")).to_be_visible()
    page.get_by_role("combobox", name="Command").fill("cell")
    words += page.evaluate(words_js)
    page.keyboard.press("Escape")
    wrong = sorted({w for w in words if re.search(r"\bText\b|\btext cell", w)})
    assert wrong == [], wrong
    assert any("Markdown cell" in w for w in words), words


def test_the_sample_runbook_runs_all_the_way_and_safely(
    browser: Any, app_url: str, runner: RunnerProcess
) -> None:
    """ "Try a sample runbook" then Run all: every cell Run all takes ends well (the prompt answered), the
    ones it leaves out (a failure, a long count, an interactive read) stay idle, and the session's directory
    is a fresh temporary one (the sample touches nothing else)."""
    page = connected_page(browser, app_url, runner)
    try:
        page.get_by_role("button", name="Try a sample runbook").click()
        page.wait_for_selector("#notebook[data-view-state='idle']")
        header_action(page, "Run all")
        prompt = page.get_by_role("dialog", name="Environment variables for ask-name")
        expect(prompt).to_be_visible(timeout=TIMEOUT_MS)
        prompt.get_by_label("VISITOR").fill("Ada")
        prompt.get_by_role("button", name="Run").click()
        for name in ("hello", "set-greeting", "use-greeting", "ask-name", "streams"):
            wait_exit(page, name, 0)
        assert "Nice to meet you, Ada" in output_text(page, "ask-name")
        work = output_text(page, "set-greeting").split("Working in ", 1)[1].split()[0]
        assert "tmp" in work and f"still in {work}" in output_text(page, "use-greeting")
        for name in ("fails", "count", "interactive"):
            expect(cell(page, name)).to_have_attribute("data-state", "idle")
    finally:
        page.context.close()
