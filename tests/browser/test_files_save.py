"""Saving: write back through the handle (only the edited cell's lines change), unedited bytes kept,
Ctrl+S, Download, Save as for dropped files, and the changed-on-disk dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    README,
    append_to_cell,
    drop_file,
    expected_cells,
    fixture_bytes,
    message,
    opfs_read,
    opfs_write,
    stub_open_picker,
    stub_save_picker,
    wait_cells,
    wait_dirty,
)
from tests.browser.view_support import header_action

pytestmark = pytest.mark.browser

ECHO_LINE = b'$ echo "Hello, runme!"'  # the source of the cell named "echo" (an unnamed cell has it too)


def open_from_disk(page: Any, path: str, data: bytes) -> None:
    opfs_write(page, path, data)
    stub_open_picker(page, path)
    page.get_by_role("button", name="Open", exact=True).click()
    wait_cells(page, len(expected_cells(data.decode())))
    expect(page).to_have_title(f"{path.rsplit('/', 1)[-1]} \u2014 Fenced")


def edited_readme(original: bytes, suffix: bytes) -> bytes:
    """The README with `suffix` appended to the echo cell's line (its second occurrence)."""
    first = original.index(ECHO_LINE)
    second = original.index(ECHO_LINE, first + 1)
    end = second + len(ECHO_LINE)
    return original[:end] + suffix + original[end:]


def test_edit_save_changes_only_that_cell(ready_page: Any) -> None:
    page = ready_page
    original = fixture_bytes(README)
    open_from_disk(page, "README.md", original)
    append_to_cell(page, "echo", " # edited")
    wait_dirty(page, True)
    expect(page).to_have_title("\u25cf README.md \u2014 Fenced")
    expect(page.locator("#doc-name .dirty-marker")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    wait_dirty(page, False)
    expect(page).to_have_title("README.md \u2014 Fenced")
    assert opfs_read(page, "README.md") == edited_readme(original, b" # edited")
    # Ctrl+S saves the next edit through the same handle.
    append_to_cell(page, "echo", " again")
    wait_dirty(page, True)
    page.keyboard.press("Control+s")
    wait_dirty(page, False)
    assert opfs_read(page, "README.md") == edited_readme(original, b" # edited again")


def test_unedited_save_and_download_keep_the_bytes(ready_page: Any) -> None:
    page = ready_page
    # A BOM, CRLF line ends and no final newline: all must survive untouched.
    original = b"\xef\xbb\xbf" + fixture_bytes(README).replace(b"\n", b"\r\n").rstrip(b"\r\n")
    open_from_disk(page, "runbook.md", original)
    opfs_write(page, "runbook.md", original)  # same bytes, newer mtime: not a conflict
    page.get_by_role("button", name="Save", exact=True).click()
    expect(message(page, "success")).to_contain_text("Saved runbook.md")
    assert opfs_read(page, "runbook.md") == original
    with page.expect_download() as download:
        header_action(page, "Download")
    assert download.value.suggested_filename == "runbook.md"
    assert Path(download.value.path()).read_bytes() == original
    assert page.locator("body").get_attribute("data-dirty") == "false"


def test_dropped_file_saves_via_save_as_and_says_why(ready_page: Any) -> None:
    page = ready_page
    original = fixture_bytes(README)
    drop_file(page, "README.md", original)
    wait_cells(page, len(expected_cells(original.decode())))
    append_to_cell(page, "echo", " # dropped")
    wait_dirty(page, True)
    with page.expect_download() as download:  # a copy, before saving: the edited text
        header_action(page, "Download")
    assert Path(download.value.path()).read_bytes() == edited_readme(original, b" # dropped")
    stub_save_picker(page, "saved/README.md")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(message(page, "info").filter(has_text="without write access")).to_be_visible()
    # (The Download above already counted as saving this handle-less file, so data-dirty is no signal here.)
    expect(message(page, "success").filter(has_text="Saved README.md")).to_be_visible()
    wait_dirty(page, False)
    assert opfs_read(page, "saved/README.md") == edited_readme(original, b" # dropped")
    assert page.evaluate("() => window.__saveOpts.suggestedName") == "README.md"
    # From now on Save writes to the chosen file without asking again.
    page.evaluate("() => { window.showSaveFilePicker = async () => { throw new Error('asked again'); }; }")
    append_to_cell(page, "echo", "!")
    wait_dirty(page, True)
    page.get_by_role("button", name="Save", exact=True).click()
    wait_dirty(page, False)
    assert opfs_read(page, "saved/README.md") == edited_readme(original, b" # dropped!")


def test_change_on_disk_shows_both_and_asks(ready_page: Any) -> None:
    page = ready_page
    original = fixture_bytes(README)
    open_from_disk(page, "README.md", original)
    append_to_cell(page, "echo", " # mine")
    wait_dirty(page, True)
    theirs = original.replace(b"# Examples", b"# Examples, changed elsewhere")
    opfs_write(page, "README.md", theirs)

    page.get_by_role("button", name="Save", exact=True).click()
    dialog = page.get_by_role("dialog", name="README.md changed on disk")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".conflict-disk")).to_contain_text("# Examples, changed elsewhere")
    expect(dialog.locator(".conflict-ours")).to_contain_text('$ echo "Hello, runme!" # mine')
    expect(dialog.locator(".conflict-diff-text")).to_contain_text("+# Examples")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(message(page, "warning")).to_contain_text("changed on disk")
    assert opfs_read(page, "README.md") == theirs
    assert page.locator("body").get_attribute("data-dirty") == "true"

    page.keyboard.press("Control+s")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Overwrite").click()
    wait_dirty(page, False)
    assert opfs_read(page, "README.md") == edited_readme(original, b" # mine")
