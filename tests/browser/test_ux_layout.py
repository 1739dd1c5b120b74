"""The page's layout at desktop sizes (issue 13): one header row, the File and Run menus, the drop overlay, the
empty state with its sample runbook, the collapsible sidebar. Measured with bounding boxes in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    opfs_read,
    opfs_write,
    stub_folder_picker,
    stub_open_picker,
    stub_save_picker,
)
from tests.browser.ux_support import DESKTOP, NARROW_DESKTOP, PHONE, box, new_page, no_horizontal_overflow
from tests.browser.view_support import show
from tests.conftest import ROOT, wait_until

pytestmark = pytest.mark.browser

DOC = '# Guide\n\nIntro.\n\n## Build\n\n```sh {"name":"build"}\nmake\n```\n\n## Deploy\n\n```sh\necho deploy\n```\n'


def header_metrics(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const h = document.querySelector('.app-header').getBoundingClientRect();
        const kids = [...document.querySelectorAll('.app-header *')].filter(e => {
          const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
          return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.closest('[popover]:not(.header-tools)')
            && !e.closest('.header-tools:popover-open'); });
        return {height: h.height, width: h.width, out: kids.filter(e => { const r = e.getBoundingClientRect();
          return r.top < h.top - 0.5 || r.bottom > h.bottom + 0.5 || r.right > h.right + 0.5; }).map(e => e.outerHTML.slice(0, 80))}; }"""
    )


@pytest.mark.parametrize("size", [NARROW_DESKTOP, {"width": 1400, "height": 900}], ids=["1024", "1400"])
def test_one_header_row_with_open_save_and_menus(browser: Any, app_url: str, size: dict[str, int]) -> None:
    page = new_page(browser, app_url, size)
    try:
        for state in ("empty", "open"):
            if state == "open":
                page.get_by_role("button", name="Try a sample runbook").click()
                page.wait_for_selector("#notebook[data-view-state='idle']")
            m = header_metrics(page)
            assert m["height"] <= 56, (state, m)
            assert m["out"] == [], (state, m)  # everything in the header is inside its one row
            assert no_horizontal_overflow(page)
        header = page.locator(".app-header")
        # Open and Save are visible icon buttons with those accessible names and a tooltip.
        for name in ("Open", "Save"):
            button = header.get_by_role("button", name=name, exact=True)
            expect(button).to_be_visible()
            assert button.get_attribute("data-icon") and button.get_attribute("title")
            assert box(button)["width"] <= 40  # an icon, not a word
        # The document's name and its dirty mark are in the row.
        expect(page.locator("#doc-name")).to_contain_text("fenced-sample.md")
        page.locator("#notebook .cell-code .cell-header").first.click()
        page.keyboard.press("Enter")
        page.keyboard.type("echo edited\n")
        page.keyboard.press("Escape")
        page.wait_for_selector("body[data-dirty='true']", state="attached")
        mark = header.locator("#doc-name .dirty-marker")
        expect(mark).to_be_visible()
        m = header_metrics(page)
        assert m["height"] <= 56 and m["out"] == [], m
        assert box(mark)["x"] > box(page.locator("#doc-name .doc-name-text"))["x"]
        # The File menu holds the rest of the file commands.
        header.get_by_role("button", name="File", exact=True).click()
        menu = page.locator("#file-menu")
        for name in ("Open folder", "Save as", "Download", "Save with outputs"):
            expect(menu.get_by_role("button", name=name, exact=True)).to_be_visible()
        assert box(menu)["y"] >= box(header)["y"] + box(header)["height"] - 1  # under the header, not over it
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        # Run all, and its menu: continue after a failure, run above/below, stop all, restart session.
        expect(header.get_by_role("button", name="Run all")).to_be_visible()
        header.get_by_role("button", name="More run actions").click()
        run_menu = page.locator("#run-menu")
        expect(run_menu.get_by_label("Continue after a failure")).to_be_visible()
        for name in ("Run the cells above", "Run this cell and below", "Stop all", "Restart session"):
            expect(run_menu.get_by_role("button", name=name)).to_be_visible()
        page.keyboard.press("Escape")
        # The command palette and the runner's chip are in the row too.
        expect(header.get_by_role("button", name="Command palette")).to_be_visible()
        expect(header.locator(".runner-settings #runner-status")).to_be_visible()
    finally:
        page.context.close()


def test_save_commands_wait_for_a_document(ready_page: Any) -> None:
    page = ready_page
    header = page.locator(".app-header")
    expect(header.get_by_role("button", name="Open", exact=True)).to_be_enabled()
    expect(header.get_by_role("button", name="Save", exact=True)).to_be_disabled()
    header.get_by_role("button", name="File", exact=True).click()
    menu = page.locator("#file-menu")
    expect(menu.get_by_role("button", name="Open folder")).to_be_enabled()
    for name in ("Save as", "Download", "Save with outputs"):
        expect(menu.get_by_role("button", name=name)).to_be_disabled()
    page.keyboard.press("Escape")
    show(page, DOC)
    expect(header.get_by_role("button", name="Save", exact=True)).to_be_enabled()
    header.get_by_role("button", name="File", exact=True).click()
    for name in ("Save as", "Download", "Save with outputs"):
        expect(menu.get_by_role("button", name=name)).to_be_enabled()


def test_drop_zone_is_an_overlay_only_while_dragging(ready_page: Any) -> None:
    page = ready_page
    zone = page.get_by_label("Drop zone")
    expect(zone).to_be_hidden()  # the empty page offers its buttons instead
    show(page, DOC)
    expect(zone).to_be_hidden()  # and it never sits above an open notebook
    page.evaluate(
        """() => { const dt = new DataTransfer(); dt.items.add(new File(["# x"], "x.md"));
        document.body.dispatchEvent(new DragEvent("dragenter", {dataTransfer: dt, bubbles: true, cancelable: true})); }"""
    )
    expect(zone).to_be_visible()
    b, view = box(zone), page.viewport_size
    assert b["width"] >= 0.9 * view["width"] and b["height"] >= 0.9 * view["height"]  # the whole page
    assert page.evaluate("() => getComputedStyle(document.getElementById('drop-zone')).position") == "fixed"
    page.evaluate(
        """() => { const dt = new DataTransfer(); dt.items.add(new File(["# x"], "x.md"));
        document.body.dispatchEvent(new DragEvent("dragleave", {dataTransfer: dt, bubbles: true, cancelable: true})); }"""
    )
    expect(zone).to_be_hidden()


def test_empty_state_offers_open_folder_and_a_sample_that_saves_as(ready_page: Any) -> None:
    page = ready_page
    empty = page.get_by_role("region", name="Open a runbook")
    for name in ("Open file", "Open folder", "Try a sample runbook"):
        expect(empty.get_by_role("button", name=name, exact=True)).to_be_enabled()
    expect(page.locator("#connect-runner")).to_be_visible()  # fenced.app.run fills it
    empty.get_by_role("button", name="Try a sample runbook").click()
    page.wait_for_selector("#notebook[data-view-state='idle']")
    expect(empty).to_be_hidden()
    sample = (ROOT / "web" / "sample.md").read_bytes()
    assert page.locator("#notebook .cell[data-cell-kind='code']").count() >= 8
    expect(page.locator("#doc-name")).to_contain_text("fenced-sample.md")
    assert page.title().startswith("fenced-sample.md")
    # No file handle: Save becomes Save as (the picker is the OPFS stand-in), and the bytes are the sample's.
    stub_save_picker(page, "mine/sample-copy.md")
    page.locator(".app-header").get_by_role("button", name="Save", exact=True).click()
    page.wait_for_function("() => window.__saveOpts !== undefined")
    page.wait_for_selector("body[data-dirty='false']", state="attached")
    wait_until(
        page,
        "async () => { try { const d = await (await navigator.storage.getDirectory()).getDirectoryHandle('mine');"
        " return (await (await d.getFileHandle('sample-copy.md')).getFile()).size > 0; } catch (e) { return false; } }",
    )
    assert opfs_read(page, "mine/sample-copy.md") == sample


def test_sidebar_holds_the_outline_and_the_folder_and_collapses(ready_page: Any) -> None:
    page = ready_page
    sidebar = page.locator("#sidebar")
    toggle = page.get_by_role("button", name="Sidebar")
    expect(sidebar).to_be_hidden()
    show(page, DOC)
    toggle.click()
    expect(sidebar).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    outline = sidebar.get_by_role("navigation", name="Outline")
    expect(outline.get_by_role("button")).to_have_text(["Guide", "Build", "Deploy"])
    assert box(sidebar)["x"] < box(page.locator("#notebook .nb-cells"))["x"]  # on the left
    outline.get_by_role("button", name="Deploy").click()
    expect(page.locator("#notebook .cell.active")).to_contain_text("Deploy")
    # Collapsed with the keyboard (Ctrl+B) from a cell, and the choice survives a reload.
    page.locator("#notebook .cell.active").focus()
    page.keyboard.press("Control+b")
    expect(sidebar).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    page.reload()
    page.wait_for_selector("body[data-app-state='ready']")
    expect(sidebar).to_be_visible()
    # An opened folder is listed in the sidebar (fenced.app.files fills the "Folder" panel).
    opfs_write(page, "proj/docs/a.md", b"# A\n")
    stub_folder_picker(page, "proj")
    sidebar.get_by_role("button", name="Open a folder").click()
    folder = sidebar.get_by_role("complementary", name="Folder")
    expect(folder.get_by_role("treeitem", name="docs/a.md")).to_be_visible()


def test_no_page_is_wider_than_the_window(browser: Any, app_url: str) -> None:
    page = new_page(browser, app_url, DESKTOP)
    try:
        show(page, DOC + "\n```sh\n" + "x" * 400 + "\n```\n\n" + "`" + "y" * 300 + "`\n")
        assert no_horizontal_overflow(page)
    finally:
        page.context.close()


def test_every_icon_is_a_glyph_of_the_vendored_font(ready_page: Any) -> None:
    """Each `data-icon` the page uses (header, menus, sidebar, cells, outputs) has its codicon rule, and the
    font comes from this origin (dist/vendor/codicons), so no icon shows as a blank or a box."""
    page = ready_page
    page.get_by_role("button", name="Try a sample runbook").click()
    page.wait_for_selector("#notebook[data-view-state='idle']")
    page.wait_for_function("() => document.fonts.check('16px codicon')")
    missing = page.evaluate(
        """() => [...document.querySelectorAll('[data-icon]')].filter(e => {
          const s = getComputedStyle(e, '::before');
          return !s.content || s.content === 'none' || s.content === 'normal' || !s.fontFamily.includes('codicon');
        }).map(e => e.dataset.icon)"""
    )
    assert missing == [], missing
    used = page.evaluate(
        "() => new Set([...document.querySelectorAll('[data-icon]')].map(e => e.dataset.icon)).size"
    )
    assert used >= 15
    fonts = page.evaluate(
        "() => performance.getEntriesByType('resource').map(r => r.name).filter(n => n.includes('codicon'))"
    )
    assert fonts and all(f.startswith(page.evaluate("location.origin")) for f in fonts), fonts


@pytest.mark.parametrize("size", [NARROW_DESKTOP, PHONE], ids=["1024", "phone"])
def test_a_long_document_name_keeps_the_header_one_row(
    browser: Any, app_url: str, size: dict[str, int]
) -> None:
    phone = size is PHONE
    page = new_page(browser, app_url, size, touch=phone)
    try:
        name = "very-long-runbook-name-" * 8 + "final.md"
        opfs_write(page, name, DOC.encode())
        stub_open_picker(page, name)
        page.locator("body").press("Control+o")
        page.wait_for_selector("#notebook[data-view-state='idle']")
        expect(page.locator("#doc-name")).to_contain_text("final.md")
        m = header_metrics(page)
        assert m["height"] <= (64 if phone else 56) and m["out"] == [], m
        assert no_horizontal_overflow(page)
        # The name is cut with an ellipsis; every control and the runner chip stay in view.
        header = page.locator(".app-header")
        names = ("Menu",) if phone else ("Open", "Save", "File", "Run all", "Command palette")
        controls = [header.get_by_role("button", name=n, exact=True) for n in names]
        for control in [*controls, page.locator(".runner-settings")]:
            b = box(control)
            assert b["x"] >= 0 and b["x"] + b["width"] <= size["width"], control
    finally:
        page.context.close()
