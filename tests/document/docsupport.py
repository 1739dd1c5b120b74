"""Shared helpers for the fenced.document tests: fixture paths and txtar archives."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from tests.conftest import FIXTURES, require_corpus

#: Deterministic, database-free settings for every property test of this suite.
#: (FENCED_DOC_EXAMPLES=5000 FENCED_DOC_RANDOM=1 explores further, locally.)
PROPERTY = settings(
    max_examples=int(os.environ.get("FENCED_DOC_EXAMPLES", "200")),
    derandomize=not os.environ.get("FENCED_DOC_RANDOM"),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_HEADER = re.compile(r"^-- (.+) --$")


def read(rel: str) -> str:
    """A fixture file's text, byte for byte (no newline translation)."""
    return (require_corpus() / rel).read_bytes().decode("utf-8")


def txtar(rel: str) -> dict[str, str]:
    """The files embedded in a fixture Go txtar archive."""
    return split_txtar(read(rel))


def split_txtar(text: str) -> dict[str, str]:
    """The files inside a Go txtar archive's text (also bench/document.py's corpus)."""
    files: dict[str, str] = {}
    name: str | None = None
    buf: list[str] = []
    for line in text.splitlines(keepends=True):
        m = _HEADER.match(line.rstrip("\n"))
        if m:
            if name is not None:
                files[name] = "".join(buf)
            name, buf = m.group(1), []
        elif name is not None:
            buf.append(line)
    if name is not None:
        files[name] = "".join(buf)
    return files


def markdown_documents() -> dict[str, str]:
    """Every Markdown document of the fixtures, including those inside txtar archives."""
    require_corpus()
    docs: dict[str, str] = {}
    for path in sorted(FIXTURES.rglob("*")):
        rel = path.relative_to(FIXTURES).as_posix()
        if path.suffix == ".md":
            docs[rel] = read(rel)
        elif path.suffix == ".txtar":
            for name, text in txtar(rel).items():
                if name.endswith((".md", ".dag")):
                    docs[f"{rel}::{name}"] = text
    return docs


def document_names(docs: dict[str, str]) -> list[str]:
    """Parameters for a test over every document; without the corpus, one that `runme_corpus` skips."""
    return sorted(docs) or ["(no Runme corpus)"]


def code_view(nb) -> list[tuple[str, str, dict[str, str]]]:
    """(language, source, attributes) of each code cell."""
    return [(c.language, c.source, dict(c.attributes)) for c in nb.cells if c.kind == "code"]


#: Arbitrary text, biased towards the characters that matter to Markdown and Runme.
MARKDOWN_BITS = st.sampled_from(
    [
        "```",
        "~~~",
        "````",
        "`",
        "\n",
        "\r\n",
        "\r",
        " ",
        "   ",
        "    ",
        "\t",
        ">",
        "> ",
        "- ",
        "1. ",
        "* ",
        "#",
        "# ",
        "---",
        "+++",
        "{",
        "}",
        '{"name":"x"}',
        "{ name=y }",
        "=",
        "$ ",
        "\0",
        "\ufeff",
        "é",
        "😀",
        "|",
        "| a |",
        "<div>",
        "<!--",
        "-->",
        "[x]: /u",
        "***",
        "mermaid",
        "sh",
        '{"transform":"false"}',
        "\\",
    ]
)
ANY_TEXT = st.one_of(
    st.text(),
    st.lists(MARKDOWN_BITS | st.text(max_size=3), max_size=60).map("".join),
)
