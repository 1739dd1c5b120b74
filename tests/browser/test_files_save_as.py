"""Save as moves the document: after it, everything keyed on the old name or place follows the new file
(header, title, the view's name, where Save writes, drafts, relative images, the folder panel)."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    README,
    append_to_cell,
    fixture_bytes,
    opfs_read,
    opfs_write,
    stub_folder_picker,
    stub_save_picker,
    wait_dirty,
    wait_draft_saved,
)
from tests.browser.test_files_drafts import reload_past_guard
from tests.browser.test_files_save import edited_readme, open_from_disk
from tests.browser.view_support import header_action, view_eval
from tests.conftest import run_in_page

pytestmark = pytest.mark.browser

DRAFT_NAMES = "import js\nresult = sorted(str(r.name) for r in await js.fencedFiles.all('drafts'))"
DOC_PLACE = "from fenced.app import testing\ndoc = testing.app.files.doc\nresult = [doc.name, doc.path]"


def png(width: int, height: int) -> bytes:
    """A tiny RGBA PNG: images of different sizes tell which file a relative `src` was read from."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def expect_named(page: Any, name: str, dirty: bool) -> None:
    expect(page.locator("#doc-name .doc-name-text")).to_have_text(name)
    mark = "\u25cf " if dirty else ""
    expect(page).to_have_title(f"{mark}{name} \u2014 Fenced")


def test_save_as_moves_name_saves_and_drafts_to_the_new_file(ready_page: Any) -> None:
    page = ready_page
    original = fixture_bytes(README)
    open_from_disk(page, "README.md", original)
    append_to_cell(page, "echo", " # one")
    wait_draft_saved(page)  # a draft under the old name exists: Save as must not leave it behind
    assert run_in_page(page, DRAFT_NAMES) == ["README.md"]

    stub_save_picker(page, "copies/runbook.md")
    header_action(page, "Save as")
    wait_dirty(page, False)
    expect_named(page, "runbook.md", dirty=False)
    assert view_eval(page, "view.name") == "runbook.md"
    assert opfs_read(page, "copies/runbook.md") == edited_readme(original, b" # one")
    assert opfs_read(page, "README.md") == original
    assert run_in_page(page, DRAFT_NAMES) == []

    # Plain Save (Ctrl+S) now writes the new file, without asking, and leaves the old one alone.
    page.evaluate("() => { window.showSaveFilePicker = async () => { throw new Error('asked again'); }; }")
    append_to_cell(page, "echo", " two")
    wait_dirty(page, True)
    expect_named(page, "runbook.md", dirty=True)
    page.keyboard.press("Control+s")
    wait_dirty(page, False)
    assert opfs_read(page, "copies/runbook.md") == edited_readme(original, b" # one two")
    assert opfs_read(page, "README.md") == original

    # Drafts carry the new name: a reload offers exactly one, for runbook.md, and it restores into it.
    append_to_cell(page, "echo", " three")
    wait_draft_saved(page)
    assert run_in_page(page, DRAFT_NAMES) == ["runbook.md"]
    assert reload_past_guard(page) == ["beforeunload"]
    offers = page.get_by_role("region", name="Unsaved drafts")
    expect(offers.locator(".draft-offer")).to_have_count(1)
    offer = offers.get_by_role("group", name="Unsaved changes to runbook.md")
    offer.get_by_role("button", name="Restore").click()
    wait_dirty(page, True)
    expect_named(page, "runbook.md", dirty=True)
    assert view_eval(page, "view.name") == "runbook.md"
    page.keyboard.press("Control+s")
    wait_dirty(page, False)
    assert opfs_read(page, "copies/runbook.md") == edited_readme(original, b" # one two three")
    assert opfs_read(page, "README.md") == original


def test_save_as_inside_the_open_folder_rebases_images_and_the_panel(ready_page: Any) -> None:
    page = ready_page
    for path, data in [
        ("proj/docs/guide.md", b"# Guide\n\n![logo](../img/logo.png)\n\n```sh\necho hi\n```\n"),
        ("proj/img/logo.png", png(1, 1)),  # seen from docs/guide.md
        ("proj/deep/img/logo.png", png(3, 2)),  # seen from deep/er/guide.md
    ]:
        opfs_write(page, path, data)
    stub_folder_picker(page, "proj")
    header_action(page, "Open folder")
    panel = page.get_by_role("complementary", name="Folder")
    panel.get_by_role("treeitem", name="docs/guide.md").click()
    expect_named(page, "guide.md", dirty=False)
    logo = page.locator("#notebook img[alt='logo']")
    page.wait_for_function("() => document.querySelector(\"#notebook img[alt='logo']\")?.naturalWidth === 1")

    stub_save_picker(page, "proj/deep/er/guide.md")
    header_action(page, "Save as")
    expect(panel.locator("[aria-current='true']")).to_have_attribute("data-path", "deep/er/guide.md")
    paths = panel.locator(".folder-file").evaluate_all("els => els.map(e => e.dataset.path)")
    assert paths == ["deep/er/guide.md", "docs/guide.md"]
    assert view_eval(page, "view.name") == "deep/er/guide.md"
    assert run_in_page(page, DOC_PLACE) == ["guide.md", "deep/er/guide.md"]  # outputs go next to it
    # The shown image is read again, relative to the new place.
    page.wait_for_function("() => document.querySelector(\"#notebook img[alt='logo']\")?.naturalWidth === 3")
    expect(logo).to_have_count(1)
