"""A big notebook stays light: editors are mounted only near the viewport, and editing stays local."""

from __future__ import annotations

from typing import Any

import pytest

from fenced.document import dumps, loads
from tests.browser.view_support import cell, make_runbook, show, view_text

pytestmark = pytest.mark.browser

N = 3000


def _scroll_to_editor(page: Any, index: int) -> None:
    page.wait_for_function(
        """(i) => { const el = document.querySelector(`#notebook .cell[data-cell-index='${i}']`);
                    if (el.querySelector('.cm-content')) return true;
                    el.scrollIntoView({block: 'center'}); return false; }""",
        arg=index,
        polling=100,
        timeout=20_000,
    )


def test_big_notebook_is_lazy_and_edits_stay_local(ready_page: Any) -> None:
    page = ready_page
    text = make_runbook(N)
    show(page, text, "big.md", timeout_ms=60_000)
    assert page.locator("#notebook .cell").count() == N
    assert page.locator("#notebook .cell-code").count() == page.locator("#notebook [data-cell-name]").count()
    assert cell(page, 2).locator(".cm-content").count() == 1  # on screen: editable at once
    editors = page.locator("#notebook .cm-editor").count()
    assert 0 < editors < 40, editors  # ... but far fewer editors than code cells
    assert page.locator("#notebook .cell-source[data-md='pending']").count() > N // 3
    # Jump around: editors come and go, bounded in number.
    for index in (600, 1200, 1800, 2400, N - 2, 1000):
        _scroll_to_editor(page, index if index % 2 == 0 else index + 1)
    assert page.locator("#notebook .cm-editor").count() <= 200
    # Type in the middle: only that cell's lines change in the saved text.
    mid = N // 2
    _scroll_to_editor(page, mid)
    cell(page, mid).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\necho edited")
    page.keyboard.press("Escape")
    expected_nb = loads(text)
    expected_nb.cells[mid].source += "\necho edited"
    assert view_text(page) == dumps(expected_nb)
    # The end of the document renders when scrolled to.
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    last = cell(page, N - 1)
    page.wait_for_function(
        f"() => !document.querySelector(\"[data-cell-index='{N - 1}'] .cell-source\").hasAttribute('data-md')"
    )
    assert last.locator(".markdown-body h2").count() == 1
