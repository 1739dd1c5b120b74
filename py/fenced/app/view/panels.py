"""The notebook's chrome: toolbar, outline panel, find bar, the actions bar of the active cell, and the
"add cell" buttons at the end. Built once from HTML strings; clicks reach `listeners` by delegation
(``data-nb`` / ``data-op`` / ``data-goto`` attributes).
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import closest, listen, obj, opt

from . import cellhtml, find, outline
from .dialogs import Dialogs

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .cellparts import CellParts
    from .dialogs import Editable

    class _Cells(Protocol):
        ctl: Any  # the editor bundle's controller

    class Viewed(Editable, Protocol):
        """What the chrome needs of the view (`NotebookView`)."""

        root: Any
        cell_parts: CellParts

        @property
        def dom(self) -> _Cells: ...

        def outline_visible(self) -> bool: ...

        def toggle_sidebar(self) -> None: ...

        def element(self, index: int) -> Any: ...


TOOLBAR = """
<div class="nb-toolbar" role="toolbar" aria-label="Notebook">
  <button type="button" class="tool icon-only" data-nb="outline" data-icon="list-tree" aria-expanded="false"
    aria-controls="sidebar" title="Outline: show or hide the sidebar (Ctrl+B)"><span class="label">Outline</span></button>
  <button type="button" class="tool icon-only" data-nb="undo" data-icon="discard" title="Undo (Ctrl+Z)"><span class="label">Undo</span></button>
  <button type="button" class="tool icon-only" data-nb="redo" data-icon="redo" title="Redo (Ctrl+Shift+Z)"><span class="label">Redo</span></button>
  <button type="button" class="tool" data-nb="frontmatter" data-icon="gear" title="The document's settings (shell, cwd, …)">Frontmatter…</button>
  <div class="nb-find" role="search">
    <input type="search" class="nb-find-input" aria-label="Find in notebook" placeholder="Find in notebook"
      autocomplete="off" spellcheck="false">
    <span class="nb-find-count" aria-live="polite"></span>
    <button type="button" class="tool icon-only" data-nb="find-prev" data-icon="arrow-up" title="Previous match (Shift+Enter)"><span class="label">Previous match</span></button>
    <button type="button" class="tool icon-only" data-nb="find-next" data-icon="arrow-down" title="Next match (Enter)"><span class="label">Next match</span></button>
  </div>
  <button type="button" class="tool icon-only" data-nb="shortcuts" data-icon="question" title="Keyboard shortcuts (?)"><span class="label">Keyboard shortcuts</span></button>
</div>
<div class="nb-cells"></div>
<div class="nb-end">
  <button type="button" class="tool" data-nb="add-code">+ Code cell</button>
  <button type="button" class="tool" data-nb="add-markdown">+ Markdown cell</button>
</div>
"""

OUTLINE_DELAY_S = 0.5
FIND_DELAY_S = 0.15


class Chrome:
    def __init__(self, view: Viewed) -> None:
        self.v = view
        root = view.root
        root.innerHTML = TOOLBAR
        root.classList.add("notebook-view")
        self.cells = root.querySelector(".nb-cells")
        # The outline lives in the page's sidebar (index.html); a page without one gets it above the cells.
        self.outline = opt(js.document.getElementById("nb-outline"))
        if self.outline is None:
            self.outline = js.document.createElement("nav")
            self.outline.id, self.outline.className = "nb-outline", "nb-outline"
            self.outline.setAttribute("aria-label", "Outline")
            root.insertBefore(self.outline, self.cells)
        self.outline_body = js.document.createElement("div")
        self.outline_body.className = "outline-body"
        for old in self.outline.querySelectorAll(".nb-outline-empty, .outline-body"):
            old.remove()
        self.outline.append(self.outline_body)
        listen(self.outline, "click", self._on_outline_click)
        self.find_input = root.querySelector(".nb-find-input")
        self.find_count = root.querySelector(".nb-find-count")
        tpl = js.document.createElement("template")
        tpl.innerHTML = cellhtml.actions_html([*cellhtml.MENU_ACTIONS, *view.cell_parts.menu])
        self.actions = tpl.content.firstElementChild
        self.dialogs = Dialogs(view)
        self._matches: list[find.Match] = []
        self._current = -1
        self._outline_task: asyncio.Future[None] | None = None
        self._outline_cache = outline.HeadingCache()
        self._outline_html = ""
        self._find_task: asyncio.Future[None] | None = None

    # --- document lifecycle -----------------------------------------------------------------------

    def document_shown(self) -> None:
        self.find_input.value = ""
        self._set_matches([])
        self._outline_html = ""
        if self.v.outline_visible():
            self.render_outline()

    def document_changed(self) -> None:
        if self.v.outline_visible():
            self._later("_outline_task", OUTLINE_DELAY_S, self.render_outline)
        if self.find_input.value:
            self._later("_find_task", OUTLINE_DELAY_S, lambda: self.run_find(keep_position=True))

    def _later(self, slot: str, delay: float, fn: Any) -> None:
        task = getattr(self, slot)
        if task is not None:
            task.cancel()

        async def wait() -> None:
            await asyncio.sleep(delay)
            fn()

        setattr(self, slot, asyncio.ensure_future(wait()))

    def attach_actions(self, cell_el: Any) -> None:
        """Move the actions bar into the active cell (one bar in the DOM, not one per cell; web/shell.js
        moves it to the cell under the mouse). Before the cell's text: after its Run button in Tab order;
        the CSS floats it at the cell's top right, so it never pushes anything."""
        if self.actions.parentElement != cell_el:
            cell_el.insertBefore(self.actions, cell_el.querySelector(":scope > .cell-source"))

    # --- outline ----------------------------------------------------------------------------------

    def toggle_outline(self) -> None:
        """The outline is in the sidebar: show or hide that."""
        self.v.toggle_sidebar()

    def render_outline(self) -> None:
        if self.v.notebook is None:
            return
        self.v.flush()
        items = self._outline_cache.headings(
            (i, c) for i, c in enumerate(self.v.cells) if c.kind == "markdown"
        )
        if not items:
            html = '<p class="nb-outline-empty">No headings.</p>'
        else:
            rows = "".join(
                f'<li class="level-{h.level}"><button type="button" class="outline-item" data-goto="{h.cell}">'
                f"{escape(h.text) or '(untitled)'}</button></li>"
                for h in items
            )
            html = f'<ol class="outline-list">{rows}</ol>'
        if html != self._outline_html or not self.outline_body.firstChild:
            self._outline_html = html  # unchanged headings (most edits): no DOM work
            self.outline_body.innerHTML = html

    def _on_outline_click(self, event: Any) -> None:
        item = closest(event.target, "[data-goto]")
        if item is not None and self.v.notebook is not None:
            self.go_to(int(item.getAttribute("data-goto")))

    def go_to(self, index: int) -> None:
        self.v.select(index, focus=True, scroll=False)
        el = self.v.element(index)
        if el is not None:
            el.scrollIntoView(obj(block="start"))

    # --- find -------------------------------------------------------------------------------------

    def focus_find(self) -> None:
        self.find_input.focus()
        self.find_input.select()

    def on_input(self, event: Any) -> None:
        if event.target == self.find_input:
            self._later("_find_task", FIND_DELAY_S, self.run_find)

    def run_find(self, keep_position: bool = False) -> None:
        if self.v.notebook is None:
            return
        self.v.flush()
        query = str(self.find_input.value)
        matches = find.find_all([c.source for c in self.v.cells], query)
        self._set_matches(matches, keep_position)

    def _set_matches(self, matches: list[find.Match], keep_position: bool = False) -> None:
        for el in self.cells.querySelectorAll(".find-match"):
            el.classList.remove("find-match")
        self._matches = matches
        if not keep_position or self._current >= len(matches):
            self._current = -1
        for index in sorted({m.cell for m in matches}):
            el = self.v.element(index)
            if el is not None:
                el.classList.add("find-match")
        self._show_count()

    def _show_count(self) -> None:
        n = len(self._matches)
        if not self.find_input.value:
            text = ""
        elif n == 0:
            text = "No matches"
        elif self._current < 0:
            text = f"{n} match{'es' if n != 1 else ''}"
        else:
            text = f"{self._current + 1} of {n}"
        self.find_count.textContent = text

    def find_step(self, delta: int) -> None:
        if not self._matches:
            self.run_find()
        if not self._matches:
            return
        self._current = (self._current + delta) % len(self._matches)
        m = self._matches[self._current]
        self._show_count()
        cell = self.v.cells[m.cell]
        el = self.v.element(m.cell)
        self.v.select(m.cell, focus=False, scroll=True)
        if cell.kind == "markdown" and not el.classList.contains("editing"):
            el.scrollIntoView(obj(block="center"))
            return
        src = cell.source
        self.v.dom.ctl.select(el, find.utf16_offset(src, m.start), find.utf16_offset(src, m.end), False)

    def handles_key(self, event: Any) -> bool:
        """Keys typed in the find box: Enter / Shift+Enter step through matches, Escape leaves."""
        if event.target != self.find_input:
            return False
        key = str(event.key)
        if key == "Enter":
            event.preventDefault()
            self.find_step(-1 if event.shiftKey else 1)
        elif key == "Escape":
            event.preventDefault()
            self.find_input.value = ""
            self._set_matches([])
            if self.v.cells:
                self.v.select(self.v.active)
        return True
