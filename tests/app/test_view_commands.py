"""The page's command table: every name the keymap, the toolbars, the cell actions bar, the Run toolbar
and the code itself ask for is a command someone added, so a misspelt command fails here."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from fenced.app.view import cellhtml
from fenced.app.view.commands import ViewCommands
from fenced.app.view.commandtable import Command, CommandTable, PaletteItem, UnknownCommand
from fenced.app.view.keymap import COMMAND, EDIT, KeyPress, command_for
from tests.app.jsstub import browser_modules

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "py" / "fenced" / "app"


def fake_view() -> Any:
    """What ViewCommands reads when it builds its table: bound methods of the view."""
    calls: list[str] = []
    names = (
        "edit",
        "command_mode",
        "undo",
        "redo",
        "open_palette",
        "select",
        "flush",
        "run",
        "toggle_sidebar",
    )
    view = SimpleNamespace(calls=calls, cells=[], active=0, notebook=None, root=None)
    for name in names:
        setattr(view, name, lambda *a, _n=name, **k: calls.append(_n))
    return view


def page_table() -> CommandTable:
    """The table as boot builds it: the view's commands, then the file room's and the run room's."""
    view = fake_view()
    table = CommandTable(lambda: True)
    table.add(*ViewCommands(view).commands())
    with browser_modules():
        from fenced.app.files.controller import FilesController
        from fenced.app.run.commands import RunCommands

        table.add(*FilesController(view).commands())  # type: ignore[arg-type]
        session = SimpleNamespace(controller=None, focus_runner=lambda: None)
        table.add(*RunCommands(view, session, outputs=None).commands())  # type: ignore[arg-type]
    return table


def run_cell_menu() -> set[str]:
    with browser_modules():
        from fenced.app.run.commands import RunCommands

        session = SimpleNamespace(controller=None, focus_runner=lambda: None)
        return {a.op for a in RunCommands(fake_view(), session, outputs=None).cell_menu()}  # type: ignore[arg-type]


def keymap_commands() -> set[str]:
    """Every command the keymap can produce, over all keys that matter, modifiers and the D prefix."""
    keys = [
        "Enter",
        "Escape",
        "ArrowUp",
        "ArrowDown",
        "Home",
        "End",
        "?",
        "Tab",
        " ",
        *"abcdefghijklmnopqrstuvwxyzDZY",
    ]
    found: set[str] = set()
    for mode, key, pending, mods in itertools.product(
        (COMMAND, EDIT), keys, (None, "d"), itertools.product((False, True), repeat=4)
    ):
        command, _ = command_for(mode, KeyPress(key, *mods), pending)
        if command is not None:
            found.add(command)
    return found


def run_calls_in_app() -> set[str]:
    """String literals passed to `<...>.commands.run(...)` anywhere in fenced.app."""
    found: set[str] = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "commands"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_name_asked_for_is_a_command() -> None:
    table = page_table()
    with browser_modules():
        from fenced.app.run import terminal
        from fenced.app.view import listeners, panels

        toolbar = set(re.findall(r'data-nb="([^"]+)"', panels.TOOLBAR))
        without_cells = set(listeners._WITHOUT_CELLS)
        output_actions = set(re.findall(r'data-op="([^"]+)"', terminal._HTML))
    page = (ROOT / "index.html").read_text()
    asked = {
        "keymap": keymap_commands(),
        "cell actions bar and menu (data-op)": {a.op for a in cellhtml.CELL_ACTIONS},
        "the run room's cell menu items": run_cell_menu(),
        "an output's actions (data-op)": output_actions,
        "notebook toolbar (data-nb)": toolbar,
        "the header's run commands (data-run-action)": set(re.findall(r'data-run-action="([^"]+)"', page)),
        "the page's command buttons (data-command)": set(re.findall(r'data-command="([^"]+)"', page)),
        "keys without cells": without_cells,
        "commands.run(...) in the code": run_calls_in_app(),
    }
    assert all(asked.values()), asked  # each source was found
    assert {where: sorted(names - {c.name for c in table}) for where, names in asked.items()} == {
        where: [] for where in asked
    }


def test_a_misspelt_or_doubled_command_fails() -> None:
    table = page_table()
    with pytest.raises(UnknownCommand):
        table.run("add-code-bellow")
    with pytest.raises(ValueError, match="twice"):
        table.add(Command("undo", lambda: None))


def test_commands_that_need_a_document_wait_for_one() -> None:
    shown: list[bool] = [False]
    ran: list[str] = []
    table = CommandTable(lambda: shown[0])
    table.add(
        Command("edit", lambda: ran.append("edit")),
        Command("help", lambda: ran.append("help"), needs_document=False),
    )
    assert table.run("edit") is False and table.run("help") is True and ran == ["help"]
    shown[0] = True
    assert table.run("edit") is True and ran == ["help", "edit"]


def test_the_palette_lists_labelled_commands_in_order_then_its_sources() -> None:
    table = page_table()
    table.add_palette_source(lambda: [PaletteItem("Run cell: build", lambda: None)])
    labels = [item.label for item in table.palette_items()]
    assert labels == [c.label for c in table if c.label] + ["Run cell: build"]
    run_room = ["Run all", "Stop all", "Restart session", "Save with outputs", "Connect to a runner…"]
    assert [label for label in labels if label in run_room] == run_room
    for wanted in (
        "Open a file…",
        "Open a folder…",
        "Open the sample runbook",
        "Save as…",
        "Keyboard shortcuts",
        "Run the cells above",
        "Run this cell and below",
        "Clear all outputs",
        "Copy the cell's output",
    ):
        assert wanted in labels
