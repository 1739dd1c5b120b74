"""Outputs in this file: each output below its cell, read back as the cell's last output (issue 15)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from fenced.document import dumps, loads
from fenced.document.inline import find_outputs, last_outputs, split_block, strip_outputs, with_outputs
from fenced.document.naming import resolve
from fenced.document.outputs import CellRun
from fenced.document.redact import MASK

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
DOC = """---
shell: bash
---

# Deploy

```sh {"name":"build"}
echo building
```

Some prose between.

```sh
echo two
```

## Later

```bash {"name":"last"}
echo last
```
"""


def run(text: str, code: int = 0, ms: int = 1500) -> CellRun:
    return CellRun(text, code, WHEN, ms)


def code_indexes(text: str) -> list[int]:
    return [i for i, c in enumerate(loads(text).cells) if c.kind == "code"]


def test_round_trip_outputs_are_read_back_without_running() -> None:
    first, _, third = code_indexes(DOC)
    text = with_outputs(DOC, {first: run("building\ndone\n"), third: run("last\n", 3, 20)})
    outs = last_outputs(loads(text))
    nb = loads(text)
    assert {nb.cells[i].name for i in outs} == {"build", "last"}
    by_name = {nb.cells[i].name: o for i, o in outs.items()}
    assert by_name["build"].text == "building\ndone"
    assert by_name["build"].run is not None
    assert by_name["build"].run.exit_code == 0 and by_name["build"].run.duration_ms == 1500
    assert by_name["build"].run.started == WHEN
    assert by_name["last"].run is not None and by_name["last"].run.exit_code == 3
    # the runbook's own cells are unchanged: same code cells, same names, same prose
    assert [c.source for c in nb.code_cells()] == [c.source for c in loads(DOC).code_cells()]
    assert [c.name for c in nb.code_cells()] == ["build", "echo-two", "last"]
    assert "Some prose between." in text


def test_the_form_runme_ignores_a_transform_false_fence_right_below_the_cell() -> None:
    (first, *_) = code_indexes(DOC)
    text = with_outputs(DOC, {first: run("building\n")})
    block = text.split("echo building\n```\n\n", 1)[1].split("\n\nSome prose", 1)[0]
    assert (
        block.splitlines()[0] == '```text {"fencedOutput":"build","name":"build.output","transform":"false"}'
    )
    assert block.splitlines()[1].startswith("# Ran on 2024-05-06 07:08:09+02:00 for 1.5s exited with 0")
    # Runme (and Fenced) keep such a fence in the Markdown: no new code cell
    assert len(loads(text).code_cells()) == 3


def test_output_blocks_do_not_shift_generated_names() -> None:
    doc = "```sh\necho hi\n```\n\n```sh\necho hi\n```\n"
    first, _ = code_indexes(doc)
    text = with_outputs(doc, {first: run("echo hi\n")})  # the output's first line is a command too
    assert [c.name for c in loads(text).code_cells()] == ["echo-hi", "echo-hi-2"]
    assert resolve([("", "echo hi"), ("echo-hi.output", "x"), ("", "echo hi")])[2][0] == "echo-hi-2"


def test_a_document_without_outputs_is_unchanged() -> None:
    assert with_outputs(DOC, {}) == DOC
    assert last_outputs(loads(DOC)) == {}
    nb = loads(DOC)
    strip_outputs(nb)
    assert dumps(nb) == DOC


def test_resaving_replaces_the_block_in_place() -> None:
    first, _, third = code_indexes(DOC)
    once = with_outputs(DOC, {first: run("one\n"), third: run("last\n")})
    first2 = code_indexes(once)[0]
    twice = with_outputs(once, {first2: run("two\nlines\n", 1)})
    assert twice.count("fencedOutput") == 2
    assert "one" not in twice.split("Some prose")[0] and "two\nlines\n```" in twice
    # everything outside the replaced block is byte for byte the same
    before, after = once.split('{"fencedOutput":"build"', 1)[0], once.split("Some prose", 1)[1]
    assert twice.startswith(before) and twice.endswith(after)


def test_editing_a_cell_never_touches_another_cells_output() -> None:
    first, _, third = code_indexes(DOC)
    text = with_outputs(DOC, {first: run("out of build\n"), third: run("out of last\n")})
    nb = loads(text)
    nb.code_cells()[2].source = "echo changed"
    nb.code_cells()[1].source = "echo also changed"
    edited = dumps(nb)
    build_block = text[text.index("```text") : text.index("out of build") + len("out of build\n```")]
    assert build_block in edited
    last_block = text[text.rindex("```text") :]
    assert last_block in edited


def test_output_with_fences_secrets_and_control_bytes() -> None:
    (first, *_) = code_indexes(DOC)
    nasty = "```\nnot a fence end\n````\n\x1b[31mred\x1b[0m\rover\x00 hunter22\n"
    text = with_outputs(DOC, {first: run(nasty)}, secrets=["hunter22"])
    assert "hunter22" not in text and MASK in text and "\x1b" not in text and "\x00" not in text
    out = last_outputs(loads(text))
    assert len(loads(text).code_cells()) == 3
    (got,) = out.values()
    assert "not a fence end" in got.text and got.text.endswith(MASK)


def test_crlf_documents_get_crlf_blocks() -> None:
    doc = DOC.replace("\n", "\r\n")
    (first, *_) = code_indexes(doc)
    text = with_outputs(doc, {first: run("a\nb\n")})
    assert "\n" not in text.replace("\r\n", "")
    assert next(iter(last_outputs(loads(text)).values())).text == "a\nb"


def test_a_block_followed_by_prose_in_one_markdown_cell() -> None:
    text = (
        '```sh {"name":"x"}\necho x\n```\n\n'
        '```text {"fencedOutput":"x","name":"x.output","transform":"false"}\nold\n```\n'
        "More prose right after.\n"
    )
    nb = loads(text)
    (placed,) = find_outputs(nb)
    assert placed.output.text == "old" and placed.output.run is None
    block, end = split_block(placed.holder.source)
    assert block is not None and placed.holder.source[end:].strip() == "More prose right after."
    again = with_outputs(text, {0: run("new\n")})
    assert again.endswith("new\n```\nMore prose right after.\n")
    assert "old" not in again


def test_stale_or_foreign_blocks_are_left_alone() -> None:
    text = 'Prose first.\n\n```text {"fencedOutput":"x","name":"x.output","transform":"false"}\nold\n```\n'
    assert last_outputs(loads(text)) == {}
    plain = "```sh\necho\n```\n\n```text\nsample output\n```\n"
    assert last_outputs(loads(plain)) == {}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["echo a", "ls -l", "printf '%s' x", "```text\nsample\n```", "# Title", "Prose."]),
        max_size=6,
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.data(),
)
def test_round_trip_property(parts: list[str], output: str, data: st.DataObject) -> None:
    doc = ""
    for part in parts:
        doc += f"```sh\n{part}\n```\n\n" if not part.startswith(("```", "#", "Prose")) else part + "\n\n"
    codes = code_indexes(doc)
    assert with_outputs(doc, {}) == doc
    if not codes:
        return
    chosen = data.draw(st.sets(st.sampled_from(codes), min_size=1))
    text = with_outputs(doc, {i: run(output) for i in chosen})
    nb = loads(text)
    assert [c.source for c in nb.code_cells()] == [c.source for c in loads(doc).code_cells()]
    assert [c.name for c in nb.code_cells()] == [c.name for c in loads(doc).code_cells()]
    assert len(last_outputs(nb)) == len(chosen)
    nb2 = loads(text)
    strip_outputs(nb2)
    assert dumps(nb2) == doc
