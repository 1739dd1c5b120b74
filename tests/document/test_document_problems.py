"""Metadata that does not read is reported, not dropped silently (issue 11): a cell's attribute block
(`Cell.attribute_problem`) and the frontmatter (`Notebook.frontmatter_problem`). The text is still read
as Runme reads it and written back byte for byte."""

from __future__ import annotations

import pytest

from fenced.document import Cell, dumps, loads, parse_info


@pytest.mark.parametrize(
    ("info", "raw", "why"),
    [
        ('sh {"name": "x", bad}', '{"name": "x", bad}', "not valid JSON"),
        ('sh {"interactive":tru}', '{"interactive":tru}', "not valid JSON"),
        ('sh {"name": "x",}', '{"name": "x",}', "not valid JSON"),
        ('sh {"n": 1e400}', '{"n": 1e400}', "a number Runme cannot hold"),
        ("sh { name=x", "{ name=x", 'no closing "}"'),
        ('sh {"name":"x"', '{"name":"x"', 'no closing "}"'),
        ("sh { name=x interactive }", "{ name=x interactive }", "interactive is not key=value"),
    ],
)
def test_unreadable_attribute_blocks_say_why(info: str, raw: str, why: str) -> None:
    problem = parse_info(info).problem
    assert problem is not None and raw in problem and why in problem, problem
    assert "kept in the file as written" in problem


@pytest.mark.parametrize(
    "info",
    [
        "sh",
        'sh {"name":"x","interactive":"false"}',
        "sh { name=x interactive=false }",
        "sh {name=x}",
        "sh {}",
        "sh {",  # a lone brace: nothing that looks like attributes
        "{python}",  # Quarto's and Pandoc's own syntax, not broken attributes
        "{.sh .numberLines}",
        'sh {"a":{"b":[1,2]}}',
    ],
)
def test_readable_or_foreign_blocks_have_no_problem(info: str) -> None:
    assert parse_info(info).problem is None


DOC = """---
shell: bash
cwd: [unclosed
---

# Broken

```sh {"name": "x", bad}
echo one
```

```sh { name=x
echo three
```

```sh {"name":"fine"}
echo four
```
"""


def test_cells_expose_the_problem_and_round_trip() -> None:
    nb = loads(DOC)
    assert dumps(nb) == DOC
    one, three, four = nb.cells[1], nb.cells[2], nb.cells[3]
    assert one.attribute_problem and '{"name": "x", bad}' in one.attribute_problem
    assert one.attribute_text == '{"name": "x", bad}'
    assert dict(one.attributes) == {} and one.name == "echo-one"  # read as Runme reads it
    assert three.attribute_problem and three.attribute_text == "{ name=x"
    assert four.attribute_problem is None and four.attribute_text == '{"name":"fine"}'
    assert nb.cells[0].attribute_problem is None  # Markdown
    assert Cell.new_code("ls").attribute_problem is None
    # Still editable: code and language edits keep the block (and its problem) as written.
    one.source = "echo one again"
    one.language = "bash"
    assert one.attribute_problem is not None
    assert '```bash {"name": "x", bad}\necho one again\n```' in dumps(nb)
    # New attributes replace the block, and the problem with it.
    one.attributes = {"name": "x"}
    three.name = "three"
    assert one.attribute_problem is None and three.attribute_problem is None
    text = dumps(nb)
    assert "bad}" not in text and "{ name=x\n" not in text
    again = loads(text)
    assert [c.attribute_problem for c in again.cells] == [None] * 4
    assert [c.name for c in again.code_cells()] == ["x", "three", "fine"]


def test_frontmatter_problem() -> None:
    nb = loads(DOC)
    problem = nb.frontmatter_problem
    assert problem and problem.startswith("The frontmatter does not parse") and "\n" not in problem
    nb.frontmatter.raw = "---\nshell: bash\n---"  # type: ignore[union-attr]
    assert nb.frontmatter_problem is None
    for text in ("+++\nshell = \n+++\n\n# x\n", '{"shell": }\n\n# x\n'):
        assert loads(text).frontmatter_problem, text
        assert dumps(loads(text)) == text
    assert loads("# fine\n").frontmatter_problem is None
    assert loads("---\nshell: bash\n---\n# fine\n").frontmatter_problem is None


def test_a_frontmatter_never_closed_is_reported_while_the_start_is_unedited() -> None:
    text = "---\nshell: bash\n\n# Title\n\nbody\n"
    nb = loads(text)
    assert nb.frontmatter is None and dumps(nb) == text
    assert nb.frontmatter_problem and '"---"' in nb.frontmatter_problem
    nb.cells[0].source = "# Title\n\nbody"
    assert nb.frontmatter_problem is None
    assert loads("--8<-- snippet\n").frontmatter_problem is None
    assert loads("{{ template }}\n").frontmatter_problem is None
