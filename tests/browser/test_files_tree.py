"""The opened folder as a tree (issue 14, item 4): folders collapse (mouse and keys), a filter narrows it as
you type, the panel is resizable, Ctrl+P opens any file by a fuzzy path, a search finds text and cell names
across the files, each file shows its runnable cells, the tree follows the disk when the window gets the
focus back, and the sticky header never covers the panel. Entries keep their hook: `treeitem`s named by
their path in the folder."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.docs_tree import MARKDOWN_PATHS, entry, open_tree
from tests.browser.files_support import opfs_write

pytestmark = pytest.mark.browser


def visible_paths(panel: Any) -> list[str]:
    return panel.locator(".folder-file:visible").evaluate_all("els => els.map(e => e.dataset.path)")


def folder_item(panel: Any, path: str) -> Any:
    return panel.get_by_role("treeitem", name=path + "/", exact=True)


def test_every_markdown_file_is_a_tree_item_named_by_its_path(ready_page: Any) -> None:
    panel = open_tree(ready_page)
    listed = panel.locator(".folder-file").evaluate_all("els => els.map(e => e.dataset.path)")
    assert sorted(listed) == MARKDOWN_PATHS  # node_modules/ and the images are not listed
    for path in MARKDOWN_PATHS:
        expect(entry(panel, path)).to_have_count(1)
    expect(panel.get_by_role("tree")).to_be_visible()


def test_folders_collapse_by_mouse_and_keyboard(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    install = folder_item(panel, "docs/installation")
    expect(install).to_have_attribute("aria-expanded", "true")
    install.locator(":scope > .dir-name").click()
    expect(install).to_have_attribute("aria-expanded", "false")
    expect(entry(panel, "docs/installation/linux.md")).to_be_hidden()
    install.locator(":scope > .dir-name").click()
    expect(entry(panel, "docs/installation/linux.md")).to_be_visible()

    # Keys of the WAI-ARIA tree: Left closes a folder, Right opens it, Down moves, Enter opens a file.
    install.focus()
    page.keyboard.press("ArrowLeft")
    expect(install).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowRight")
    expect(install).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(entry(panel, "docs/installation/index.md")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#doc-name")).to_contain_text("docs/installation/index.md")


def test_the_filter_narrows_the_tree_as_you_type(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    field = panel.get_by_role("searchbox", name="Filter files")
    field.fill("compute")
    expect(panel.locator(".folder-file:visible")).to_have_count(1)
    assert visible_paths(panel) == ["docs/tutorials/kubernetes/03-compute-resources.md"]
    field.fill("guide index")  # words in any order, each somewhere in the path
    expect(panel.locator(".folder-file:visible")).to_have_count(2)
    assert visible_paths(panel) == ["docs/guide/index.md", "docs/guide/advanced/index.md"]
    field.fill("nothing-like-this")
    expect(panel.get_by_text("No file matches the filter.")).to_be_visible()
    field.fill("")
    expect(panel.locator(".folder-file:visible")).to_have_count(len(MARKDOWN_PATHS))


def test_quick_open_by_fuzzy_path(ready_page: Any) -> None:
    page = ready_page
    open_tree(page)
    page.keyboard.press("Control+p")
    dialog = page.get_by_role("dialog", name="Go to file")
    expect(dialog).to_be_visible()
    field = dialog.get_by_role("combobox", name="File to open")
    expect(field).to_be_focused()
    field.fill("kub03")
    first = dialog.get_by_role("option").first
    expect(first).to_contain_text("03-compute-resources.md")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#doc-name")).to_contain_text("docs/tutorials/kubernetes/03-compute-resources.md")
    # Escape closes it and leaves the document alone.
    page.keyboard.press("Control+p")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#doc-name")).to_contain_text("03-compute-resources.md")


def test_search_across_files_finds_text_and_cell_names(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    search = panel.get_by_role("searchbox", name="Search in folder")
    results = panel.get_by_role("region", name="Search results")
    search.fill("winget")
    hit = results.locator(".folder-hit", has_text="winget install acme")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("docs/installation/windows.md")
    hit.click()
    expect(page.locator("#doc-name")).to_contain_text("docs/installation/windows.md")
    search.fill("check-curl")  # a cell's name
    cell_hit = results.locator(".folder-hit[data-cell='check-curl']")
    expect(cell_hit).to_contain_text("docs/installation/linux.md")
    cell_hit.click()
    expect(page.locator("#doc-name")).to_contain_text("docs/installation/linux.md")
    expect(page.locator("#notebook .cell[data-cell-name='check-curl']")).to_be_focused()


def test_each_file_shows_its_runnable_cells(ready_page: Any) -> None:
    """Counted with the rule the CLI uses (fenced.document.runnable): sample blocks are not cells to run."""
    panel = open_tree(ready_page)
    counts = {
        "README.md": "1",
        "docs/installation/index.md": "1",  # ```bash runs; ```text is sample output
        "docs/reference/cli/index.md": "0",  # ```console and ```plaintext are samples
        "docs/guide/index.md": "1",
    }
    for path, n in counts.items():
        expect(entry(panel, path)).to_have_attribute("data-runnable", n)
    expect(entry(panel, "docs/installation/index.md")).to_have_attribute(
        "aria-description", "1 runnable cell"
    )


def test_entries_are_updated_in_place_when_their_marks_change(ready_page: Any) -> None:
    """The marks (file shown, unsaved, runnable count) change while the user works in the tree; an entry
    patched in place keeps its element, so the keyboard focus and a script's reference stay on it."""
    page = ready_page
    panel = open_tree(page)
    path = "docs/installation/linux.md"
    item = entry(panel, path)
    expect(item).to_have_attribute("data-runnable", "1")
    handle = item.element_handle()
    item.focus()
    page.keyboard.press("Enter")  # opens it: the entry becomes the current file
    expect(page.locator("#doc-name")).to_contain_text(path)
    expect(item).to_have_attribute("aria-current", "true")
    assert handle.evaluate("e => e.isConnected && e.getAttribute('aria-current')") == "true"


def test_entries_keep_their_elements_when_the_tree_follows_the_disk(ready_page: Any) -> None:
    """The window getting the focus back lists the folder again: entries still there are not drawn anew
    (a user's focus on one, or a script's reference, would fall off), new ones join in their place."""
    page = ready_page
    panel = open_tree(page)
    item = entry(panel, "docs/installation/linux.md")
    expect(item).to_have_attribute("data-runnable", "1")
    handle = item.element_handle()
    item.focus()
    opfs_write(page, "acme/docs/installation/mac.md", b"# Mac\n\n```sh\necho mac\n```\n")
    page.evaluate("window.dispatchEvent(new FocusEvent('focus'))")
    expect(entry(panel, "docs/installation/mac.md")).to_be_visible()
    assert handle.evaluate("e => e.isConnected")
    assert handle.evaluate("e => document.activeElement === e"), page.evaluate(
        "document.activeElement.outerHTML.slice(0, 200)"
    )
    paths = panel.locator(".folder-file").evaluate_all("els => els.map(e => e.dataset.path)")
    at = paths.index("docs/installation/mac.md")
    assert paths[at - 1 : at + 2] == [
        "docs/installation/linux.md",
        "docs/installation/mac.md",
        "docs/installation/windows.md",
    ]


def test_the_panel_is_resizable_by_mouse_and_keyboard(ready_page: Any) -> None:
    page = ready_page
    page.set_viewport_size({"width": 1280, "height": 800})
    panel = open_tree(page)
    sidebar = page.locator("#sidebar")
    handle = panel.get_by_role("separator", name="Resize the Folder panel")
    before = sidebar.bounding_box()["width"]
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"document.querySelector('#sidebar').getBoundingClientRect().width > {before + 20}"
    )
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 20, steps=4)
    page.mouse.up()
    wide = sidebar.bounding_box()["width"]
    assert wide > before + 100
    # Long paths no longer wrap mid-word: one line per entry.
    item = entry(panel, "docs/tutorials/kubernetes/03-compute-resources.md").locator(".entry-name")
    assert item.evaluate("e => e.getClientRects().length") == 1
    stored = float(page.evaluate("localStorage.getItem('fenced.folder.width')"))
    assert abs(stored - wide) < 24
    page.reload()
    page.wait_for_selector("body[data-app-state='ready']", timeout=60_000)
    got = page.evaluate("document.documentElement.style.getPropertyValue('--sidebar-w')")
    assert got == f"{stored:.0f}px"  # remembered


def test_the_tree_follows_the_disk_when_the_window_gets_the_focus(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    opfs_write(page, "acme/docs/new-page.md", b"# New\n\n```sh\necho new\n```\n")
    page.evaluate("window.dispatchEvent(new FocusEvent('focus'))")
    expect(entry(panel, "docs/new-page.md")).to_be_visible()
    expect(entry(panel, "docs/new-page.md")).to_have_attribute("data-runnable", "1")


@pytest.mark.parametrize("width", [1024, 1400])
def test_the_sticky_header_never_covers_the_panel(ready_page: Any, width: int) -> None:
    page = ready_page
    page.set_viewport_size({"width": width, "height": 700})
    panel = open_tree(page)
    # A long document, scrolled far down.
    opfs_write(page, "acme/long.md", ("# Long\n\n" + "Some prose.\n\n" * 400).encode())
    page.evaluate("window.dispatchEvent(new FocusEvent('focus'))")
    entry(panel, "long.md").click()
    expect(page.locator("#doc-name")).to_contain_text("long.md")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("window.scrollY > 1000")
    header = page.locator(".app-header").bounding_box()
    for part in (
        panel.locator(".folder-title"),
        panel.get_by_role("button", name="Close folder"),
        entry(panel, "README.md"),
    ):
        box = part.bounding_box()
        assert box is not None and box["y"] >= header["y"] + header["height"] - 0.5, (width, box, header)
        assert part.evaluate(
            "e => { const r = e.getBoundingClientRect(); const t = document.elementFromPoint(r.left + 4, r.top + r.height / 2);"
            " return e === t || e.contains(t); }"
        )
