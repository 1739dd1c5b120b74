"""Editing: an edited cell changes only its own lines; new cells are written the
way Runme writes them; structure edits touch only the blank lines between cells."""

from __future__ import annotations

import re

import pytest
from docsupport import code_view, read

from fenced.document import Cell, Notebook, dumps, loads

DOC = """# Setup

Install it:

```sh {"name":"install"}
brew install x
```

- step one
- step two:

  ```bash
  echo nested
  ```

> ```sh
> echo quoted
> ```

## Done

Bye.
"""


def test_unchanged_is_identical_even_after_setting_the_same_values():
    nb = loads(DOC)
    for cell in nb.cells:
        cell.source = cell.source
        if cell.kind == "code":
            cell.language = cell.language
            cell.attributes = dict(cell.attributes)
    assert dumps(nb) == DOC


def test_edit_code_changes_only_its_lines():
    nb = loads(DOC)
    nb.cells[1].source = "brew install y\nbrew doctor"
    assert dumps(nb) == DOC.replace("brew install x\n", "brew install y\nbrew doctor\n")


def test_edit_nested_code_restores_list_indentation():
    nb = loads(DOC)
    cell = nb.code_cells()[1]
    assert cell.source == "echo nested"
    cell.source = "echo a\n\necho b"
    out = dumps(nb)
    assert "  ```bash\n  echo a\n\n  echo b\n  ```\n" in out
    assert out.replace("  echo a\n\n  echo b\n", "  echo nested\n") == DOC
    assert code_view(loads(out))[1] == ("bash", "echo a\n\necho b", {})


def test_edit_quoted_code_restores_markers():
    nb = loads(DOC)
    cell = nb.code_cells()[2]
    cell.source = "one\n\ntwo"
    out = dumps(nb)
    assert "> ```sh\n> one\n>\n> two\n> ```\n" in out
    assert code_view(loads(out))[2] == ("sh", "one\n\ntwo", {})


def test_edit_markdown_changes_only_its_lines():
    nb = loads(DOC)
    nb.cells[-1].source = "## Finished\n\nSee you."
    assert dumps(nb) == DOC.replace("## Done\n\nBye.\n", "## Finished\n\nSee you.\n")


def test_attribute_edit_rewrites_only_the_fence_line():
    nb = loads(DOC)
    cell = nb.code_cells()[0]
    cell.interactive = False
    cell.attributes["cwd"] = "/tmp"
    assert dumps(nb) == DOC.replace(
        '```sh {"name":"install"}', '```sh {"cwd":"/tmp","interactive":"false","name":"install"}'
    )
    cell = nb.code_cells()[1]
    cell.name = "nested"
    assert '  ```bash {"name":"nested"}\n  echo nested\n' in dumps(nb)


def test_language_edit_keeps_the_attribute_text():
    text = '```sh {"name": "spaced"}\nls\n```\n'
    nb = loads(text)
    nb.cells[0].language = "bash"
    assert dumps(nb) == '```bash {"name": "spaced"}\nls\n```\n'


def test_html_attributes_keep_their_form():
    text = read("derived/editor/roundtrip/attribute-format-mixed.md")
    nb = loads(text)
    date = nb.find("date")
    date.attributes["cwd"] = "/tmp"
    date.background = True
    assert "```sh { name=date background=true cwd=/tmp interactive=false }\n" in dumps(nb)
    date.attributes["cwd"] = "/with space"  # not expressible in the HTML-like form
    assert '```sh {"background":"true","cwd":"/with space","interactive":"false","name":"date"}\n' in dumps(
        nb
    )


def test_new_cells_are_written_like_runme():
    nb = Notebook()
    nb.cells.append(Cell.new_markdown("# Title"))
    nb.cells.append(Cell.new_code("echo ```` fence", "sh", {"name": "x", "interactive": False}))
    nb.cells.append(Cell.new_code("", "", {}))
    assert dumps(nb) == (
        '# Title\n\n`````sh {"interactive":"false","name":"x"}\necho ```` fence\n`````\n\n```\n\n```\n'
    )


def test_new_cell_with_backtick_in_info_uses_tildes():
    cell = Cell.new_code("ls", "sh", {"title": "a`b"})
    nb = loads("")
    nb.cells.append(cell)
    out = dumps(nb)
    assert out.startswith("~~~sh ")
    assert code_view(loads(out)) == [("sh", "ls", {"title": "a`b"})]


def test_code_that_would_close_the_fence_lengthens_it():
    nb = loads("```sh\nls\n```\n")
    nb.cells[0].source = "cat <<EOF\n```\nEOF"
    out = dumps(nb)
    assert out == "````sh\ncat <<EOF\n```\nEOF\n````\n"
    assert loads(out).cells[0].source == "cat <<EOF\n```\nEOF"


def test_tilde_fence_is_kept():
    nb = loads("~~~sh\nls\n~~~\n")
    nb.cells[0].source = "```\nx"
    assert dumps(nb) == "~~~sh\n```\nx\n~~~\n"


def test_crlf_document_edits_use_crlf():
    text = DOC.replace("\n", "\r\n")
    nb = loads(text)
    nb.code_cells()[0].source = "a\nb"
    nb.cells.append(Cell.new_markdown("more\ntext"))
    out = dumps(nb)
    assert "\n" not in out.replace("\r\n", "")
    assert out.startswith(text.split("brew install x")[0] + "a\r\nb\r\n```")
    assert out.endswith("Bye.\r\n\r\nmore\r\ntext\r\n")


def test_indented_code_stays_indented_until_it_needs_a_fence():
    text = "Run:\n\n    make\n    make test\n\nDone.\n"
    nb = loads(text)
    cell = nb.cells[1]
    assert (cell.fenced, cell.source) == (False, "make\nmake test")
    cell.source = "make all"
    assert dumps(nb) == "Run:\n\n    make all\n\nDone.\n"
    cell.attributes["name"] = "build"
    assert dumps(nb) == 'Run:\n\n``` {"name":"build"}\nmake all\n```\n\nDone.\n'


def test_insert_delete_move_touch_only_separators():
    nb = loads(DOC)
    original = [c.original_text() for c in nb.cells]
    nb.cells.insert(2, Cell.new_code("pwd", "sh"))
    del nb.cells[-2]
    nb.move(0, 3)
    out = dumps(nb)
    pos = 0
    for cell in nb.cells:
        piece = cell.original_text() or "```sh\npwd\n```"
        found = out.find(piece, pos)
        assert found >= pos
        assert not out[pos:found].strip(), "only blank lines between cells"
        pos = found + len(piece)
    assert {c.original_text() for c in nb.cells if not c.is_new} <= set(original)


def test_code_moved_to_the_top_of_the_file_loses_its_indentation():
    # Runme skips whitespace at the start of a file without frontmatter, which would turn
    # an indented block into a paragraph and shift a nested fence's code; such a cell is
    # rewritten (only that cell)
    text = "Intro.\n\n    make\n\n- step\n\n  ```bash\n  echo nested\n  ```\n"
    nb = loads(text)
    del nb.cells[0]
    assert dumps(nb) == "```\nmake\n```\n\n- step\n\n  ```bash\n  echo nested\n  ```\n"
    nb = loads(text)
    nb.move(3, 0)
    out = dumps(nb)
    assert out == "```bash\necho nested\n```\n\nIntro.\n\n    make\n\n- step\n"
    assert code_view(loads(out)) == [("bash", "echo nested", {}), ("", "make", {})]


def test_moving_an_unclosed_fence_closes_it():
    text = "# A\n\n```sh\necho open"
    nb = loads(text)
    assert dumps(nb) == text
    nb.move(1, 0)
    out = dumps(nb)
    assert out == "```sh\necho open\n```\n\n# A"
    assert [c.kind for c in loads(out).cells] == ["code", "markdown"]


def test_label_comment_kept_on_edit_and_added_for_dagger_shell():
    text = read("derived/editor/label-comments/input.md")
    nb = loads(text)
    nb.find("date").source = "date -u"
    assert "```sh { name=date interactive=false }\n### Exported in runme.dev as date\ndate -u\n```" in dumps(
        nb
    )
    nb = loads("---\nshell: dagger shell\n---\n")
    nb.cells.append(Cell.new_code("container | from alpine", "sh", {"name": "alp"}))
    nb.cells.append(Cell.new_code("echo 1", "sh", {"name": "bashy", "interpreter": "bash"}))
    out = dumps(nb)
    assert '```sh {"name":"alp"}\n### Exported in runme.dev as alp\ncontainer' in out
    assert "Exported in runme.dev as bashy" not in out
    assert [c.source for c in loads(out).code_cells()] == ["container | from alpine", "echo 1"]


def test_identity_flag_adds_ids_without_touching_other_lines():
    text = read("derived/editor/roundtrip/attribute-format-mixed.md")
    plain = loads(text)
    assert plain.id is None and all(c.id is None for c in plain.code_cells())
    nb = loads(text, identity=True)
    ids = [c.id for c in nb.code_cells()]
    ulid = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
    assert all(ulid.match(i) for i in ids) and ulid.match(nb.id)
    out = dumps(nb)
    assert out.startswith(f"---\nrunme:\n  id: {nb.id}\n  version: v3\n---\n\n## Retain attribute format\n")
    assert f"```sh {{ name=date id={ids[0]} interactive=false }}\n" in out
    assert f'```javascript {{"id":"{ids[1]}","interactive":"false","name":"iso"}}\n' in out
    again = loads(out, identity=True)
    assert dumps(again) == out, "existing ids are never replaced"


def test_identity_keeps_existing_document_id_and_adds_cell_ids():
    text = read("runmedev-runme/examples/README.md")
    nb = loads(text, identity=True)
    assert nb.id == "01HF7BT3HD84GWTQB9008APC3C"
    named = nb.find("generate")
    assert named.id and named.id not in text
    assert dumps(nb).count("\n") == text.count("\n")


def test_kind_and_types_are_checked():
    with pytest.raises(ValueError):
        Cell("table")
    with pytest.raises(TypeError):
        loads(b"# bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Notebook().cells.append("text")  # type: ignore[arg-type]
