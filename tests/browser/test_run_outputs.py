"""Save with outputs: a Runme session-outputs file next to the runbook (the runbook itself never gets
output), through the opened folder's handle, or through Save as."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    install_helpers,
    opfs_read,
    opfs_write,
    stub_folder_picker,
    stub_open_picker,
    stub_save_picker,
    wait_cells,
)
from tests.browser.run_support import cells_md, connect, run, runner, wait_exit
from tests.browser.view_support import header_action
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

RUNBOOK = (
    "---\nrunme:\n  id: 01HJS33TJYXZ6KJPG2SZZ6D1H5\n  version: v3\n---\n\n# Book\n\nSome prose.\n\n"
    + cells_md(("hello", "printf '\\033[31mred\\033[0m\\n'; echo plain"), ("later", "echo not run"))
)


def listing(page: Any, path: str) -> list[str]:
    install_helpers(page)
    return page.evaluate(
        "async (path) => { const d = await __t.dir(path); const out = [];"
        " for await (const [name] of d.entries()) out.push(name); return out.sort(); }",
        path,
    )


def check_outputs(text: str) -> None:
    assert text.startswith(
        "---\nrunme:\n  id: 01HJS33TJYXZ6KJPG2SZZ6D1H5\n  version: v3\n  session:\n    id: "
    )
    assert re.search(r"\n    updated: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)\n---\n", text)
    assert "\n# Book\n\nSome prose.\n\n" in text
    ran = re.search(
        r"```sh \{\"name\":\"hello\"\}\nprintf '\\033\[31mred\\033\[0m\\n'; echo plain\n\n"
        r"# Ran on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\S* for \d+(\.\d+)?m?s exited with 0\nred\nplain\n```\n",
        text,
    )
    assert ran, text
    assert '```sh {"name":"later"}\necho not run\n```\n' in text  # not run: as it was
    assert "\x1b" not in text


def test_outputs_file_goes_next_to_the_runbook_in_the_opened_folder(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    opfs_write(page, "proj/docs/book.md", RUNBOOK.encode())
    stub_folder_picker(page, "proj")
    header_action(page, "Open folder")
    page.get_by_role("complementary", name="Folder").get_by_role("treeitem", name="docs/book.md").click()
    wait_cells(page, 3)
    run(page, "hello")
    wait_exit(page, "hello", 0)
    header_action(page, "Save with outputs")
    expect(page.locator(".message-success")).to_contain_text("Saved outputs of 1 cell to book-")
    names = listing(page, "proj/docs")
    outputs = [n for n in names if n != "book.md"]
    assert len(outputs) == 1 and re.fullmatch(r"book-[0-9A-HJKMNP-TV-Z]{26}\.md", outputs[0]), names
    check_outputs(opfs_read(page, f"proj/docs/{outputs[0]}").decode())
    assert opfs_read(page, "proj/docs/book.md") == RUNBOOK.encode()  # output never goes into the runbook
    assert page.locator("body").get_attribute("data-dirty") == "false"


def test_without_a_folder_save_as_is_offered(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    opfs_write(page, "single/book.md", RUNBOOK.encode())
    stub_open_picker(page, "single/book.md")
    stub_save_picker(page, "single/picked.md")
    page.get_by_role("button", name="Open", exact=True).click()
    wait_cells(page, 3)
    run(page, "hello")
    wait_exit(page, "hello", 0)
    header_action(page, "Save with outputs")
    expect(page.locator(".message-success")).to_contain_text("to picked.md")
    suggested = page.evaluate("window.__saveOpts.suggestedName")
    assert re.fullmatch(r"book-[0-9A-HJKMNP-TV-Z]{26}\.md", suggested)
    check_outputs(opfs_read(page, "single/picked.md").decode())
