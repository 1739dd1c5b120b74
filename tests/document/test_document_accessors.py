"""Typed accessors with Runme's defaults, and the summary used across runtimes."""

from __future__ import annotations

import json

from fenced.document import Cell, dumps, loads, summary


def test_defaults_when_absent():
    cell = loads("```sh\nls\n```\n").cells[0]
    assert cell.interactive is True
    assert cell.background is False
    assert cell.close_terminal_on_success is True
    assert cell.exclude_from_run_all is False
    assert cell.prompt_env == "auto"
    assert (cell.cwd, cell.interpreter, cell.mime_type, cell.category, cell.tag) == ("", "", "", "", "")
    assert cell.terminal_rows is None and cell.tags == [] and cell.id is None


def test_values_and_invalid_values():
    text = (
        '```sh {"interactive":"false","background":"1","closeTerminalOnSuccess":"F",'
        '"excludeFromRunAll":"junk","promptEnv":"never","cwd":"/w","interpreter":"bash -e",'
        '"terminalRows":"25","mimeType":"text/plain","category":"a, b","tag":"c","id":"01HF"}\nls\n```\n'
    )
    cell = loads(text).cells[0]
    assert (cell.interactive, cell.background, cell.close_terminal_on_success) == (False, True, False)
    assert cell.exclude_from_run_all is False  # unparsable: Runme's default
    assert (cell.prompt_env, cell.cwd, cell.interpreter, cell.terminal_rows) == ("never", "/w", "bash -e", 25)
    assert (cell.mime_type, cell.tags, cell.id) == ("text/plain", ["a", "b", "c"], "01HF")


def test_setters_write_attributes():
    nb = loads("```sh\nls\n```\n")
    cell = nb.cells[0]
    cell.interactive = False
    cell.terminal_rows = 10
    cell.prompt_env = "always"
    cell.cwd = "/tmp"
    cell.background = None  # absent stays absent
    assert cell.attributes == {
        "interactive": "false",
        "terminalRows": "10",
        "promptEnv": "always",
        "cwd": "/tmp",
    }
    assert (
        dumps(nb)
        == '```sh {"cwd":"/tmp","interactive":"false","promptEnv":"always","terminalRows":"10"}\nls\n```\n'
    )
    cell.cwd = None
    assert "cwd" not in cell.attributes


def test_summary_is_json_and_complete():
    text = '# T\n\n```sh {"name":"a"}\necho 1\n```\n\n```\nls -la\n```\n'
    data = summary(loads(text))
    assert (
        json.loads(json.dumps(data))
        == data
        == [
            {
                "kind": "markdown",
                "language": "",
                "name": "",
                "name_generated": False,
                "attributes": {},
                "source": "# T",
            },
            {
                "kind": "code",
                "language": "sh",
                "name": "a",
                "name_generated": False,
                "attributes": {"name": "a"},
                "source": "echo 1",
            },
            {
                "kind": "code",
                "language": "",
                "name": "ls-la",
                "name_generated": True,
                "attributes": {},
                "source": "ls -la",
            },
        ]
    )


def test_new_cell_constructors():
    code = Cell.new_code("ls", "bash", {"interactive": False})
    assert (code.kind, code.language, code.attributes, code.is_new) == (
        "code",
        "bash",
        {"interactive": "false"},
        True,
    )
    md = Cell.new_markdown("hello\r\nworld")
    assert (md.kind, md.source, md.language, md.name) == ("markdown", "hello\nworld", "", "")
