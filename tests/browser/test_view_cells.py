"""Cell operations by keyboard (Jupyter habits) and by the actions bar, each undoable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.view_support import cell, cell_action, cells_summary, show, view_eval, view_text

pytestmark = pytest.mark.browser

DOC = """# Ops

```sh {"name":"first"}
echo one
```

Middle text.

```python
print("two")
```
"""


def _active(page: Any) -> str:
    return page.evaluate("() => document.activeElement.dataset.cellIndex ?? null")


def test_jupyter_keys(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    kinds = lambda: [k for _, k, _ in cells_summary(page)]  # noqa: E731
    cell(page, 0).locator("h1").click()  # selects (command mode)
    assert _active(page) == "0"
    page.keyboard.press("j")
    assert _active(page) == "1"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert _active(page) == "3"
    page.keyboard.press("k")
    assert _active(page) == "2"
    # B inserts a code cell below, A above; the new cell is selected.
    page.keyboard.press("b")
    assert kinds() == ["markdown", "code", "markdown", "code", "code"]
    assert _active(page) == "3"
    assert (
        cell(page, 3).get_attribute("data-cell-name") == "cell-2"
    )  # a usable fallback (issue 14), never written
    page.keyboard.press("a")
    assert kinds() == ["markdown", "code", "markdown", "code", "code", "code"]
    assert _active(page) == "3"
    # D D deletes; a single D does nothing.
    page.keyboard.press("d")
    assert len(kinds()) == 6
    page.keyboard.press("d")
    page.keyboard.press("d")
    page.keyboard.press("d")
    assert kinds() == ["markdown", "code", "markdown", "code"]
    assert view_text(page) == DOC
    # M makes the selected code cell Markdown, Y makes it code again.
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert _active(page) == "1"
    page.keyboard.press("m")
    assert kinds() == ["markdown", "markdown", "markdown", "code"]
    assert cell(page, 1).locator(".markdown-body").inner_text().strip() == "echo one"
    page.keyboard.press("y")
    assert kinds() == ["markdown", "code", "markdown", "code"]
    assert [i for i, _, _ in cells_summary(page)] == ["0", "1", "2", "3"]
    # Ctrl+Z walks everything back to the original bytes; Enter edits, Esc returns.
    for _ in range(6):
        page.keyboard.press("Control+z")
    assert view_text(page) == DOC
    assert cells_summary(page)[1] == ["1", "code", "first"]
    selected = _active(page)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Escape")
    assert _active(page) == selected
    # "?" shows the shortcuts.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert dialog.is_visible()
    assert "Delete the selected cell" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert dialog.is_hidden()


def test_actions_bar(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    cell(page, 1).locator(".cell-header").click()
    assert _active(page) == "1"
    bar = cell(page, 1).get_by_role("toolbar", name="Cell actions")
    bar.get_by_role("button", name="Move cell down").click()
    assert [k for _, k, _ in cells_summary(page)] == ["markdown", "markdown", "code", "code"]
    assert cells_summary(page)[2] == ["2", "code", "first"]
    assert _active(page) == "2"
    cell(page, 2).get_by_role("button", name="Move cell up").click()
    assert view_text(page) == DOC
    cell_action(cell(page, 1), "Duplicate cell")
    assert cells_summary(page)[1:3] == [["1", "code", "first"], ["2", "code", "first-copy"]]
    assert view_text(page).count("echo one") == 2
    cell(page, 2).get_by_role("button", name="Delete cell").click()
    assert view_text(page) == DOC
    assert _active(page) == "2"
    cell(page, 1).locator(".cell-header").click()
    cell_action(cell(page, 1), "Add Markdown cell below")
    new = cell(page, 2)
    assert new.get_attribute("data-cell-kind") == "markdown"
    page.wait_for_function("() => document.activeElement.classList.contains('cm-content')")
    page.keyboard.type("Fresh **note**")
    page.keyboard.press("Escape")
    assert new.locator("strong").inner_text() == "note"
    cell(page, 4).locator(".cell-header").click()
    cell_action(cell(page, 4), "Add code cell above")
    page.wait_for_function("() => document.activeElement.classList.contains('cm-content')")
    page.keyboard.type("ls -la")
    page.keyboard.press("Escape")
    assert cells_summary(page)[4] == ["4", "code", "ls-la"]
    text = view_text(page)
    assert "Fresh **note**" in text and "```sh\nls -la\n```" in text
    assert text.startswith(DOC[: DOC.index("Middle")])  # cells before the insertions are untouched
    # The end-of-notebook buttons add cells too.
    page.get_by_role("button", name="+ Code cell").click()
    page.keyboard.type("whoami")
    page.keyboard.press("Escape")
    assert cells_summary(page)[-1] == ["6", "code", "whoami"]
    # Undo all (typing bursts included) restores the original document.
    while view_eval(page, "view.history.can_undo"):
        page.get_by_role("button", name="Undo", exact=True).click()
    assert view_text(page) == DOC
