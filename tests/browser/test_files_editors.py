"""Open documents keep their edits (issue 14, item 2): switching files keeps each one's state in memory
(edits, undo history, scroll position) without turning them into drafts; dirty marks in the Folder panel
and the Open editors list; the header shows the path as a breadcrumb; messages and drafts name the path
in the folder; Close asks when there are unsaved edits."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.docs_tree import TREE, entry, open_tree
from tests.browser.files_support import (
    append_to_cell,
    code_cell,
    opfs_read,
    opfs_write,
    stub_folder_picker,
    stub_open_picker,
    view_text,
    wait_dirty,
)
from tests.browser.test_files_drafts import reload_past_guard
from tests.browser.view_support import header_action
from tests.conftest import run_in_page

pytestmark = pytest.mark.browser


def edited(path: str, cell_line: str, added: str) -> str:
    return str(TREE[path]).replace(cell_line, cell_line + added, 1)


def edit_two(page: Any) -> Any:
    """Open the folder, edit docs/index.md, then docs/guide/index.md (left shown); returns the panel."""
    panel = open_tree(page)
    entry(panel, "docs/index.md").click()
    append_to_cell(page, "version", " # one")
    wait_dirty(page, True)
    page.keyboard.press("Escape")
    entry(panel, "docs/guide/index.md").click()
    expect(page.locator("#doc-name")).to_contain_text("docs/guide/index.md")
    append_to_cell(page, "configure", " # two")
    wait_dirty(page, True)
    page.keyboard.press("Escape")
    return panel


def test_save_during_a_switch_writes_the_document_switched_to(ready_page: Any) -> None:
    """Save started in the same moment as a switch (Ctrl+S right after a click) waits for the switch:
    it must not write one document's text into the other's file."""
    page = ready_page
    edit_two(page)
    run_in_page(
        page,
        "import asyncio\n"
        "from fenced.app import testing\n"
        "files = testing.app.files\n"
        "first = next(d for d in files.current.open if d.path == 'docs/index.md')\n"
        "switch = asyncio.ensure_future(files.editors.activate(first))\n"
        "while not files.current.switch.locked():  # the switch has begun\n"
        "    await asyncio.sleep(0)\n"
        "saved = await files.saver.save()\n"
        "await switch\n"
        "result = saved",
    )
    expect(page.locator("#doc-name")).to_contain_text("docs/index.md")
    wait_dirty(page, False)
    assert opfs_read(page, "acme/docs/index.md").decode() == edited(
        "docs/index.md", "acme --version", " # one"
    )
    assert opfs_read(page, "acme/docs/guide/index.md").decode() == TREE["docs/guide/index.md"]


def test_switching_files_keeps_edits_history_and_marks(ready_page: Any) -> None:
    page = ready_page
    panel = edit_two(page)
    editors = page.get_by_role("region", name="Open editors")
    entry(panel, "README.md").click()
    wait_dirty(page, False)

    # Both edited documents are marked, in the panel and in the list; no draft is offered for them.
    for path in ("docs/index.md", "docs/guide/index.md"):
        expect(entry(panel, path)).to_have_attribute("data-dirty", "true")
        expect(editors.locator(f"li[data-path='{path}']")).to_have_attribute("data-dirty", "true")
    expect(entry(panel, "README.md")).not_to_have_attribute("data-dirty", "true")
    expect(page.get_by_role("region", name="Unsaved drafts")).to_be_hidden()

    # Back to the first one: its edits are there, it is dirty, and Undo takes the edit back.
    editors.get_by_role("button", name="docs/index.md", exact=True).click()
    wait_dirty(page, True)
    expect(page.locator("#doc-name")).to_contain_text("docs/index.md")
    assert view_text(page) == edited("docs/index.md", "acme --version", " # one")
    code_cell(page, "version").focus()
    page.keyboard.press("Escape")
    run_in_page(page, "from fenced.app import testing\ntesting.app.view.undo()\nresult = 1")
    assert view_text(page) == TREE["docs/index.md"]

    # Saving names the path in the folder, and the file on disk changes, not its namesakes.
    entry(panel, "docs/guide/index.md").click()
    expect(page.locator("#doc-name")).to_contain_text("docs/guide/index.md")
    wait_dirty(page, True)
    page.keyboard.press("Control+s")
    wait_dirty(page, False)
    expect(page.locator(".message[data-message-kind='success']")).to_contain_text(
        "Saved docs/guide/index.md."
    )
    assert opfs_read(page, "acme/docs/guide/index.md").decode() == edited(
        "docs/guide/index.md", "export ACME_HOME=$HOME/.acme", " # two"
    )
    assert opfs_read(page, "acme/docs/index.md").decode() == TREE["docs/index.md"]


def test_the_header_shows_the_path_as_a_breadcrumb(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    entry(panel, "docs/tutorials/kubernetes/index.md").click()
    crumbs = page.locator("#doc-name").get_by_role("navigation", name="Document path")
    expect(crumbs).to_have_text("docs/tutorials/kubernetes/index.md")
    expect(crumbs.locator("[aria-current='page']")).to_have_text("index.md")
    # A folder in the breadcrumb shows that folder in the Folder panel.
    tutorials = panel.get_by_role("treeitem", name="docs/tutorials/", exact=True)
    tutorials.locator(":scope > .dir-name").click()  # collapse it first
    expect(tutorials).to_have_attribute("aria-expanded", "false")
    crumbs.get_by_role("button", name="tutorials").click()
    expect(tutorials).to_have_attribute("aria-expanded", "true")
    expect(tutorials).to_be_focused()


def test_drafts_of_namesakes_name_their_paths(ready_page: Any) -> None:
    """Nine files are called index.md: two edited ones leave two drafts, each named by its path."""
    page = ready_page
    panel = open_tree(page)
    entry(panel, "docs/index.md").click()
    append_to_cell(page, "version", " # a")
    entry(panel, "docs/guide/index.md").click()
    append_to_cell(page, "configure", " # b")
    page.wait_for_selector("body[data-dirty='true'][data-draft-state='saved']", state="attached")
    reload_past_guard(page)
    offers = page.get_by_role("region", name="Unsaved drafts")
    expect(offers.get_by_role("group")).to_have_count(2)
    expect(offers.get_by_role("group", name="Unsaved changes to docs/index.md")).to_be_visible()
    # The folder opened again: restoring a draft highlights its own file in the panel.
    stub_folder_picker(page, "acme")
    header_action(page, "Open folder")
    expect(entry(panel, "docs/index.md")).to_be_visible()
    offer = offers.get_by_role("group", name="Unsaved changes to docs/guide/index.md")
    offer.get_by_role("button", name="Restore").click()
    wait_dirty(page, True)
    expect(page.locator("#doc-name")).to_contain_text("docs/guide/index.md")
    expect(entry(panel, "docs/guide/index.md")).to_have_attribute("aria-current", "true")
    expect(panel.locator("[aria-current='true']")).to_have_count(1)
    expect(entry(panel, "docs/guide/index.md")).to_have_attribute("data-dirty", "true")
    assert view_text(page) == edited("docs/guide/index.md", "export ACME_HOME=$HOME/.acme", " # b")


def test_close_asks_when_there_are_unsaved_edits(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    editors = page.get_by_role("region", name="Open editors")
    entry(panel, "docs/installation/linux.md").click()
    entry(panel, "docs/index.md").click()
    append_to_cell(page, "version", " # unsaved")
    wait_dirty(page, True)

    editors.get_by_role("button", name="Close docs/index.md").click()
    dialog = page.get_by_role("dialog", name="Save changes to docs/index.md?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(editors.locator("li[data-path='docs/index.md']")).to_have_count(1)
    wait_dirty(page, True)

    editors.get_by_role("button", name="Close docs/index.md").click()
    dialog.get_by_role("button", name="Don\u2019t save").click()
    expect(editors.locator("li[data-path='docs/index.md']")).to_have_count(0)
    expect(page.locator("#doc-name")).to_contain_text("docs/installation/linux.md")  # the neighbour shows
    assert opfs_read(page, "acme/docs/index.md").decode() == TREE["docs/index.md"]
    assert run_in_page(page, "import js\nresult = len(await js.fencedFiles.all('drafts'))") == 0

    # A clean one closes without asking; closing the last leaves no document.
    editors.get_by_role("button", name="Close docs/installation/linux.md").click()
    expect(editors).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-has-document", "false")
    expect(page.locator("#notebook")).to_be_hidden()


def test_namesakes_from_two_folders_are_two_open_editors(ready_page: Any) -> None:
    """Two README.md picked from different folders (no folder open, so no paths to tell them by): two open
    editors, told apart, each showing its own file."""
    page = ready_page
    editors = page.get_by_role("region", name="Open editors")
    for folder in ("a", "b"):
        opfs_write(page, f"{folder}/README.md", f"# Project {folder.upper()}\n".encode())
        stub_open_picker(page, f"{folder}/README.md")
        page.locator(".app-header").get_by_role("button", name="Open", exact=True).click()
        expect(page.locator("#notebook")).to_contain_text(f"Project {folder.upper()}")
    expect(editors.get_by_role("button", name="README.md", exact=True)).to_be_visible()
    editors.get_by_role("button", name="README.md", exact=True).click()
    expect(page.locator("#notebook")).to_contain_text("Project A")
    editors.get_by_role("button", name="README.md (2)", exact=True).click()
    expect(page.locator("#notebook")).to_contain_text("Project B")
