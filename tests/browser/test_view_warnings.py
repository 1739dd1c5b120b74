"""Broken metadata is shown at open (issue 11): a cell whose attributes do not parse, and a document
whose frontmatter does not parse, say so on the cell/document as soon as they are shown; the file still
round-trips byte for byte, stays editable, and the attribute editor shows the text as written."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from fenced.document import loads
from tests.browser.view_support import cell, cell_action, show, view_text

pytestmark = pytest.mark.browser

DOC = """---
shell: bash
cwd: [unclosed
---

# Broken metadata

```sh {"name": "x", bad}
echo one
```

```sh {"interactive":tru}
echo two
```

```sh { name=x
echo three
```

```sh {"name":"fine"}
echo four
```

```sh { name=html interactive=false }
echo five
```
"""


def test_broken_attributes_and_frontmatter_are_flagged_at_open(ready_page: Any) -> None:
    page = ready_page
    show(page, DOC)
    notebook = page.locator("#notebook")
    # The document: a visible, accessible warning, and data-warning on #notebook.
    warning = notebook.get_attribute("data-warning") or ""
    assert "frontmatter" in warning.lower(), warning
    expect(page.get_by_role("note", name="Document warning")).to_contain_text("frontmatter does not parse")
    # Each broken cell, and only those.
    for index, raw in ((1, '{"name": "x", bad}'), (2, '{"interactive":tru}'), (3, "{ name=x")):
        el = cell(page, index)
        message = el.get_attribute("data-warning") or ""
        assert raw in message, (index, message)
        note = el.get_by_role("note")
        expect(note).to_be_visible()
        expect(note).to_contain_text(raw)
        described = el.get_attribute("aria-describedby") or ""
        assert described and note.get_attribute("id") in described.split()
    for index in (4, 5):
        assert cell(page, index).get_attribute("data-warning") is None, index
        assert cell(page, index).get_by_role("note").count() == 0
    # Byte for byte, and still editable.
    assert view_text(page) == DOC
    cell(page, 1).locator(".cm-content").click()
    page.keyboard.press("End")
    page.keyboard.type(" again")
    page.keyboard.press("Escape")
    assert "echo one again\n" in view_text(page)
    assert '```sh {"name": "x", bad}\necho one again\n```' in view_text(page)
    # The attribute editor shows the text as written, and fixing it clears the warning.
    cell(page, 1).locator(".cell-header").click()
    cell_action(cell(page, 1), "Cell attributes")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text('{"name": "x", bad}')
    dialog.get_by_label("Name").fill("x")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    assert cell(page, 1).get_attribute("data-warning") is None
    assert cell(page, 1).get_by_role("note").count() == 0
    fixed = loads(view_text(page)).cells[1]
    assert (fixed.name, fixed.attribute_problem, fixed.source) == ("x", None, "echo one again")
    # Nothing else changed.
    head, tail = DOC.split('```sh {"name": "x", bad}\necho one\n```')
    assert view_text(page).startswith(head) and view_text(page).endswith(tail)
    # Fixing the frontmatter clears the document's warning.
    page.get_by_role("button", name="Frontmatter").click()
    fm = page.get_by_role("dialog", name="Frontmatter")
    fm.get_by_label("Frontmatter text").fill("---\nshell: bash\ncwd: /srv\n---")
    fm.get_by_role("button", name="Save").click()
    expect(fm).to_be_hidden()
    assert notebook.get_attribute("data-warning") is None
    expect(page.get_by_role("note", name="Document warning")).to_have_count(0)
    # Undo brings the broken frontmatter back, and its warning with it.
    page.get_by_role("button", name="Undo", exact=True).click()
    assert "frontmatter" in (notebook.get_attribute("data-warning") or "").lower()


def test_a_good_document_has_no_warnings(ready_page: Any) -> None:
    page = ready_page
    show(
        page,
        '---\nshell: bash\n---\n\n# Fine\n\n```sh {"name":"a"}\necho a\n```\n\n```{python}\nprint(1)\n```\n',
    )
    assert page.locator("#notebook").get_attribute("data-warning") is None
    assert page.locator("#notebook [data-warning]").count() == 0
    assert page.get_by_role("note").count() == 0
