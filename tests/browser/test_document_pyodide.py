"""fenced.document gives the same answer in Pyodide as under CPython, for every Runme fixture document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import run_in_page
from tests.document.docsupport import markdown_documents

pytestmark = pytest.mark.browser

SRC = """
import json
import js
import fenced.document as d

docs = json.loads(js.JSON.stringify(js.window.__fencedDocs))
result = {}
for key, text in docs.items():
    nb = d.loads(text)
    result[key] = {"summary": d.summary(nb), "identical": d.dumps(nb) == text}
"""


def test_every_fixture_gives_the_same_cells_in_pyodide(ready_page: Any) -> None:
    import fenced.document as document

    docs = markdown_documents()
    assert len(docs) > 100
    expected = {
        key: {"summary": document.summary(document.loads(text)), "identical": True}
        for key, text in docs.items()
    }
    ready_page.evaluate("docs => { window.__fencedDocs = docs }", docs)
    got = run_in_page(ready_page, SRC, timeout_ms=120_000)
    assert set(got) == set(docs)
    expected = json.loads(json.dumps(expected))
    mismatched = [key for key in docs if got[key] != expected[key]]
    assert mismatched == []
