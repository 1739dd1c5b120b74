"""Pure logic of the notebook view: operations + undo on a real Notebook, keys, outline, find, HTML."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest

from fenced.app.view import cellhtml, find, ops, outline
from fenced.app.view.history import History
from fenced.app.view.images import ImageResolver, host_of, images_pending, resolve_path, same_directory
from fenced.app.view.keymap import COMMAND, EDIT, SHORTCUTS, KeyPress, command_for
from fenced.document import Cell, Frontmatter, dumps, loads

DOC = """---
# the shell
shell: bash
---

# Title

Intro.

```sh {"name":"one"}
echo one
```

## Part

```python
print("two")
```

Tail text.
"""


def _apply(doc, history: History, op) -> None:
    op.apply(doc)
    history.push(op)


def test_every_operation_undoes_to_the_original_bytes() -> None:
    nb = loads(DOC)
    h: History = History()
    c = list(nb.cells)
    _apply(nb, h, ops.SetSource(c[1], c[1].source, "echo changed"))
    _apply(nb, h, ops.InsertCells(2, [Cell.new_code("ls", "sh")]))
    _apply(nb, h, ops.MoveCell(0, 3))
    _apply(nb, h, ops.DeleteCells(1, [nb.cells[1]]))
    _apply(nb, h, ops.ReplaceCell(0, nb.cells[0], Cell.new_markdown("now text")))
    _apply(nb, h, ops.SetMeta(c[3], "python", "py", dict(c[3].current_attributes()), {"name": "two"}))
    new_fm = Frontmatter(nb.frontmatter.raw, nb.frontmatter.format)
    new_fm["shell"] = "zsh"
    _apply(nb, h, ops.SetFrontmatter(nb.frontmatter, nb.frontmatter.raw, new_fm, new_fm.raw))
    edited = dumps(nb)
    assert edited != DOC and "# the shell\nshell: zsh" in edited
    while (op := h.undo()) is not None:
        op.revert(nb)
    assert dumps(nb) == DOC
    while (op := h.redo()) is not None:
        op.apply(nb)
    assert dumps(nb) == edited


def test_text_edit_changes_only_its_lines() -> None:
    nb = loads(DOC)
    cell = nb.cells[1]
    ops.SetSource(cell, cell.source, "echo uno").apply(nb)
    assert dumps(nb) == DOC.replace("echo one", "echo uno")


def test_meta_patch_and_language() -> None:
    nb = loads(DOC)
    cell = nb.cells[1]
    op = ops.SetMeta(cell, "sh", "bash", {"name": "one"}, {"name": "one", "interactive": "false"})
    assert op.apply(nb) == ops.MetaChanged(cell)
    assert '```bash {"interactive":"false","name":"one"}' in dumps(nb)
    op.revert(nb)
    assert dumps(nb) == DOC


def test_history_bounds_and_branches() -> None:
    h: History[int] = History(limit=3)
    for i in range(5):
        h.push(i)
    assert len(h) == 3 and h.undo() == 4 and h.undo() == 3
    h.push(9)
    assert h.redo() is None and h.undo() == 9 and h.can_redo


def test_duplicate_attributes() -> None:
    assert ops.duplicate_attributes({"name": "a", "id": "X"}, {"a", "a-copy"}) == {"name": "a-copy-2"}
    assert ops.duplicate_attributes({"interactive": "false"}, set()) == {"interactive": "false"}
    assert (
        ops.clamp_move(0, -1, 3) is None and ops.clamp_move(2, 1, 3) is None and ops.clamp_move(1, 1, 3) == 2
    )


@pytest.mark.parametrize(
    ("mode", "press", "pending", "expected"),
    [
        (COMMAND, KeyPress("Enter"), None, ("edit", None)),
        (COMMAND, KeyPress("a"), None, ("insert-above", None)),
        (COMMAND, KeyPress("B", shift=True), None, (None, None)),
        (COMMAND, KeyPress("b"), None, ("insert-below", None)),
        (COMMAND, KeyPress("d"), None, (None, "d")),
        (COMMAND, KeyPress("d"), "d", ("delete", None)),
        (COMMAND, KeyPress("j"), "d", ("next", None)),
        (COMMAND, KeyPress("ArrowUp"), None, ("prev", None)),
        (COMMAND, KeyPress("m"), None, ("to-markdown", None)),
        (COMMAND, KeyPress("y"), None, ("to-code", None)),
        (COMMAND, KeyPress("z", ctrl=True), None, ("undo", None)),
        (COMMAND, KeyPress("z", meta=True), None, ("undo", None)),
        (COMMAND, KeyPress("Z", ctrl=True, shift=True), None, ("redo", None)),
        (COMMAND, KeyPress("y", ctrl=True), None, ("redo", None)),
        (COMMAND, KeyPress("s", ctrl=True), None, (None, None)),
        (COMMAND, KeyPress("?", shift=True), None, ("shortcuts", None)),
        (COMMAND, KeyPress("ArrowDown", alt=True), None, ("move-down", None)),
        (EDIT, KeyPress("Escape"), None, ("command-mode", None)),
        (EDIT, KeyPress("Enter", shift=True), None, ("render-next", None)),
        (EDIT, KeyPress("Enter", ctrl=True), None, ("render", None)),
        (EDIT, KeyPress("z", ctrl=True), None, (None, None)),
        (EDIT, KeyPress("a"), None, (None, None)),
    ],
)
def test_keymap(mode: str, press: KeyPress, pending: str | None, expected: tuple) -> None:
    assert command_for(mode, press, pending) == expected


def test_shortcut_table_covers_the_issue() -> None:
    keys = " ".join(k for k, _, _ in SHORTCUTS)
    for needed in ("Enter", "Esc", "A", "B", "D, D", "J", "K", "M", "Y", "Ctrl/Cmd+Z", "Ctrl/Cmd+S", "?"):
        assert needed in keys


def test_outline() -> None:
    md = [
        (0, "# Title\n\nText\n\n```sh\n# not a heading\n```\n\n## Sub *em* [link](x)"),
        (2, "Setext\n======\n\n- item\n---\n\nOther\n---"),
        (3, "    # indented code"),
    ]
    assert outline.headings(md) == [
        outline.Heading(0, 1, "Title"),
        outline.Heading(0, 2, "Sub em link"),
        outline.Heading(2, 1, "Setext"),
        outline.Heading(2, 2, "Other"),
    ]


def test_find() -> None:
    sources = ["Hello hello", "nothing", "say HELLO 👋 hello"]
    matches = find.find_all(sources, "hello")
    assert [(m.cell, m.start) for m in matches] == [(0, 0), (0, 6), (2, 4), (2, 12)]
    assert find.find_all(sources, "hello", case_sensitive=True)[0] == find.Match(0, 6, 11)
    assert find.utf16_offset(sources[2], 12) == 13
    assert find.find_all(sources, "") == []
    assert len(find.find_all(["aaaa"], "a", limit=2)) == 2


def test_cell_html_hooks_and_escaping() -> None:
    code = cellhtml.cell_html(cellhtml.CellData(7, "code", "echo '<b>' & \"x\"", "sh", 'n"x'), 3)
    assert (
        'data-cell-index="3"' in code
        and 'data-cell-kind="code"' in code
        and 'data-cell-name="n&quot;x"' in code
    )
    assert (
        "echo '&lt;b&gt;' &amp; \"x\"" in code
        and 'class="cell-toolbar"' in code
        and 'class="cell-output"' in code
    )
    md = cellhtml.cell_html(cellhtml.CellData(8, "markdown", "<script>x</script>"), 0)
    assert 'data-cell-kind="markdown"' in md and "data-cell-name" not in md and "&lt;script&gt;" in md
    assert md.count("<") == cellhtml.cells_html(
        [cellhtml.CellData(8, "markdown", "<script>x</script>")]
    ).count("<")


def test_heading_cache_matches_a_full_scan_and_rescans_only_changed_cells(monkeypatch: Any) -> None:
    """The outline is rebuilt after every pause in typing: only the edited cell is scanned again."""
    from fenced.app.view import outline

    class Cell:
        def __init__(self, source: str) -> None:
            self.source = source

    cells = [Cell(f"# Part {i}\n\nText\n\nSub {i}\n---\n") for i in range(50)]
    cache = outline.HeadingCache()
    pairs = lambda: list(enumerate(cells))  # noqa: E731
    assert cache.headings(pairs()) == outline.headings((i, c.source) for i, c in enumerate(cells))
    scanned: list[str] = []
    real = outline.cell_headings
    monkeypatch.setattr(outline, "cell_headings", lambda s: scanned.append(s) or real(s))
    cells[7].source = "## Renamed\n"
    del cells[3]  # indexes shift: headings carry the current ones
    got = cache.headings(pairs())
    assert scanned == ["## Renamed\n"]
    assert got == outline.headings((i, c.source) for i, c in enumerate(cells))
    assert got[12] == outline.Heading(6, 2, "Renamed")


def test_images_after_save_as_follow_the_new_directory() -> None:
    assert same_directory("docs/a.md", "docs/b.md") and same_directory("a.md", "b.md")
    assert not same_directory("docs/a.md", "b.md") and not same_directory("docs/a.md", "deep/er/a.md")
    assert resolve_path("deep/er/guide.md", "../img/logo.png") == "deep/img/logo.png"
    images, folder = ImageResolver(), object()
    images.folder, images.name = folder, "docs/a.md"
    assert images.rebase(folder, "docs/b.md") is False  # same folder and directory: nothing to redo
    assert images.name == "docs/b.md"


def test_cell_parts_fill_the_code_cells_slots() -> None:
    from fenced.app.view.cellparts import CellParts

    code = cellhtml.CellData(3, "code", "ls", "sh", "list")
    md = cellhtml.CellData(4, "markdown", "# t")
    bare = cellhtml.cell_html(code, 0)
    assert (
        '<div class="cell-toolbar"></div>' in bare and "cell-gutter" not in bare
    )  # an empty slot costs nothing
    parts = CellParts()
    parts.add("toolbar", lambda c: f'<button data-run="run">{c.name}</button>')
    parts.add("toolbar", lambda c: "<b>2</b>")
    parts.add("gutter", lambda c: f"<i>{c.key}</i>")
    html = cellhtml.cells_html([code, md], 5, parts)
    assert '<div class="cell-toolbar"><button data-run="run">list</button><b>2</b></div>' in html
    assert html.index('<div class="cell-gutter"><i>3</i></div>') < html.index('<div class="cell-header">')
    assert html.count("cell-gutter") == 1 and 'data-cell-index="6"' in html  # Markdown cells have no slots
    assert cellhtml.cell_html(code, 5, parts) == html[: html.index('<article class="cell cell-markdown"')]


def test_cell_html_shows_a_metadata_warning() -> None:
    """A code cell whose attributes did not read carries data-warning and a visible note it is described by."""
    msg = 'Cell attributes {"name": "x", bad} are not valid JSON <sic> & co'
    code = cellhtml.cell_html(cellhtml.CellData(7, "code", "echo", "sh", "echo", msg), 0)
    assert f'data-warning="{escape(msg)}"' in code
    assert 'aria-describedby="cell-warning-7"' in code
    assert 'role="note" id="cell-warning-7"' in code and escape(msg, quote=False) in code
    plain = cellhtml.cell_html(cellhtml.CellData(7, "code", "echo", "sh", "echo"), 0)
    assert "data-warning" not in plain and "cell-warning" not in plain and "aria-describedby" not in plain


def test_remote_images_are_pending_until_allowed() -> None:
    assert images_pending('<img data-remote-src="https://e.com/x.png">')
    assert images_pending('<img data-fenced-src="a.png">')
    assert not images_pending('<img src="data:image/png;base64,AA"> data-remote')
    assert host_of("https://e.com:8443/x.png?a=1") == "e.com:8443"
    assert ImageResolver().remote_allowed is False
