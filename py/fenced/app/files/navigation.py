"""Links between documents, and the app's own back/forward history (issue 14 item 3, issue 11 item 8).

A link in a rendered Markdown cell to a relative address (`03-compute-resources.md`, `../install/windows`,
`/installation`, each maybe with `#fragment`) comes here through the view's `link_opened` event (the
view prevented the browser's navigation: it opened `/other.md` on the app's host, a 404, in a new tab).
It is resolved against the document's place in the opened folder (files/links.py) and opened in Fenced,
in the same tab; a `#fragment` scrolls to its heading. Else the page says it is not in this folder.

Every document switch is an entry of the tab's history (`history.pushState`, the address unchanged), so
the browser's Back and Forward go through the documents read, and back to the heading a link went to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import listen, obj, opt
from fenced.app.notify import notify
from fenced.app.view.events import LinkOpened, ViewEvents

from .state import Current, OpenDocument
from .tasks import spawn

MARK = "fencedDocument"  # our history entries carry it (others' state is left alone)

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class Anchored(Protocol):
        """What following links needs of the view."""

        events: ViewEvents

        def go_to_anchor(self, fragment: str) -> bool: ...

    class Folder(Protocol):
        """What following links needs of the opened folder (`folder.Places`)."""

        folder: Any

        @property
        def paths(self) -> list[str]: ...

        @property
        def folder_name(self) -> str: ...

        async def open_path(self, path: str, line: int = 0) -> bool: ...

    Activate = Callable[[OpenDocument], Awaitable[None]]


class Navigation:
    def __init__(self, current: Current, view: Anchored, places: Folder, activate: Activate) -> None:
        self.current = current
        self.view = view
        self.places = places
        self._activate = activate
        self._restoring = False  # showing a document because of Back/Forward: no new history entry

    def install(self) -> None:
        self.view.events.link_opened.subscribe(self._on_link)
        listen(js.window, "popstate", self._on_pop)

    # --- links ------------------------------------------------------------------------------------

    def _on_link(self, event: LinkOpened) -> None:
        spawn(self.follow(event.href))

    async def follow(self, href: str) -> bool:
        """Open what `href` (in the document shown) points at, inside Fenced; say why not otherwise."""
        from . import links

        target = links.split(href)
        doc = self.current.doc
        if not target.path:
            return self.go_to_fragment(target.fragment)
        places = self.places
        if doc is None or places.folder is None or doc.folder is not places.folder or not doc.path:
            where = f"the folder that contains {doc.label}" if doc is not None else "its folder"
            notify(
                f"{href} is a link to another document: open {where} (Open folder) to follow links "
                "between its documents in Fenced.",
                "info",
                key="files-link",
                timeout_ms=10_000,
            )
            return False
        path = links.resolve(doc.path, href, set(places.paths))
        if path is None:
            notify(links.not_found(href, places.folder_name), "warning", key="files-link", timeout_ms=10_000)
            return False
        if not await places.open_path(path):
            return False
        if target.fragment and not self.view.go_to_anchor(target.fragment):
            notify(f"{path} has no heading #{target.fragment}.", "info", key="files-link", timeout_ms=6000)
        self._replace_fragment(target.fragment)
        return True

    def go_to_fragment(self, fragment: str) -> bool:
        """A `#fragment` link in the document: its heading, as a history entry of its own."""
        doc = self.current.doc
        if not self.view.go_to_anchor(fragment):
            notify(f"No heading #{fragment} in this document.", "info", key="files-link", timeout_ms=6000)
            return False
        if doc is not None:
            self._push(doc, fragment)
        return True

    # --- history ----------------------------------------------------------------------------------

    def shown(self, doc: OpenDocument) -> None:
        """A document became the one shown: a new entry in the tab's history (the first one replaces
        the entry the page was loaded with)."""
        if self._restoring:
            return
        self._push(doc, "")

    def _state(self, doc: OpenDocument, fragment: str) -> Any:
        return obj({MARK: doc.identity, "path": doc.path or "", "fragment": fragment})

    def _ours(self) -> Any:
        state = opt(js.window.history.state)
        return state if state is not None and opt(getattr(state, MARK, None)) is not None else None

    def _push(self, doc: OpenDocument, fragment: str) -> None:
        history = js.window.history
        here = self._ours()
        if here is None:
            history.replaceState(self._state(doc, fragment), "")
            return
        # Where the reader was, for Back: the entry being left keeps its scroll position.
        here.scroll = float(js.window.scrollY)
        history.replaceState(here, "")
        history.pushState(self._state(doc, fragment), "")

    def _replace_fragment(self, fragment: str) -> None:
        doc = self.current.doc
        if doc is not None and fragment:
            js.window.history.replaceState(self._state(doc, fragment), "")

    def _on_pop(self, event: Any) -> None:
        state = opt(event.state)
        if state is None or opt(getattr(state, MARK, None)) is None:
            return
        scroll = opt(getattr(state, "scroll", None))
        spawn(
            self._restore(
                str(getattr(state, MARK)),
                str(state.path or ""),
                str(state.fragment or ""),
                None if scroll is None else float(scroll),
            )
        )

    async def _restore(self, identity: str, path: str, fragment: str, scroll: float | None) -> None:
        self._restoring = True
        same = self.current.doc is not None and self.current.doc.identity == identity
        try:
            doc = self.current.find(identity)
            if doc is not None:
                await self._activate(doc)
            elif path and self.places.folder is not None and path in set(self.places.paths):
                await self.places.open_path(path)
            elif self.current.doc is None or self.current.doc.identity != identity:
                notify("That document is no longer open.", "info", key="files-link", timeout_ms=6000)
                return
        finally:
            self._restoring = False
        if fragment:
            self.view.go_to_anchor(fragment)
        elif same and scroll is not None:
            js.window.scrollTo(0, scroll)
