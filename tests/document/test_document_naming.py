"""Generated names exactly as Runme generates them."""

from __future__ import annotations

import pytest

from fenced.document import Cell, Notebook, loads
from fenced.document.naming import first_command, resolve, sanitize_name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ('$ echo "Hello, runme!"', "echo-hello"),
        ("# This is a pesky comment\necho Inferred", "echo-inferred"),
        ('$ echo "1"\n$ echo "2"', "echo-1"),
        ('temp_dir=$(mktemp -d -t "runme-XXXXXXX")', "tempdir"),
        ("package main\n\nimport", "package-main"),
        ("echo 1", "echo-1"),
        ("ECHO  two  spaces", "echo-"),  # split on single spaces, like Go
        (
            "a-very-long-command-name-that-goes-on-and-on",
            "averylongcommandnamethatgo",
        ),  # 32 bytes, "-" dropped
        ("échoé ça", "cho-a"),
        ("# only comments\n# here", "only"),  # no command: the first line
        ("", ""),
        ("=x", "x"),  # "=" at index 0 does not cut
        ("echo hi # trailing comment", "echo-hi"),
    ],
)
def test_generated_name(code, name):
    nb = loads(f"```sh\n{code}\n```\n")
    assert (nb.cells[0].name, nb.cells[0].name_generated) == (name, True)


def test_truncation_counts_bytes():
    assert sanitize_name("é" * 20) == ""
    assert sanitize_name("a" * 40) == "a" * 32


def test_first_command_skips_comments_and_dollars():
    assert first_command("\n# c\n$ ls -la  # list\n") == "ls -la"
    assert first_command("  $ ls") == "$ ls"  # "$" is trimmed only at the line start
    assert first_command("# a\n# b") == "# a"


def test_duplicates_count_explicit_and_generated_names():
    assert resolve([("", "echo hi"), ("echo-hi", None), ("", "echo hi"), ("x", None), ("x", None)]) == [
        ("echo-hi", True),
        ("echo-hi-2", False),
        ("echo-hi-3", True),
        ("x", False),
        ("x-2", False),
    ]


def test_fences_left_in_markdown_still_take_a_name():
    text = "```mermaid\ngraph TD\n```\n\n```sh\ngraph TD\n```\n"
    nb = loads(text)
    assert [c.kind for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[1].name == "graph-td-2"


def test_names_follow_edits_and_list_changes():
    nb = loads("```sh\necho a\n```\n\n```sh\necho a\n```\n")
    first, second = nb.cells
    assert (first.name, second.name) == ("echo-a", "echo-a-2")
    nb.cells.reverse()
    assert (second.name, first.name) == ("echo-a", "echo-a-2")
    second.source = "ls"
    assert (second.name, first.name) == ("ls", "echo-a")
    first.attributes["name"] = "ls"
    assert (second.name, first.name, first.name_generated) == ("ls", "ls-2", False)
    nb.cells.insert(0, Cell.new_code("ls"))
    assert [c.name for c in nb.cells] == ["ls", "ls-2", "ls-3"]


def test_name_of_a_detached_cell():
    cell = Cell.new_code("kubectl get pods")
    assert (cell.name, cell.name_generated) == ("kubectl-get", True)
    cell.name = "pods"
    assert (cell.name, cell.name_generated, cell.attributes) == ("pods", False, {"name": "pods"})
    assert Notebook([cell]).cells[0].name == "pods"
