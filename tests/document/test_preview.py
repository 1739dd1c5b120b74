"""The text-only picture of a notebook (fenced.document.preview) that the page paints before Python runs."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from fenced.document import loads
from fenced.document.preview import (
    CODE_LINES,
    MAX_BLOCKS,
    MAX_CHARS,
    OUTPUT_LINES,
    Block,
    decode,
    encode,
    preview,
)

RUNBOOK = """# Deploy

Roll out **the new** `api` build: see [the docs](https://example.com/x.png).

![a diagram](https://evil.example/pixel.png)

- check the *cluster*
- then go

```sh {"name":"status"}
kubectl get pods
```

## Clean up

| step | what |
|---|---|
| 1 | drain |

```sh
echo bye
```
"""


def test_headings_paragraphs_code_and_outputs_in_document_order() -> None:
    nb = loads(RUNBOOK)
    code = [i for i, c in enumerate(nb.cells) if c.kind == "code"]
    picture = preview(nb, {code[0]: "NAME READY\napi-1 1/1\n"})
    assert [(b.kind, b.text, b.level or b.label) for b in picture.blocks] == [
        ("heading", "Deploy", 1),
        ("text", "Roll out the new api build: see the docs.", ""),
        ("text", "a diagram", ""),  # an image is its alt text: the picture loads nothing
        ("text", "• check the cluster", ""),
        ("text", "• then go", ""),
        ("code", "kubectl get pods", "status"),
        ("output", "NAME READY\napi-1 1/1", ""),
        ("heading", "Clean up", 2),
        ("text", "step | what", ""),
        ("text", "1 | drain", ""),
        ("code", "echo bye", "echo-bye"),
    ]
    assert not picture.truncated


def test_long_code_keeps_its_first_lines_and_long_output_its_last() -> None:
    source = "\n".join(f"echo {i}" for i in range(40))
    nb = loads(f"```sh\n{source}\n```\n")
    out = "".join(f"line {i}\n" for i in range(1000))
    code, output = preview(nb, {0: out}).blocks
    assert code.text.split("\n") == [f"echo {i}" for i in range(CODE_LINES)] + ["…"]
    assert output.text.split("\n") == ["…"] + [f"line {i}" for i in range(1000 - OUTPUT_LINES, 1000)]


def test_a_huge_document_is_cut_and_says_so() -> None:
    nb = loads("".join(f"## Step {i}\n\n{'word ' * 200}\n\n" for i in range(500)))
    picture = preview(nb, {})
    assert picture.truncated
    assert len(picture.blocks) <= MAX_BLOCKS
    assert sum(len(b.text) for b in picture.blocks) <= MAX_CHARS
    assert picture.blocks[0] == Block("heading", "Step 0", level=1 + 1)


def test_round_trip_through_json_keeps_blocks_and_fields() -> None:
    nb = loads(RUNBOOK)
    picture = preview(nb, {})
    text = encode(picture, name="README.md", at=123, reopen={"kind": "recent", "id": "ab"})
    got = decode(text)
    assert got is not None
    again, about = got
    assert again == picture
    assert about == {"name": "README.md", "at": 123, "reopen": {"kind": "recent", "id": "ab"}}


def test_anything_else_in_the_key_is_not_a_picture() -> None:
    for bad in (
        None,
        "",
        "{",
        "[]",
        '{"v":2,"blocks":[]}',
        '{"v":1,"blocks":[["script","x",""]]}',
        '{"v":1,"blocks":[["text",1,""]]}',
        '{"v":1,"blocks":"x"}',
    ):
        assert decode(bad) is None


@given(st.text(max_size=400), st.dictionaries(st.integers(0, 5), st.text(max_size=200), max_size=3))
def test_any_text_makes_a_bounded_picture_that_decodes_back(source: str, outputs: dict[int, str]) -> None:
    picture = preview(loads(source), outputs)
    assert len(picture.blocks) <= MAX_BLOCKS
    got = decode(encode(picture, name="x.md"))
    assert got is not None and got[0] == picture
    json.loads(encode(picture))  # plain JSON, nothing else
