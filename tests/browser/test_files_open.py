"""Opening files: drop, the Open picker (OPFS stand-in), Open folder, recents, and files we refuse."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    README,
    cells,
    drop_big_file,
    drop_file,
    expected_cells,
    fixture_bytes,
    message,
    opfs_write,
    stub_folder_picker,
    stub_open_picker,
    view_text,
    wait_cells,
)
from tests.browser.view_support import header_action
from tests.conftest import wait_ready, wait_until

pytestmark = pytest.mark.browser

PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="


def test_drop_readme_shows_cells(ready_page: Any) -> None:
    page = ready_page
    data = fixture_bytes(README)
    want = expected_cells(data.decode())
    seen = drop_file(page, "README.md", data)
    assert seen["overPrevented"] and seen["dropPrevented"], (
        "drag/drop must be default-prevented synchronously"
    )
    assert seen["highlighted"] and not seen["stillHighlighted"]
    wait_cells(page, len(want))
    assert cells(page) == want
    names = [name for kind, name in want if kind == "code"]
    assert {"echo", "print-name", "hello-js"} <= set(names)
    expect(page).to_have_title("README.md \u2014 Fenced")
    expect(page.locator("#doc-name")).to_have_text("README.md")
    assert page.locator("body").get_attribute("data-dirty") == "false"


REFUSED = [
    ("latin1.md", "# Caf\u00e9\n\n```sh\necho caf\u00e9\n```\n".encode("latin-1"), "not UTF-8"),
    ("tool.md", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 10, "not a Markdown file"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a Markdown file"),
]


def test_refused_files_leave_the_open_document_alone(ready_page: Any) -> None:
    """Non-UTF-8, binary, not Markdown, over 20 MB: a clear message each, and the open notebook untouched."""
    page = ready_page
    original = fixture_bytes(README)
    drop_file(page, "README.md", original)
    wait_cells(page, len(expected_cells(original.decode())))
    expect(page).to_have_title("README.md \u2014 Fenced")
    before = cells(page)
    error = message(page, "error")
    for name, data, words in REFUSED:
        drop_file(page, name, data, mime="application/octet-stream")
        expect(error).to_contain_text(name)
        expect(error).to_contain_text(words)
    drop_big_file(page, "huge.md", 20 * 1024 * 1024 + 1)
    expect(error).to_contain_text("huge.md is 20.0 MB")
    assert error.count() == 1  # one message, replaced each time
    assert cells(page) == before
    assert view_text(page) == original.decode()
    assert page.locator("body").get_attribute("data-dirty") == "false"
    expect(page).to_have_title("README.md \u2014 Fenced")


def test_open_picker_then_reopen_from_recents_after_reload(ready_page: Any) -> None:
    page = ready_page
    data = fixture_bytes(README)
    opfs_write(page, "runbooks/README.md", data)
    stub_open_picker(page, "runbooks/README.md")
    page.get_by_role("button", name="Open", exact=True).click()
    want = expected_cells(data.decode())
    wait_cells(page, len(want))
    assert cells(page) == want
    expect(page).to_have_title("README.md \u2014 Fenced")
    assert page.evaluate("() => window.__pickerOpts.types[0].accept['text/markdown']") == [
        ".md",
        ".markdown",
        ".mdx",
    ]
    page.reload()
    wait_ready(page)
    recent = page.get_by_role("region", name="Recent files").get_by_role(
        "button", name="README.md", exact=True
    )
    t0 = page.evaluate("() => Date.now()")
    recent.click()
    wait_cells(page, len(want))
    assert cells(page) == want
    # The same file again is the same recents entry (FileSystemHandle.isSameEntry), moved to the top.
    wait_until(
        page,
        "async (t0) => { const r = await fencedFiles.all('recents'); return r.length === 1 && r[0].opened >= t0; }",
        t0,
    )


def test_open_without_file_system_access_uses_file_input(ready_page: Any) -> None:
    page = ready_page
    page.evaluate("() => { delete window.showOpenFilePicker; delete Window.prototype.showOpenFilePicker; }")
    assert page.evaluate("() => 'showOpenFilePicker' in window") is False
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Open", exact=True).click()
    data = fixture_bytes(README)
    chooser.value.set_files([{"name": "README.md", "mimeType": "text/markdown", "buffer": data}])
    want = expected_cells(data.decode())
    wait_cells(page, len(want))
    assert cells(page) == want


def test_open_folder_lists_markdown_and_opens_one(ready_page: Any) -> None:
    page = ready_page
    envs = README.parent / "envs" / "README.md"
    png = base64.b64decode(PNG_1PX)
    for path, data in [
        ("proj/README.md", fixture_bytes(README)),
        ("proj/docs/envs.md", fixture_bytes(envs)),
        ("proj/docs/guide.md", b"# Guide\n\n![logo](../img/logo.png)\n\n```sh\necho hi\n```\n"),
        ("proj/img/logo.png", png),
        ("proj/docs/notes.txt", b"not listed"),
        ("proj/logo.png", b"\x89PNG"),
        ("proj/.git/HEAD.md", b"# no"),
        ("proj/node_modules/pkg/README.md", b"# no"),
    ]:
        opfs_write(page, path, data)
    stub_folder_picker(page, "proj")
    header_action(page, "Open folder")
    panel = page.get_by_role("complementary", name="Folder")
    panel.get_by_role("treeitem", name="docs/envs.md").wait_for()
    listed = panel.locator(".folder-file").evaluate_all("els => els.map(e => e.dataset.path)")
    assert listed == ["README.md", "docs/envs.md", "docs/guide.md"]
    panel.get_by_role("treeitem", name="docs/envs.md").click()
    want = expected_cells(fixture_bytes(envs).decode())
    wait_cells(page, len(want))
    assert cells(page) == want
    expect(panel.locator("[aria-current='true']")).to_have_attribute("data-path", "docs/envs.md")
    expect(page).to_have_title("envs.md \u2014 Fenced")
    # A relative image climbs out of docs/ into the opened folder: the view got the folder and the path.
    panel.get_by_role("treeitem", name="docs/guide.md").click()
    expect(page).to_have_title("guide.md \u2014 Fenced")
    expect(page.locator("#notebook img[alt='logo']")).to_have_attribute("src", re.compile(r"^blob:"))
