"""The block scan replays markdown-it's top-level loop; it must find exactly the
code blocks and top-level headings that markdown-it's own ``parse`` finds."""

from __future__ import annotations

from docsupport import ANY_TEXT, PROPERTY, markdown_documents
from hypothesis import given

from fenced.document import dumps, loads
from fenced.document import parser as parser_module
from fenced.document.scanner import markdown_it, normalize, scan


def reference(src: str):
    tokens = markdown_it().parse(src)
    code = [
        (t.map[0], t.map[1], t.content, t.markup, t.info) for t in tokens if t.type in ("fence", "code_block")
    ]
    heads = [t.map[0] for t in tokens if t.type == "heading_open" and t.level == 0]
    return code, heads


def ours(src: str):
    result = scan(src)
    return [tuple(c) for c in result.code], result.headings


def test_fixtures_scan_like_markdown_it():
    for name, text in markdown_documents().items():
        src = normalize(text)
        assert ours(src) == reference(src), name


@PROPERTY
@given(ANY_TEXT)
def test_any_text_scans_like_markdown_it(text):
    src = normalize(text)
    assert ours(src) == reference(src)


def test_loads_never_raises_even_if_the_parser_fails(monkeypatch):
    def broken(_src):
        raise RuntimeError("boom")

    monkeypatch.setattr(parser_module, "scan", broken)
    text = "# Title\n\n```sh\nls\n```\n"
    nb = loads(text)
    assert [c.kind for c in nb.cells] == ["markdown"]
    assert dumps(nb) == text
