"""Every Markdown document of the Runme fixtures round-trips byte for byte, and
reads to sane, JSON-serialisable cell summaries."""

from __future__ import annotations

import json

import pytest
from docsupport import FIXTURES, document_names, markdown_documents

from fenced.document import dumps, loads, summary

pytestmark = pytest.mark.usefixtures("runme_corpus")
DOCS = markdown_documents() if FIXTURES.is_dir() else {}


def test_fixture_corpus_is_there():
    # guards against silently testing nothing if the fixture path moves
    assert FIXTURES.is_dir()
    assert len(DOCS) > 100
    assert sum(1 for k in DOCS if "::" in k) > 20  # documents embedded in .txtar archives


@pytest.mark.parametrize("name", document_names(DOCS))
def test_round_trip_is_byte_identical(name):
    text = DOCS[name]
    nb = loads(text)
    assert dumps(nb) == text


@pytest.mark.parametrize("name", document_names(DOCS))
def test_round_trip_after_reading_everything(name):
    # reading every derived value (sources, names, attributes, frontmatter fields)
    # must not change what is written
    text = DOCS[name]
    nb = loads(text)
    data = summary(nb)
    json.dumps(data)
    if nb.frontmatter is not None:
        _ = nb.frontmatter.data, nb.frontmatter.shell, nb.id
    assert dumps(nb) == text


@pytest.mark.parametrize("name", document_names(DOCS))
def test_cells_cover_the_text_in_order(name):
    text = DOCS[name]
    nb = loads(text)
    pos = 0
    for cell in nb.cells:
        raw = cell.original_text()
        assert raw, "cells are never empty"
        at = text.find(raw, pos)
        assert at >= pos
        assert not text[pos:at].strip(" \t\r\n>") or pos == 0, "only blank lines between cells"
        pos = at + len(raw)
    assert not text[pos:].strip(), "only whitespace after the last cell"
