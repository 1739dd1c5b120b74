"""No Python error ever reaches the page (issue 14, item 1): switching files fifty times leaves the console
and the page clean (the root cause, a zip file left open in the boot snapshot, is gone), and an uncaught
Python exception, wherever it is raised, is one plain message, never PyScript's red `.py-error` blocks."""

from __future__ import annotations

from itertools import cycle, islice
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.docs_tree import MARKDOWN_PATHS, entry, open_tree
from tests.conftest import PageErrors, run_in_page

pytestmark = pytest.mark.browser


def test_fifty_file_switches_leave_no_python_error(ready_page: Any, page_errors: PageErrors) -> None:
    page = ready_page
    panel = open_tree(page)
    for path in islice(cycle(MARKDOWN_PATHS), 50):
        entry(panel, path).click()
        expect(entry(panel, path)).to_have_attribute("aria-current", "true")
        expect(page.locator("#notebook")).to_have_attribute("data-view-state", "idle")
    # Everything the page does after a switch has run (drafts, the folder's index in the background).
    run_in_page(page, "import asyncio\nawait asyncio.sleep(0)\nresult = 1")
    assert page.locator(".py-error").count() == 0
    assert page_errors.console == []
    assert page.locator(".message[data-message-kind='error']").count() == 0


def test_the_snapshot_holds_no_open_file(ready_page: Any) -> None:
    """The root cause: nothing in the restored heap holds a file descriptor (a zip reader of the stdlib,
    left by importlib.metadata, failed to close in the browser: Bad file descriptor)."""
    src = (
        "import gc, zipfile\n"
        "from fenced.app import loader\n"
        "result = [loader.snapshot_restored(),\n"
        "          [repr(o) for o in gc.get_objects() if isinstance(o, zipfile.ZipFile) and o.fp is not None]]"
    )
    assert run_in_page(ready_page, src) == [True, []]


UNCAUGHT = {
    "a JS event handler": (
        "import js\nfrom pyodide.ffi import create_once_callable\n"
        "def boom():\n    raise RuntimeError('boom in a timer')\n"
        "js.setTimeout(create_once_callable(boom), 0)\nresult = 1"
    ),
    "a task nobody awaits": (
        "import asyncio\nasync def boom():\n    raise RuntimeError('boom in a task')\n"
        "t = asyncio.ensure_future(boom())\nawait asyncio.sleep(0)\ndel t\nimport gc\ngc.collect()\nresult = 1"
    ),
    "a finaliser": (
        "class Boom:\n    def __del__(self):\n        raise RuntimeError('boom in __del__')\n"
        "b = Boom()\ndel b\nresult = 1"
    ),
}


@pytest.mark.parametrize("where", list(UNCAUGHT))
def test_an_uncaught_python_error_is_one_plain_message(
    ready_page: Any, page_errors: PageErrors, where: str
) -> None:
    page = ready_page
    page_errors.expected_uncaught = True
    run_in_page(page, UNCAUGHT[where])
    message = page.locator(".message[data-message-kind='error']")
    expect(message).to_have_count(1)
    expect(message).to_contain_text("Something went wrong")
    expect(message).to_contain_text("RuntimeError: boom")
    run_in_page(page, UNCAUGHT[where])  # a second one replaces the first
    expect(message).to_have_count(1)
    assert page.locator(".py-error").count() == 0
    assert page_errors.uncaught == []  # handled: the browser did not report it as uncaught
