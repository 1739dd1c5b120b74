"""The last document on screen before Python runs (issue 17, "instant open"): the document shown when the
page went away comes back at once as a "Last document" card in the empty state, with its outputs' last
lines; Python takes the card over (its Reopen button) and a reload still lands on the empty state with
Recent files (issues 11 and 14)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.docs_tree import entry, open_tree
from tests.browser.files_support import drop_file, opfs_write, stub_open_picker, wait_cells
from tests.browser.run_support import cell, connect, run, runner, wait_exit, wait_output
from tests.browser.ux_support import PHONE, axe_violations, closing, new_page, screenshot
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

DEPLOY = """# Deploy notes

Roll out the *api* first.

```sh {"name":"greet"}
echo "hello-$((6*7))"
```
"""


def last_document(page: Any) -> Any:
    return page.get_by_role("region", name="Last document")


def marks(page: Any) -> dict[str, float]:
    return dict(page.evaluate("() => window.fencedBoot.marks"))


def test_the_last_document_and_its_output_show_before_python_then_reopen(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    opfs_write(page, "notes/deploy.md", DEPLOY.encode())
    stub_open_picker(page, "notes/deploy.md")
    page.get_by_role("button", name="Open", exact=True).click()
    run(page, "greet")
    wait_exit(page, "greet", 0)
    page.reload()
    wait_ready(page)
    card = last_document(page)
    expect(card).to_be_visible()
    seen = marks(page)
    assert seen["lastDocument"] < seen["python"], seen  # painted before Python was up, not by it
    glimpse = card.locator(".last-document-preview")
    expect(glimpse).to_contain_text("Deploy notes")
    expect(glimpse).to_contain_text("Roll out the api first.")
    expect(glimpse).to_contain_text('echo "hello-$((6*7))"')
    expect(glimpse.locator(".lp-output")).to_have_text("hello-42")
    expect(card.locator(".last-document-name")).to_have_attribute("data-label", "deploy.md")
    screenshot(page, "last-document-desktop")
    # A reload still shows the empty state and Recent files: nothing was opened without asking.
    assert page.locator("[data-cell-index]").count() == 0
    expect(
        page.get_by_role("region", name="Recent files").get_by_role("button", name="deploy.md", exact=True)
    ).to_be_visible()
    reopen = card.get_by_role("button", name="Reopen")
    expect(reopen).to_be_enabled()  # Python took the card over
    reopen.click()
    wait_output(page, "greet", "hello-42")  # the same file, with its run found again on the runner
    expect(page).to_have_title("deploy.md \u2014 Fenced")
    expect(card).to_have_count(0)
    assert page.locator("body").get_attribute("data-last-document") is None
    expect(cell(page, "greet")).to_be_visible()


def test_a_dropped_document_is_shown_but_only_the_user_can_open_it_again(ready_page: Any) -> None:
    page = ready_page
    drop_file(page, "dropped.md", b"# Dropped here\n\nNo handle came with it.\n")
    wait_cells(page, 1)
    expect(page).to_have_title("dropped.md \u2014 Fenced")
    page.reload()
    wait_ready(page)
    card = last_document(page)
    expect(card.locator(".last-document-preview")).to_contain_text("Dropped here")
    expect(card).to_contain_text("drop or open it again")
    expect(card.get_by_role("button", name="Reopen")).to_have_count(0)
    # Forget: the card goes, and does not come back with the next reload.
    card.get_by_role("button", name="Forget").click()
    expect(card).to_have_count(0)
    page.reload()
    wait_ready(page)
    expect(last_document(page)).to_have_count(0)
    assert page.locator("[data-cell-index]").count() == 0


def test_the_sample_and_a_folder_file_reopen(ready_page: Any) -> None:
    page = ready_page
    # A dropped file named like the sample is not the sample: only the user can open it again.
    drop_file(page, "fenced-sample.md", b"# My own notes\n")
    expect(page).to_have_title("fenced-sample.md \u2014 Fenced")  # shown: the page keeps it when it goes
    page.reload()
    wait_ready(page)
    expect(last_document(page)).to_contain_text("drop or open it again")
    expect(last_document(page).get_by_role("button", name="Reopen")).to_have_count(0)
    page.get_by_role("button", name="Try a sample runbook").click()
    page.locator("[data-cell-index]").first.wait_for()
    expect(page).to_have_title("fenced-sample.md \u2014 Fenced")
    page.reload()
    wait_ready(page)
    last_document(page).get_by_role("button", name="Reopen").click()
    expect(page).to_have_title("fenced-sample.md \u2014 Fenced")
    # A file of an opened folder comes back in its folder (the panel lists it, its path is its name).
    panel = open_tree(page)
    entry(panel, "docs/index.md").click()
    expect(page.locator("#doc-name")).to_contain_text("index.md")
    page.reload()
    wait_ready(page)
    card = last_document(page)
    expect(card.locator(".last-document-name")).to_have_attribute("data-label", "docs/index.md")
    card.get_by_role("button", name="Reopen").click()
    expect(page.locator("#doc-name")).to_contain_text("index.md")
    panel = page.get_by_role("complementary", name="Folder")
    expect(entry(panel, "docs/index.md")).to_have_attribute("aria-current", "true")


def test_an_empty_or_foreign_value_paints_nothing(ready_page: Any) -> None:
    page = ready_page
    for value in ("not json", '{"v":1,"name":"x.md","blocks":[["script","alert(1)",""]]}', '{"v":9}'):
        page.evaluate("(v) => localStorage.setItem('fenced.last-document', v)", value)
        page.reload()
        wait_ready(page)
        expect(last_document(page)).to_have_count(0)
        assert "lastDocument" not in marks(page)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_card_is_accessible_and_fits_a_phone(browser: Any, app_url: str, dark: bool) -> None:
    long_line = "x" * 300
    text = f"# A runbook with a very long title that has to wrap somewhere {long_line}\n\n```sh\n{long_line}\n```\n"
    for page in closing(new_page(browser, app_url, PHONE, touch=True, dark=dark)):
        drop_file(page, "phone.md", text.encode())
        wait_cells(page, 2)
        expect(page).to_have_title("phone.md \u2014 Fenced")
        page.reload()
        wait_ready(page)
        card = last_document(page)
        expect(card).to_be_visible()
        assert axe_violations(page) == []
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width  # nothing pushes the page sideways
        screenshot(page, f"last-document-phone-{'dark' if dark else 'light'}")
