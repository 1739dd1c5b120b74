"""No edit is ever lost (issue 11, item 3): while typing, a draft is written at least every 2 s; closing or
reloading the tab within 100 ms of the last keystroke, with or without the beforeunload prompt, loses none
of the edits made in five cells: the "Unsaved drafts" region offers them, and Restore brings them back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import append_to_cell, code_cell, view_text, wait_dirty
from tests.browser.test_files_save import open_from_disk
from tests.conftest import run_in_page, wait_ready

pytestmark = pytest.mark.browser

NAMES = ["one", "two", "three", "four", "five"]
DOC = "# Five steps\n\n" + "\n".join(f'```sh {{"name":"{n}"}}\necho {n}\n```\n' for n in NAMES)


def expected() -> str:
    text = DOC
    for n in NAMES:
        text = text.replace(f"echo {n}\n", f"echo {n} # edited {n}\n", 1)
    return text


def type_in_five_cells(page: Any) -> None:
    for n in NAMES:
        append_to_cell(page, n, f" # edited {n}")  # the last keystroke: the page goes right after


def restore_in_new_page(context: Any, app_url: str) -> Any:
    page = context.new_page()
    page.goto(app_url)
    wait_ready(page)
    offers = page.get_by_role("region", name="Unsaved drafts")
    offer = offers.get_by_role("group", name="Unsaved changes to steps.md")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore").click()
    wait_dirty(page, True)
    return page


@pytest.mark.parametrize("prompt", ["accepted", "no prompt"])
def test_closing_the_tab_right_after_typing_loses_nothing(
    context: Any, app_url: str, ready_page: Any, prompt: str
) -> None:
    page = ready_page
    open_from_disk(page, "steps.md", DOC.encode())
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    type_in_five_cells(page)
    page.close(run_before_unload=prompt == "accepted")
    if prompt == "accepted":
        page.wait_for_event("close")
        assert dialogs == ["beforeunload"]
    restored = restore_in_new_page(context, app_url)
    assert view_text(restored) == expected()


def test_reloading_right_after_typing_loses_nothing(ready_page: Any, app_url: str) -> None:
    page = ready_page
    open_from_disk(page, "steps.md", DOC.encode())
    page.on("dialog", lambda d: d.accept())
    type_in_five_cells(page)
    page.reload()
    wait_ready(page)
    offer = page.get_by_role("group", name="Unsaved changes to steps.md")
    offer.get_by_role("button", name="Restore").click()
    wait_dirty(page, True)
    assert view_text(page) == expected()
    # The restored draft still belongs to its file: Save writes it there.
    page.keyboard.press("Control+s")
    wait_dirty(page, False)


DRAFT_TEXT = """
import js, json
records = [r for r in await js.fencedFiles.all('drafts')]
result = [str(r.text) for r in records]
"""


def test_a_draft_is_written_while_typing_goes_on(ready_page: Any) -> None:
    """Steady typing (a key every 100 ms, never a pause) still writes a draft within 2 s."""
    page = ready_page
    open_from_disk(page, "steps.md", DOC.encode())
    content = code_cell(page, "three").locator(".cm-content")
    content.click()
    page.keyboard.press("Control+End")
    typed = ""
    found = ""
    for i in range(60):  # up to 6 s of typing
        page.keyboard.type("x", delay=0)
        typed += "x"
        page.wait_for_timeout(100)  # the typist's pace, not a synchronisation
        if i >= 20:  # 2 s of typing so far
            drafts = run_in_page(page, DRAFT_TEXT)
            found = next((t for t in drafts if "echo threex" in t), "")
            if found:
                break
    assert found, "no draft was written during 6 s of steady typing"
    assert i < 40, f"the first draft came only after {i / 10:.1f} s of typing"
    written = found.split("echo three", 1)[1].split("\n", 1)[0]
    # written while typing went on: a draft of some prefix of what was typed (all of it when the periodic
    # write fell just after the last key before this check)
    assert set(written) == {"x"} and len(written) <= len(typed)
