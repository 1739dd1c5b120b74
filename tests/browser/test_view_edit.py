"""Editing text: code cells in CodeMirror, Markdown cells by double-click/Enter, undo/redo, on_change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.view_support import cell, editor_text, show, view_eval, view_text
from tests.conftest import run_in_page

pytestmark = pytest.mark.browser

DOC = """# Runbook

Some text.

```sh {"name":"build"}
make build
make test
```

## Deploy

```bash
kubectl apply -f deploy.yaml
```
"""


def _count_changes(page: Any) -> None:
    run_in_page(
        page,
        "import builtins\nfrom fenced.app import testing\n"
        "builtins.view_changes = []\n"
        "testing.app.view.events.changed.subscribe(lambda _e: builtins.view_changes.append(1))\nresult = 0",
    )


def _changes(page: Any) -> int:
    return run_in_page(page, "import builtins\nresult = len(builtins.view_changes)")


def test_edit_code_cell_changes_only_its_lines_and_undo(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    _count_changes(page)
    content = cell(page, 1).locator(".cm-content")
    content.click()
    page.keyboard.press("End")
    page.keyboard.press("Control+End")
    page.keyboard.type("\nmake lint")
    assert content.inner_text() == "make build\nmake test\nmake lint"
    expected = DOC.replace("make test\n", "make test\nmake lint\n")
    assert view_text(page) == expected  # text() takes pending edits
    assert _changes(page) == 1  # one on_change for the burst of typing, not one per key press
    # Esc -> command mode; Ctrl+Z there undoes the whole burst of typing; Ctrl+Shift+Z redoes it.
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "1"
    page.keyboard.press("Control+z")
    assert content.inner_text() == "make build\nmake test"
    assert view_text(page) == DOC
    page.keyboard.press("Control+Shift+z")
    assert content.inner_text() == "make build\nmake test\nmake lint"
    assert view_text(page) == expected
    page.keyboard.press("Control+y")  # nothing more to redo
    assert view_text(page) == expected


def test_generated_name_follows_the_code(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    content = cell(page, 3).locator(".cm-content")
    content.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("helm upgrade app")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => document.querySelector(\"[data-cell-index='3']\").dataset.cellName === 'helm-upgrade'"
    )
    assert "helm upgrade app" in view_text(page)


def test_markdown_edit_and_render(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    md = cell(page, 0)
    assert md.locator("h1").inner_text() == "Runbook"
    md.locator("h1").dblclick()
    editor = md.locator(".cm-content")
    editor.wait_for()
    assert editor_text(md) == "# Runbook\n\nSome text."
    page.keyboard.press("Control+a")
    page.keyboard.type("# Handbook\n\nNew *text*.")
    page.keyboard.press("Escape")  # renders again
    assert md.locator("h1").inner_text() == "Handbook"
    assert md.locator("em").inner_text() == "text"
    assert md.locator(".cm-content").count() == 0
    assert view_text(page) == DOC.replace("# Runbook\n\nSome text.", "# Handbook\n\nNew *text*.")
    # Enter edits the selected Markdown cell; Shift+Enter renders it and selects the next cell.
    page.keyboard.press("Enter")
    editor.wait_for()
    page.keyboard.press("Control+End")
    page.keyboard.type(" More.")
    page.keyboard.press("Shift+Enter")
    assert md.locator("p").inner_text() == "New text. More."
    page.wait_for_function(
        "() => document.activeElement.dataset && document.activeElement.dataset.cellIndex === '1'"
    )
    # Undo in command mode reverts the last Markdown edit and re-renders.
    page.keyboard.press("Control+z")
    assert md.locator("p").inner_text() == "New text."
    assert view_eval(page, "len(view.history)") == 1
