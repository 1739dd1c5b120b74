"""Frontmatter: located like Runme, parsed lazily, edited in its own format."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from fenced.document import Frontmatter, FrontmatterError, dumps, loads

YAML_DOC = """---
# how to run this
shell: zsh  # the shell
list:
  - a
  - b
runme:
  id: 01HFVTDYA775K2HREH9ZGQJ75B
  version: 2.0
---

# Title
"""


@pytest.mark.parametrize(
    ("text", "fmt", "raw"),
    [
        ("\ufeff---\na: 1\n---\n# x\n", "yaml", "---\na: 1\n---"),
        ("\n\n  +++\na = 1\n+++\n# x\n", "toml", "+++\na = 1\n+++"),
        ('{"a": {"b": "}"}}\n# x\n', "json", '{"a": {"b": "}"}}'),
        ("---\r\na: 1\r\n---\r\n\r\n# x\r\n", "yaml", "---\r\na: 1\r\n---"),
        ("---\n---\n# x\n", "yaml", "---\n---"),
    ],
)
def test_located(text, fmt, raw):
    nb = loads(text)
    assert (nb.frontmatter.format, nb.frontmatter.raw) == (fmt, raw)
    assert nb.cells[0].source == "# x"
    assert dumps(nb) == text


@pytest.mark.parametrize(
    "text",
    [
        "---\nnever closed\n",
        "+++\nx\n",
        '{"a": 1\n',
        "--8<-- x\n",
        "{{ tpl }}\n",
        "{% inc %}\n",
        "# x\n---\na\n---\n",
    ],
)
def test_not_frontmatter_and_still_opens(text):
    nb = loads(text)
    assert nb.frontmatter is None
    assert dumps(nb) == text


def test_fields_are_typed():
    fm = loads(YAML_DOC).frontmatter
    assert (fm.shell, fm.cwd, fm.skip_prompts, fm.terminal_rows) == ("zsh", "", False, None)
    assert (fm.runme_id, fm.runme_version) == ("01HFVTDYA775K2HREH9ZGQJ75B", "2.0")
    fm = loads("---\nterminalRows: 20\nskipPrompts: true\ntag: a,b\n---\n").frontmatter
    assert (fm.terminal_rows, fm.skip_prompts, fm.tag) == (20, True, "a,b")


def test_yaml_edit_keeps_comments_order_and_layout():
    nb = loads(YAML_DOC)
    nb.frontmatter["cwd"] = "/tmp"
    nb.frontmatter.data["list"].append("c")
    out = dumps(nb)
    assert out == YAML_DOC.replace("  - b\n", "  - b\n  - c\n").replace(
        "  version: 2.0\n", "  version: 2.0\ncwd: /tmp\n"
    )


def test_yaml_value_change_keeps_the_comment():
    nb = loads(YAML_DOC)
    nb.frontmatter["shell"] = "bash"
    out = dumps(nb)
    assert "shell: bash # the shell\n" in out and "# how to run this\n" in out
    assert out.endswith("---\n\n# Title\n")


def test_reading_data_does_not_rewrite():
    nb = loads(YAML_DOC)
    assert nb.frontmatter.data["runme"]["version"] == 2.0
    assert dumps(nb) == YAML_DOC


def test_toml_and_json_edits():
    text = "+++\n# c\nprop1 = 'val1'\n\n[runme]\nid = 'X'\n+++\n\nbody\n"
    nb = loads(text)
    nb.frontmatter["shell"] = "bash"
    out = dumps(nb)
    assert (
        out.startswith("+++\n# c\nprop1 = 'val1'\nshell = \"bash\"\n")
        and "[runme]\nid = 'X'\n+++\n\nbody\n" in out
    )
    text = '{\n    "b": 1,\n    "a": 2\n}\n\nbody\n'
    nb = loads(text)
    nb.frontmatter["c"] = True
    assert dumps(nb) == '{\n    "b": 1,\n    "a": 2,\n    "c": true\n}\n\nbody\n'


def test_crlf_frontmatter_edit_keeps_crlf():
    nb = loads("---\r\na: 1\r\n---\r\n\r\n# x\r\n")
    nb.frontmatter["b"] = 2
    assert dumps(nb) == "---\r\na: 1\r\nb: 2\r\n---\r\n\r\n# x\r\n"


def test_invalid_frontmatter_cannot_be_edited_but_can_be_replaced():
    text = "---\nshell: [\n---\n\n# x\n"
    nb = loads(text)
    fm = nb.frontmatter
    assert not fm.valid and fm.data is None and "yaml" in fm.error
    with pytest.raises(FrontmatterError):
        fm["shell"] = "bash"
    assert dumps(nb) == text
    fm.raw = "---\nshell: bash\n---"
    assert fm.valid and fm.shell == "bash"
    assert dumps(nb) == "---\nshell: bash\n---\n\n# x\n"


def test_set_and_remove_frontmatter():
    nb = loads("\ufeff# x\r\n")
    nb.frontmatter = {"shell": "bash"}
    assert dumps(nb) == "\ufeff---\r\nshell: bash\r\n---\r\n\r\n# x\r\n"
    nb.frontmatter = "cwd: /tmp"
    assert dumps(nb) == "\ufeff---\r\ncwd: /tmp\r\n---\r\n\r\n# x\r\n"
    nb = loads(YAML_DOC)
    nb.frontmatter = None
    assert dumps(nb) == "# Title\n"
    nb.frontmatter = Frontmatter.new({"a": "b"}, "toml")
    assert dumps(nb) == '+++\na = "b"\n+++\n\n# Title\n'


def test_frontmatter_on_an_empty_document():
    nb = loads("")
    nb.frontmatter = {"shell": "bash"}
    assert dumps(nb) == "---\nshell: bash\n---\n"


def test_plain_documents_do_not_import_yaml_toml_or_ulid():
    code = textwrap.dedent("""
        import sys
        from fenced.document import loads, dumps, summary
        text = "# T\\n\\n```sh {\\"name\\":\\"x\\"}\\necho 1\\n```\\n"
        nb = loads(text); summary(nb); assert dumps(nb) == text
        heavy = [m for m in ("ruamel", "ruamel.yaml", "tomlkit", "ulid") if m in sys.modules]
        assert not heavy, heavy
        loads("---\\na: 1\\n---\\n").frontmatter.data
        assert "ruamel.yaml" in sys.modules and "tomlkit" not in sys.modules
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
