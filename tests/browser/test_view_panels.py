"""Cell attributes and frontmatter editors, the outline, and find in the notebook."""

from __future__ import annotations

from typing import Any

import pytest

from fenced.document import loads
from tests.browser.view_support import cell, cell_action, cells_summary, show, view_text

pytestmark = pytest.mark.browser

DOC = """---
# keep this comment
shell: bash
cwd: /srv
---

# Guide

Start here.

```sh {"name":"setup","tag":"infra"}
echo setup
```

## Build

```sh
make all
```

### Test step

Run the `make` tests.
"""


def test_attributes_editor(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    cell(page, 1).locator(".cell-header").click()
    cell_action(cell(page, 1), "Cell attributes")
    dialog = page.get_by_role("dialog", name="Cell attributes: setup")
    assert dialog.get_by_label("Name").input_value() == "setup"
    assert dialog.get_by_label("Interactive").is_checked()
    assert dialog.get_by_label("Other attributes").input_value() == "tag=infra"
    dialog.get_by_label("Name").fill("prepare")
    dialog.get_by_label("Interactive").uncheck()
    dialog.get_by_label("Background").check()
    dialog.get_by_label("Working directory (cwd)").fill("/tmp")
    dialog.get_by_label("Prompt for environment").select_option("never")
    dialog.get_by_label("Exclude from Run all").check()
    dialog.get_by_label("Terminal rows").fill("12")
    dialog.get_by_label("Other attributes").fill("tag=infra\nmimeType=text/plain")
    dialog.get_by_label("Language").fill("bash")
    dialog.get_by_role("button", name="Save").click()
    assert dialog.is_hidden()
    assert cells_summary(page)[1] == ["1", "code", "prepare"]
    assert "bash" in cell(page, 1).locator(".cell-lang").inner_text()
    nb = loads(view_text(page))
    code = nb.cells[1]
    assert code.language == "bash"
    assert dict(code.attributes) == {
        "name": "prepare",
        "tag": "infra",
        "interactive": "false",
        "background": "true",
        "cwd": "/tmp",
        "promptEnv": "never",
        "excludeFromRunAll": "true",
        "terminalRows": "12",
        "mimeType": "text/plain",
    }
    assert view_text(page).replace(nb.cells[1].original_text() or "", "") == DOC.replace(
        loads(DOC).cells[1].original_text() or "", ""
    )  # only that cell changed
    # Invalid input keeps the dialog open with a message; Cancel changes nothing.
    cell_action(cell(page, 1), "Cell attributes")
    dialog = page.get_by_role("dialog", name="Cell attributes: prepare")
    dialog.get_by_label("Terminal rows").fill("0")
    dialog.get_by_role("button", name="Save").click()
    assert "Terminal rows" in dialog.get_by_role("alert").inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    assert dialog.is_hidden()
    # Focus is back in the notebook (the menu item that opened the dialog went with its menu), so the
    # notebook's keys work at once.
    page.wait_for_function("() => document.getElementById('notebook').contains(document.activeElement)")
    # One undo step reverts the whole dialog edit.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    assert view_text(page) == DOC
    # "Change language" opens the same dialog on its Language field; highlighting follows.
    cell(page, 3).locator(".cell-header").click()
    cell_action(cell(page, 3), "Change language")
    dialog = page.get_by_role("dialog", name="Cell attributes: make-all")
    assert page.evaluate("() => document.activeElement.name") == "language"
    page.keyboard.type("python")
    page.keyboard.press("Enter")
    assert dialog.is_hidden()
    assert cell(page, 3).locator(".cell-lang").inner_text() == "python"
    assert cell(page, 3).locator(".cm-content").count() == 1
    assert "```python\nmake all\n```" in view_text(page)


def test_frontmatter_editor(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    page.get_by_role("button", name="Frontmatter").click()
    dialog = page.get_by_role("dialog", name="Frontmatter")
    assert dialog.get_by_label("Shell").input_value() == "bash"
    assert dialog.get_by_label("Working directory (cwd)").input_value() == "/srv"
    dialog.get_by_label("Shell").fill("zsh")
    dialog.get_by_label("Skip prompts").check()
    dialog.get_by_role("button", name="Save").click()
    text = view_text(page)
    assert text.startswith("---\n# keep this comment\nshell: zsh\ncwd: /srv\nskipPrompts: true\n---\n")
    assert text.split("---\n", 2)[2] == DOC.split("---\n", 2)[2]
    # The raw text can be edited too.
    page.get_by_role("button", name="Frontmatter").click()
    dialog.get_by_label("Frontmatter text").fill("---\nshell: fish\n---")
    dialog.get_by_role("button", name="Save").click()
    assert view_text(page).startswith("---\nshell: fish\n---\n\n# Guide")
    page.get_by_role("button", name="Undo", exact=True).click()
    page.get_by_role("button", name="Undo", exact=True).click()
    assert view_text(page) == DOC
    # Frontmatter that does not parse: the fields are disabled, the text can be fixed.
    broken = "---\nshell: [unclosed\n---\n\n# Doc\n"
    show(page, broken)
    page.get_by_role("button", name="Frontmatter").click()
    assert dialog.get_by_label("Shell").is_disabled()
    assert "does not parse" in dialog.inner_text()
    dialog.get_by_label("Frontmatter text").fill("---\nshell: bash\n---")
    dialog.get_by_role("button", name="Save").click()
    assert view_text(page) == "---\nshell: bash\n---\n\n# Doc\n"


def test_outline_and_find(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    page.get_by_role("button", name="Outline").click()
    outline = page.get_by_role("navigation", name="Outline")
    assert outline.get_by_role("button").all_inner_texts() == ["Guide", "Build", "Test step"]
    outline.get_by_role("button", name="Test step").click()
    assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "4"
    # The outline follows edits.
    cell(page, 0).locator("h1").dblclick()
    page.keyboard.press("Control+a")
    page.keyboard.type("# Manual")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('.outline-item').textContent === 'Manual'")
    # Find: counts matches, Enter steps through them and selects the text in code cells.
    find = page.get_by_role("searchbox", name="Find in notebook")
    find.fill("make")
    page.wait_for_function("() => document.querySelector('.nb-find-count').textContent === '2 matches'")
    assert page.locator("#notebook .cell.find-match").count() == 2
    find.press("Enter")
    assert page.locator(".nb-find-count").inner_text() == "1 of 2"
    assert page.locator("#notebook .cell.active").get_attribute("data-cell-index") == "3"
    page.wait_for_function(
        "() => getSelection().toString() === 'make' || document.querySelector(\"[data-cell-index='3'] .cm-selectionBackground\") !== null"
    )
    find.press("Enter")
    assert page.locator(".nb-find-count").inner_text() == "2 of 2"
    assert page.locator("#notebook .cell.active").get_attribute("data-cell-index") == "4"
    find.press("Shift+Enter")
    assert page.locator(".nb-find-count").inner_text() == "1 of 2"
    find.press("Escape")
    assert page.locator("#notebook .cell.find-match").count() == 0
    assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "3"
