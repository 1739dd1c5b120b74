"""The active cell and the mode (Jupyter's): command mode moves between cells, edit mode types in one.

The active cell carries `.active` and, in command mode, the focus; the cell actions bar moves into it
(`panels.Chrome.attach_actions`). Edit mode mounts the cell's editor (the editor bundle's `mount`); a
Markdown cell being edited shows its source and is rendered again when command mode comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import obj, opt

from .keymap import COMMAND, EDIT, Mode

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class _Chrome(Protocol):
        def attach_actions(self, cell_el: Any) -> None: ...

    class _Cells(Protocol):
        ctl: Any  # the editor bundle's controller

        def set_markdown_html(self, el: Any, cell: Any) -> None: ...

    class Selectable(Protocol):
        """What the selection needs of the view (`NotebookView`)."""

        active: int
        mode: Mode

        @property
        def cells(self) -> Any: ...

        @property
        def dom(self) -> _Cells: ...

        @property
        def chrome(self) -> _Chrome: ...

        def element(self, index: int) -> Any: ...

        def flush(self) -> bool: ...


class Selection:
    def __init__(self, view: Selectable) -> None:
        self.v = view

    def select(self, index: int, focus: bool = True, scroll: bool = True) -> None:
        """Make cell `index` the active one (command mode focus goes to the cell element)."""
        v = self.v
        n = len(v.cells)
        if n == 0:
            v.active = 0
            return
        index = max(0, min(index, n - 1))
        old = v.element(v.active) if v.active < n else None
        el = v.element(index)
        if old is not None and old is not el:
            old.classList.remove("active")
        el.classList.add("active")  # every cell is a Tab stop (tabindex=0): Tab moves between cells
        v.active = index
        v.chrome.attach_actions(el)
        if scroll:
            el.scrollIntoView(obj(block="nearest"))
        if focus:
            el.focus(obj(preventScroll=True))
            v.mode = COMMAND

    def edit(
        self, index: int | None = None, where: str = "", point: tuple[float, float] | None = None
    ) -> None:
        """Edit mode on a cell: focus its editor (a Markdown cell shows its source). `point`: the viewport
        position of a click on a code cell's static text, where the caret goes."""
        v = self.v
        if index is None:
            index = v.active
        if not 0 <= index < len(v.cells):
            return
        ctl = v.dom.ctl
        cell, el = v.cells[index], v.element(index)
        offset = opt(ctl.offsetAt(el, *point)) if point is not None and cell.kind == "code" else None
        self.select(index, focus=False, scroll=True)
        if cell.kind == "markdown" and not el.classList.contains("editing"):
            el.classList.add("editing")
            ctl.mount(el, cell.source, True, where or "end")
        else:
            ctl.mount(el, None, True, where, offset)
        v.mode = EDIT

    def command_mode(self, advance: bool = False) -> None:
        """Leave the editor: render a Markdown cell being edited, focus the cell."""
        v = self.v
        if not v.cells:
            return
        el = v.element(v.active)
        if el.classList.contains("editing"):
            self.render_markdown(v.active)
        else:
            v.flush()
        self.select(v.active + (1 if advance else 0))

    def render_markdown(self, index: int) -> None:
        v = self.v
        v.flush()
        el = v.element(index)
        v.dom.ctl.unmount(el, False)
        el.classList.remove("editing")
        v.dom.set_markdown_html(el, v.cells[index])


def focus_is_free() -> bool:
    """Nothing that takes typing has the focus (the body, a button, a cell): a shown document may take it."""
    active = opt(js.document.activeElement)
    if active is None or active == js.document.body:
        return True
    tag = str(getattr(active, "tagName", ""))
    return tag not in ("INPUT", "TEXTAREA", "SELECT") and not bool(
        getattr(active, "isContentEditable", False)
    )
