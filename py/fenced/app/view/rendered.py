"""Rendered Markdown cells: their HTML as they come into view, their headings' anchors, the relative images
in them, and the links clicked in them.

The editor bundle asks for the HTML of the Markdown cells scrolled into view, a batch per call (so a long
document renders only what is seen); anchors are counted over the whole document (`anchors`), and images
that need a file of the opened folder are resolved once JS has inserted the HTML (`images`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app.jsffi import js_list, log_error, obj, opt, spawn

from .anchors import link_kind
from .events import LinkOpened
from .images import images_pending

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .anchors import DocumentAnchors
    from .cells import CellKeys
    from .events import DocumentRef, ViewEvents
    from .images import ImageResolver

    class Rendering(Protocol):
        """What the rendered Markdown cells need of the view (`NotebookView`)."""

        root: Any
        doc: DocumentRef | None
        events: ViewEvents
        keys: CellKeys
        images: ImageResolver
        anchors: DocumentAnchors

        @property
        def notebook(self) -> Any: ...

        @property
        def cells(self) -> Any: ...

        def element(self, index: int) -> Any: ...

        def element_of(self, cell: Any) -> Any: ...

        def flush(self) -> bool: ...

        def select(self, index: int, focus: bool = True, scroll: bool = True) -> None: ...


class RenderedMarkdown:
    def __init__(self, view: Rendering) -> None:
        self.v = view

    # --- HTML, anchors and images -----------------------------------------------------------------

    def render_keys(self, keys: Any) -> Any:
        """JS asks for the HTML of Markdown cells that came into view."""
        from . import markdown

        v = self.v
        out: list[str | None] = []
        images: list[int] = []
        index_of: dict[int, int] | None = None
        for k in keys.to_py():
            cell = v.keys.cell(int(k))
            if cell is None or cell.kind != "markdown":
                out.append(None)
                continue
            try:
                if index_of is None:
                    index_of = {id(c): i for i, c in enumerate(v.cells)}
                index = index_of.get(id(cell))
                anchors = v.anchors.of_cell(v.cells, index) if index is not None else ()
                html = markdown.render(cell.source, anchors)
            except Exception:
                log_error()
                html = None
            if html and images_pending(html):
                images.append(int(k))
            out.append(html)
        if images:
            spawn(self._resolve_images(images))
        return js_list(out)

    def anchors_of(self, cell: Any) -> list[str]:
        """The anchors of a Markdown cell's headings (for `CellsDom` when it renders one cell)."""
        for index, c in enumerate(self.v.cells):
            if c is cell:
                return self.v.anchors.of_cell(self.v.cells, index)
        return []

    async def _resolve_images(self, keys: list[int]) -> None:
        await asyncio.sleep(0)  # JS inserts the HTML after this call returns
        for k in keys:
            cell = self.v.keys.cell(k)
            el = self.v.element_of(cell) if cell is not None else None
            if el is not None:
                await self.v.images.resolve_in(el)

    # --- links and headings -----------------------------------------------------------------------

    def follow_link(self, anchor: Any, event: Any) -> None:
        """A click on a link in a rendered Markdown cell. External links open in a new tab (the sanitiser
        gave them `target=_blank rel="noopener noreferrer"`); a relative one (`other.md#part`, `../x`,
        `/installation`) is handed to `events.link_opened` for fenced.app.files to open inside Fenced;
        a `#fragment` scrolls to its heading (through `link_opened` too when someone listens, for the
        app's back/forward history)."""
        href = str(anchor.getAttribute("href") or "")
        kind = link_kind(href)
        doc = self.v.doc
        if kind == "external" or doc is None:
            return
        event.preventDefault()
        if kind == "fragment" and not len(self.v.events.link_opened):
            self.go_to_anchor(href)
            return
        self.v.events.link_opened.emit(LinkOpened(href, doc))

    def go_to_anchor(self, fragment: str) -> bool:
        """Scroll to the heading `#fragment` names (GitHub's anchors, `anchors.slug`); False if none."""
        v = self.v
        if v.notebook is None or not fragment.strip("#"):
            return False
        v.flush()
        found = v.anchors.find(v.cells, fragment)
        if found is None:
            return False
        index, nth = found
        v.select(index, focus=True, scroll=False)
        spawn(self._scroll_to_heading(index, nth))
        return True

    async def _scroll_to_heading(self, index: int, nth: int) -> None:
        """Scroll the heading into view, again once the cells around it are rendered (their real heights
        replace the estimates, and the Markdown cell itself may still be pending)."""
        for _ in range(40):
            el = self.v.element(index)
            if el is None:
                return
            headings = el.querySelectorAll(":is(h1,h2,h3,h4,h5,h6)[id]")
            target = headings.item(nth) if nth < headings.length else None
            (opt(target) or el).scrollIntoView(obj(block="start"))
            if opt(target) is not None and self.v.root.dataset.viewState != "rendering":
                return
            await asyncio.sleep(0.025)
