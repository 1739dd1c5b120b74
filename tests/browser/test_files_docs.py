"""How documents of a real docs tree read in the browser (issue 14, items 5 and "names people can type"):
sample-output blocks are not runnable cells, cells whose Runme name is unusable show a `cell-N` fallback
(never written to the file), an MDX page carries a note that its JSX is shown as text, and a missing image
says what is missing instead of asking to open the folder that is open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.docs_tree import TREE, entry, open_tree
from tests.browser.files_support import view_text

pytestmark = pytest.mark.browser


def show(page: Any, panel: Any, path: str) -> None:
    entry(panel, path).click()
    expect(page.locator("#doc-name")).to_contain_text(path)
    expect(page.locator("#notebook")).to_have_attribute("data-view-state", "idle")


def code_cells(page: Any) -> Any:
    return page.locator("#notebook .cell-code")


def test_sample_output_blocks_are_not_runnable(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    show(page, panel, "docs/installation/index.md")
    cells = code_cells(page)
    expect(cells).to_have_count(2)
    bash, text = cells.nth(0), cells.nth(1)
    expect(bash).to_have_attribute("data-cell-role", "runnable")
    expect(bash.get_by_role("button", name="Run cell")).to_have_count(1)
    expect(text).to_have_attribute("data-cell-role", "sample")
    expect(text.get_by_role("button", name="Run cell")).to_have_count(0)
    expect(text.locator(".cell-header")).to_contain_text("sample")
    expect(bash.locator(".cell-header")).not_to_contain_text("sample")

    show(page, panel, "docs/reference/cli/index.md")  # ```console and ```plaintext
    expect(code_cells(page)).to_have_count(2)
    expect(page.locator("#notebook .cell-code[data-cell-role='sample']")).to_have_count(2)
    expect(page.locator("#notebook").get_by_role("button", name="Run cell")).to_have_count(0)


def test_unusable_names_show_a_cell_n_fallback_never_written(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    show(page, panel, "docs/getting-started/index.md")
    names = code_cells(page).evaluate_all("els => els.map(e => e.dataset.cellName)")
    # The third code cell starts with `{`: Runme's name for it is empty, Fenced shows cell-3.
    assert names == ["init", "second", "cell-3", "created-acmeyaml"]
    brace = page.locator("#notebook .cell-code[data-cell-name='cell-3']")
    expect(brace.locator(".cell-name")).to_have_text("cell-3")
    expect(brace.get_by_role("button", name="Run cell")).to_have_count(1)
    expect(page.locator("#notebook .cell-code[data-cell-name='created-acmeyaml']")).to_have_attribute(
        "data-cell-role", "sample"
    )
    assert view_text(page) == TREE["docs/getting-started/index.md"]  # nothing written for it


def test_an_mdx_page_says_its_jsx_is_shown_as_text(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    show(page, panel, "docs/tutorials/kubernetes/04-certificates.mdx")
    note = page.get_by_role("note", name="About this document")
    expect(note).to_contain_text("MDX file, read-mostly")
    expect(note).to_contain_text("<Tabs>")
    expect(note).to_contain_text("2 import/export lines")
    assert view_text(page) == TREE["docs/tutorials/kubernetes/04-certificates.mdx"]  # round trip exact
    show(page, panel, "docs/index.md")
    expect(page.get_by_role("note", name="About this document")).to_have_count(0)


def test_a_missing_image_says_what_is_missing(ready_page: Any) -> None:
    page = ready_page
    panel = open_tree(page)
    show(page, panel, "docs/guide/advanced/index.md")
    img = page.locator("#notebook img[alt='plugin screenshot']")
    expect(img).to_have_class(re.compile(r"\bimage-unavailable\b"))
    title = img.get_attribute("title") or ""
    assert "not found in the opened folder" in title and "docs/guide/advanced/img/plugins.png" in title
    assert "open the folder" not in title
