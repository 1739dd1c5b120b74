"""Property tests: lossless round trips on any text, and on generated runbooks
whose code cells are known; edits and structure changes stay local."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from docsupport import ANY_TEXT, PROPERTY, code_view
from hypothesis import assume, given
from hypothesis import strategies as st

from fenced.document import Cell, Notebook, dumps, format_attributes, loads

# --- arbitrary text -----------------------------------------------------------------------------


@PROPERTY
@given(ANY_TEXT)
def test_any_text_round_trips(text):
    nb = loads(text)
    assert dumps(nb) == text
    for cell in nb.cells:  # deriving values must neither fail nor change the output
        _ = cell.source, cell.name, cell.language, cell.attributes
    assert dumps(nb) == text


@PROPERTY
@given(ANY_TEXT, st.sampled_from(["\r\n", "\r"]))
def test_any_text_round_trips_with_other_newlines(text, newline):
    text = text.replace("\r", "").replace("\n", newline)
    assert dumps(loads(text)) == text


# --- generated runbooks with known code cells ---------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
CODE_CHARS = "abcxyz019 \t$#=`~>-*{}\"'\\|<&é😀\0\ufeff\u00a0"
CODE_LINE = st.one_of(
    st.text(CODE_CHARS, max_size=12), st.sampled_from(["", "  ", "```", "~~~~", "$ ls", "# c"])
)
CODE = st.lists(CODE_LINE, min_size=0, max_size=5).map("\n".join)
KEY = st.sampled_from(["name", "interactive", "cwd", "id", "excludeFromRunAll", "terminalRows"])
VALUE = st.text(alphabet="abcdefghij0123456789-_./", min_size=1, max_size=6)
ATTRS = st.dictionaries(KEY, VALUE, max_size=3)
LANG = st.sampled_from(["", "sh", "bash", "python", "js", "go"])


@dataclass
class Block:
    text: str
    code: tuple[str, str, dict[str, str]] | None = None


@st.composite
def fence_block(draw):
    lang = draw(LANG)
    attrs = draw(ATTRS)
    form = draw(st.sampled_from(["json", "html"]))
    char = draw(st.sampled_from(["`", "~"]))
    code = draw(CODE)
    if attrs:
        info = (lang + " " if lang or draw(st.booleans()) else lang) + format_attributes(attrs, form)
    else:
        info = lang
    lines = code.split("\n")
    longest = max((len(ln) - len(ln.lstrip(char)) for ln in (x.lstrip(" ") for x in lines)), default=0)
    fence = char * max(3, longest + 1, draw(st.integers(3, 5)))
    # blank-only code lines of an unprefixed fence stay; in containers they keep the prefix
    container = draw(st.sampled_from(["", "", "- ", "1. ", "> ", "- > "]))
    cont = "".join(c if c in "> " else " " for c in container)
    first = container + fence + info
    body = [cont + ln if (ln or ">" in cont) else ln for ln in lines] if code or lines != [""] else []
    if code == "":
        body = []
    text = "\n".join([first, *body, cont + fence])
    return Block(text, (lang, code, attrs))


@st.composite
def indented_block(draw):
    lines = draw(
        st.lists(
            st.text(alphabet="abc xyz=$#", min_size=1, max_size=10).filter(str.strip), min_size=1, max_size=3
        )
    )
    return Block("\n".join("    " + ln for ln in lines), ("", "\n".join(lines), {}))


@st.composite
def markdown_block(draw):
    kind = draw(st.sampled_from(["para", "heading", "list", "quote", "ignored"]))
    words = draw(st.lists(WORD, min_size=1, max_size=5))
    if kind == "heading":
        return Block("#" * draw(st.integers(1, 3)) + " " + " ".join(words))
    if kind == "list":
        return Block("\n".join(f"- {w}" for w in words))
    if kind == "quote":
        return Block("\n".join(f"> {w}" for w in words))
    if kind == "ignored":
        info = draw(st.sampled_from(["mermaid", 'js {"transform":"false"}', "sh { ignore=true }"]))
        return Block(f"```{info}\n{' '.join(words)}\n```")
    return Block(" ".join(words))


FRONTMATTER = st.sampled_from(
    [
        "",
        "---\nshell: bash\nrunme:\n  id: 01HFVTDYA775K2HREH9ZGQJ75B\n  version: v3\n---\n\n",
        "+++\ncwd = '/tmp'\n+++\n\n",
        '{\n  "skipPrompts": true\n}\n\n',
        "---\nbad: [\n---\n\n",
        "\ufeff",
    ]
)


@st.composite
def runbook(draw, with_markdown=False):
    blocks = draw(
        st.lists(
            st.one_of(fence_block(), fence_block(), indented_block(), markdown_block()),
            min_size=1,
            max_size=8,
        )
    )
    if with_markdown:
        blocks.insert(draw(st.integers(0, len(blocks))), draw(markdown_block()))
    # an indented block directly after a list item would belong to the item
    for a, b in itertools.pairwise(blocks):
        assume(not (b.code and b.text.startswith("    ") and a.text.lstrip("> ").startswith(("- ", "1. "))))
        assume(not (a.text.startswith("    ") and b.text.startswith("    ")))  # they would merge
    gaps = draw(
        st.lists(st.sampled_from(["\n\n", "\n\n\n", "\n \n"]), min_size=len(blocks), max_size=len(blocks))
    )
    frontmatter = draw(FRONTMATTER)
    # Runme skips whitespace at the very start, which would un-indent a first indented block
    assume(not (frontmatter in ("", "\ufeff") and blocks[0].text.startswith("    ")))
    text = frontmatter + "".join(b.text + g for b, g in zip(blocks, gaps, strict=True))
    text = text.rstrip("\n") + draw(st.sampled_from(["", "\n", "\n\n\n"]))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return text.replace("\n", newline), [b.code for b in blocks if b.code]


@PROPERTY
@given(runbook())
def test_generated_runbooks_round_trip_and_read_the_right_cells(doc):
    text, expected = doc
    nb = loads(text)
    assert dumps(nb) == text
    assert code_view(nb) == expected


@PROPERTY
@given(runbook(), st.data())
def test_editing_a_code_cell_changes_only_its_lines(doc, data):
    text, expected = doc
    nb = loads(text)
    code = nb.code_cells()
    assume(code)
    i = data.draw(st.integers(0, len(code) - 1))
    cell = code[i]
    start, end = cell._start, cell._end
    new_source = data.draw(CODE)
    cell.source = new_source
    if data.draw(st.booleans()):
        cell.attributes = data.draw(ATTRS)
    if data.draw(st.booleans()):
        cell.language = data.draw(LANG)
    out = dumps(nb)
    assert out.startswith(text[:start]) and out.endswith(text[end:])
    again = code_view(loads(out))
    want = list(expected)
    want[i] = (cell.language, new_source, dict(cell.attributes))
    assert again == want


@PROPERTY
@given(runbook(with_markdown=True), st.data())
def test_editing_a_markdown_cell_changes_only_its_lines(doc, data):
    text, _ = doc
    nb = loads(text)
    markdown = [c for c in nb.cells if c.kind == "markdown"]
    cell = data.draw(st.sampled_from(markdown))
    start, end = cell._start, cell._end
    cell.source = " ".join(data.draw(st.lists(WORD, min_size=1, max_size=4)))
    out = dumps(nb)
    assert out.startswith(text[:start]) and out.endswith(text[end:])
    assert out[start : len(out) - (len(text) - end)].replace("\r", "") == cell.source


@PROPERTY
@given(runbook(), st.data())
def test_insert_delete_move_keep_other_cells_bytes(doc, data):
    text, _ = doc
    nb = loads(text)
    lead = text[: nb.cells[0]._start]  # BOM, frontmatter, leading blank lines: always kept
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["insert", "delete", "move"]))
        n = len(nb.cells)
        if op == "insert":
            cell = (
                Cell.new_code(data.draw(CODE), data.draw(LANG), data.draw(ATTRS))
                if data.draw(st.booleans())
                else Cell.new_markdown(" ".join(data.draw(st.lists(WORD, min_size=1, max_size=3))))
            )
            nb.cells.insert(data.draw(st.integers(0, n)), cell)
        elif op == "delete" and n:
            del nb.cells[data.draw(st.integers(0, n - 1))]
        elif op == "move" and n:
            nb.move(data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1)))
    expected = [(c.language, c.source, dict(c.attributes)) for c in nb.cells if c.kind == "code"]
    out = dumps(nb)
    # the output is: original leading text, then each cell -- an untouched cell as its
    # original bytes, a new one as Runme writes it -- separated only by blank lines
    pieces = [re.escape(_written(c, nb.newline)) for c in nb.cells]
    for i, c in enumerate(nb.cells):
        if c.kind == "code" and (not c.fenced or (c.original_text() or "x")[0] in " \t"):
            # may be rewritten without its indentation (see test_document_editing)
            pieces[i] = r"[\s\S]*?"
    pattern = re.escape(lead) + r"[ \t\r\n>]*".join(pieces) + r"\s*"
    if not nb.cells:
        pattern = re.escape(lead.rstrip(" \t\r\n")) + r"\s*"
    assert re.fullmatch(pattern, out), (pieces, out)
    assert code_view(loads(out)) == expected


def _written(cell, newline):
    if not cell.is_new:
        return cell.original_text()
    twin = (
        Cell.new_code(cell.source, cell.language, dict(cell.attributes))
        if cell.kind == "code"
        else Cell.new_markdown(cell.source)
    )
    return dumps(Notebook([twin])).rstrip("\n").replace("\n", newline)
