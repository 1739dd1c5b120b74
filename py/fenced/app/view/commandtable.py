"""The page's commands by name, one table for everything that asks for them (pure, no `js`).

Keys (`keymap`), the cell actions bar and the notebook toolbar (`data-op`/`data-nb` attributes), the run
keys and the Run toolbar of fenced.app.run, and the command palette all dispatch through
`NotebookView.commands`. The view adds its own commands (`commands.ViewCommands`); other rooms add theirs
at install time:

    view.commands.add(Command("run-all", self.run_all, label="Run all", needs_document=False))

A name is added once (a second `add` of it is a bug and raises), and running a name nobody added raises
`UnknownCommand`, so a misspelt command fails loudly (tests/app/test_view_commands.py checks every name
the keymap, the toolbars and the palette use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import NamedTuple


class UnknownCommand(KeyError):
    """A command name that nobody added to the table."""


class Command(NamedTuple):
    name: str
    run: Callable[[], object]
    label: str = ""  # listed in the command palette under this label ("" = not listed)
    needs_document: bool = True  # does nothing while no notebook is shown


class PaletteItem(NamedTuple):
    """One line of the command palette."""

    label: str
    run: Callable[[], object]


PaletteSource = Callable[[], list[PaletteItem]]


class CommandTable:
    def __init__(self, has_document: Callable[[], bool]) -> None:
        self._has_document = has_document
        self._commands: dict[str, Command] = {}
        self._sources: list[PaletteSource] = []

    def add(self, *commands: Command) -> None:
        for command in commands:
            if command.name in self._commands:
                raise ValueError(f"command {command.name!r} is added twice")
            self._commands[command.name] = command

    def __contains__(self, name: object) -> bool:
        return name in self._commands

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def get(self, name: str) -> Command:
        try:
            return self._commands[name]
        except KeyError:
            raise UnknownCommand(name) from None

    def run(self, name: str) -> bool:
        """Run command `name`; False when it needs a document and none is shown."""
        command = self.get(name)
        if command.needs_document and not self._has_document():
            return False
        command.run()
        return True

    # --- the palette ------------------------------------------------------------------------------

    def add_palette_source(self, source: PaletteSource) -> None:
        """Items that depend on the moment (e.g. "Run cell: NAME" per code cell), listed after the labelled
        commands, each source's in its order."""
        self._sources.append(source)

    def palette_items(self) -> list[PaletteItem]:
        items = [PaletteItem(c.label, partial(self.run, c.name)) for c in self._commands.values() if c.label]
        for source in self._sources:
            items.extend(source())
        return items
