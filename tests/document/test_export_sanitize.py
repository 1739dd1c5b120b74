"""The export's sanitiser (fenced.document.sanitize) is the page's (fenced.app.view.sanitize): same
allow-list, same output, so a report shows what the page shows."""

from __future__ import annotations

import pytest

from fenced.app.view import sanitize as page
from fenced.document import sanitize as export

NASTY = [
    "<b>ok</b>",
    '<img src="https://x/y.png" onerror="alert(1)" alt=a>',
    '<a href="javascript:alert(1)">x</a>',
    "<details><summary>s</summary>",
    "<video><source src=x></video> text after",
    '<td style="text-align:center;color:red">c</td>',
    "<!-- comment --><svg onload=x>",
    '<code class="language-sh evil">x</code>',
    "<textarea>swallow",
]


def test_the_page_uses_the_export_sanitiser_itself() -> None:
    assert page.sanitize is export.sanitize and page.policy is export.policy


def test_same_allow_list() -> None:
    assert export.policy() == page.policy()
    assert export.ALLOWED_TAGS == page.ALLOWED_TAGS and export.TAG_ATTRS == page.TAG_ATTRS


@pytest.mark.parametrize("raw", NASTY)
def test_same_output(raw: str) -> None:
    assert export.sanitize(raw) == page.sanitize(raw)
