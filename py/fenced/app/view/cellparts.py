"""Places in a code cell's markup that other rooms fill (pure, no `js`): the cell toolbar, the gutter.

The view renders cells as HTML strings (`cellhtml`), thousands at a time, so a room that adds controls to
every cell gives the view a *provider*: a function from the cell's data to an HTML fragment, called as
each cell's markup is built. fenced.app.run provides the Run/Stop buttons this way:

    view.cell_parts.add("toolbar", lambda cell: '<button data-run="run" ...>▶</button>')

Providers of one slot are joined in the order they were added. A slot with no provider is left out of
the markup entirely (the gutter, until someone fills it), so an unused place costs no element.
Rooms also add entries to the cells' "…" menu (`add_menu_item`): commands of the page's command table,
run with the cell whose menu it was selected.
Clicks on what a provider put there are the provider's to handle (a delegated listener on the view's
root, matching its own `data-*` attributes), as is keeping it current (`view.root.querySelectorAll`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

CellKind = Literal["markdown", "code"]


class CellData(NamedTuple):
    """What a cell's markup is made from (and what providers are given)."""

    key: int  # the view's key of the cell (`data-key`)
    kind: CellKind
    source: str
    language: str = ""
    name: str = ""
    warning: str = ""  # why the cell's attribute block could not be read (see `notices`)
    role: str = "runnable"  # code cells: "runnable", "sample" (no Run button) or "other" (runnable.Role)
    name_generated: bool = False  # the name is Runme's made-up one (from the first line), not the author's


class CellAction(NamedTuple):
    """One entry of the cell actions bar or of its "…" menu: a command of the page's command table, run on
    the cell whose bar was clicked (the buttons carry `data-op`)."""

    op: str  # the command's name
    label: str  # accessible name (and the menu's text)
    icon: str  # a codicon name (web/build_steps_icons.py lists those the build ships)
    kinds: str = "both"  # "code", "markdown" or "both": the cells it applies to
    shortcut: str = ""  # shown in the tooltip


# "toolbar": .cell-header .cell-toolbar, after the language and the name; "gutter": .cell-gutter, the
# cell's first child, before its header (present only when filled).
Slot = Literal["toolbar", "gutter"]
SLOTS: tuple[Slot, ...] = ("toolbar", "gutter")


Provider = Callable[[CellData], str]


class CellParts:
    """The providers of each slot."""

    def __init__(self) -> None:
        self._providers: dict[Slot, list[Provider]] = {slot: [] for slot in SLOTS}
        self.menu: list[CellAction] = []  # entries other rooms added to the "…" menu

    def add(self, slot: Slot, provider: Provider) -> None:
        self._providers[slot].append(provider)

    def add_menu_item(self, action: CellAction) -> None:
        """An entry of the cells' "…" menu, after the view's own (fenced.app.run: run above/below, the
        output's actions). Its `op` is a command of the page's table, run with the cell selected."""
        self.menu.append(action)

    def renderer(self, slot: Slot) -> Provider | None:
        """One function for the slot's markup (None when nobody fills it), taken once per batch of cells:
        it is called once per cell of a 5,000-cell notebook, so the usual single provider is itself."""
        providers = list(self._providers[slot])
        if not providers:
            return None
        if len(providers) == 1:
            return providers[0]
        return lambda cell: "".join(provider(cell) for provider in providers)
