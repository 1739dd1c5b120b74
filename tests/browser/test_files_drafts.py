"""Unsaved edits survive a reload: the beforeunload guard asks, the draft is offered, Restore brings
the edits back (still dirty, saved to the same file), Discard forgets them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    README,
    append_to_cell,
    drop_file,
    fixture_bytes,
    opfs_read,
    view_text,
    wait_dirty,
    wait_draft_saved,
)
from tests.browser.test_files_save import edited_readme, open_from_disk
from tests.conftest import run_in_page, wait_ready

pytestmark = pytest.mark.browser


def reload_past_guard(page: Any) -> list[str]:
    """Reload, accepting the beforeunload prompt; returns the kinds of dialogs the page raised."""
    seen: list[str] = []

    def accept(dialog: Any) -> None:
        seen.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    page.reload()
    wait_ready(page)
    page.remove_listener("dialog", accept)
    return seen


def test_reload_offers_the_draft_and_restore_works(ready_page: Any) -> None:
    page = ready_page
    original = fixture_bytes(README)
    open_from_disk(page, "README.md", original)
    append_to_cell(page, "echo", " # draft")
    wait_draft_saved(page)

    assert reload_past_guard(page) == ["beforeunload"]
    offers = page.get_by_role("region", name="Unsaved drafts")
    offer = offers.get_by_role("group", name="Unsaved changes to README.md")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore").click()
    wait_dirty(page, True)
    expect(offers).to_be_hidden()
    expect(page).to_have_title("\u25cf README.md \u2014 Fenced")
    assert view_text(page) == edited_readme(original, b" # draft").decode()

    # The restored draft still knows its file: Save writes there, and the draft is gone.
    page.get_by_role("button", name="Save", exact=True).click()
    wait_dirty(page, False)
    assert opfs_read(page, "README.md") == edited_readme(original, b" # draft")
    assert run_in_page(page, "import js\nresult = len(await js.fencedFiles.all('drafts'))") == 0
    assert reload_past_guard(page) == []  # clean: no prompt, no offer
    expect(page.get_by_role("region", name="Recent files")).to_be_visible()
    expect(page.get_by_role("region", name="Unsaved drafts")).to_be_hidden()


def test_discard_forgets_the_draft(ready_page: Any) -> None:
    page = ready_page
    original = fixture_bytes(README)
    open_from_disk(page, "README.md", original)
    append_to_cell(page, "echo", " # scrap")
    wait_draft_saved(page)
    reload_past_guard(page)
    offer = page.get_by_role("group", name="Unsaved changes to README.md")
    offer.get_by_role("button", name="Discard").click()
    expect(offer).to_be_hidden()
    assert run_in_page(page, "import js\nresult = len(await js.fencedFiles.all('drafts'))") == 0
    assert opfs_read(page, "README.md") == original


def test_opening_another_file_keeps_the_edits_in_their_open_editor(ready_page: Any) -> None:
    """Issue 14: switching files no longer turns edits into a draft to restore; the document stays open
    with its edits (and its dirty mark), and is shown again as it was."""
    page = ready_page
    original = fixture_bytes(README)
    open_from_disk(page, "README.md", original)
    append_to_cell(page, "echo", " # kept")
    wait_dirty(page, True)
    envs = README.parent / "envs" / "README.md"
    drop_file(page, "envs.md", fixture_bytes(envs))
    expect(page).to_have_title("envs.md \u2014 Fenced")
    assert page.locator("body").get_attribute("data-dirty") == "false"
    editors = page.get_by_role("region", name="Open editors")
    expect(editors.locator("li[data-dirty='true']")).to_have_attribute("data-path", "README.md")
    expect(page.get_by_role("region", name="Unsaved drafts")).to_be_hidden()  # not a draft: still open
    editors.get_by_role("button", name="README.md", exact=True).click()
    expect(page).to_have_title("\u25cf README.md \u2014 Fenced")
    assert view_text(page) == edited_readme(original, b" # kept").decode()
    page.keyboard.press("Control+s")
    wait_dirty(page, False)
    assert opfs_read(page, "README.md") == edited_readme(original, b" # kept")
    expect(editors.locator("li[data-dirty='true']")).to_have_count(0)


def test_drafts_of_two_namesakes_each_have_their_own_name(ready_page: Any) -> None:
    """Two runbook.md dropped from different folders (the page gets no path): after a reload each draft is
    offered under its own name, as the open editors list names them, and each restores its own edits."""
    page = ready_page
    first = b'# One\n\n```sh {"name":"one"}\necho one\n```\n'
    second = b'# Two\n\n```sh {"name":"two"}\necho two\n```\n'
    drop_file(page, "runbook.md", first)
    expect(page.locator("#notebook .cell[data-cell-name='one']")).to_have_count(1)
    append_to_cell(page, "one", " # first")
    wait_draft_saved(page)
    drop_file(page, "runbook.md", second)
    expect(page.locator("#notebook .cell[data-cell-name='two']")).to_have_count(1)
    append_to_cell(page, "two", " # second")
    wait_draft_saved(page)

    assert reload_past_guard(page) == ["beforeunload"]
    offers = page.get_by_role("region", name="Unsaved drafts")
    expect(offers.locator(".draft-offer")).to_have_count(2)
    names = offers.locator(".draft-offer").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert sorted(names) == ["Unsaved changes to runbook.md", "Unsaved changes to runbook.md (2)"]
    offers.get_by_role("group", name="Unsaved changes to runbook.md (2)").get_by_role(
        "button", name="Restore"
    ).click()
    wait_dirty(page, True)
    restored = view_text(page)
    assert restored in (
        '# One\n\n```sh {"name":"one"}\necho one # first\n```\n',
        '# Two\n\n```sh {"name":"two"}\necho two # second\n```\n',
    )
    expect(offers.locator(".draft-offer")).to_have_count(1)
