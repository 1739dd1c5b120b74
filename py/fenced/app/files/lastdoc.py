"""The last document, on screen again before Python runs (issue 17, "instant open").

When the page goes away (`pagehide`, or hidden: a hidden tab may be killed without one), the document
shown is kept as a text-only picture with the last lines of its outputs (`fenced.document.preview`) in
localStorage. On the next visit web/lastdoc.js paints it from the page's first script as a "Last
document" card in the empty state, while Python is still starting. Python takes the card over as it is,
nothing is drawn again: its Reopen button is a `[data-command]` button (enabled at ready) that runs
`reopen-last`, which opens the same file again through the identity Fenced keeps for it (its handle, or
its folder and path), and the card goes once a document is shown.

A reload still lands on the empty state with Recent files and the drafts on offer, as issues 11 and 14
fix: the card is one more thing shown there, not a document opened without being asked (which a file
handle could not be anyway: reading it again may need a click to allow).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import js

from fenced.app import fsa
from fenced.app.jsffi import JsException, LocalStorage, opt
from fenced.app.notify import notify
from fenced.document.preview import MAX_BLOCKS, decode, encode, preview

from .drafts import leaving
from .identity import fingerprint, parse
from .state import Current, OpenDocument

if TYPE_CHECKING:
    from .folder import Places
    from .handles import HandleBook

KEY = "fenced.last-document"  # web/lastdoc.js reads the same key
OUTPUT_CHARS = 4000  # of each output's end: the picture keeps its last lines
SAMPLE = "sample"


class LastDocument:
    """Keeps the picture of the document shown, and opens that document again on request."""

    def __init__(
        self,
        current: Current,
        view: Any,
        handles: HandleBook,
        places: Places,
        open_file: Callable[[Any, Any], Awaitable[bool]],
        open_sample: Callable[[], Awaitable[None]],
    ) -> None:
        self.current = current
        self.view = view
        self.handles = handles
        self.places = places
        self.open_file = open_file
        self.open_sample = open_sample
        self._sample: tuple[str, str] | None = None  # the shipped sample's name and fingerprint, once opened
        self._storage = LocalStorage()

    def on_leave(self, event: Any) -> None:
        """`pagehide`, or `visibilitychange` to hidden."""
        if leaving(event):
            self.capture()

    def capture(self) -> None:
        """Keep the picture of the document shown (nothing changes when none is)."""
        doc, notebook = self.current.doc, self.view.notebook
        if doc is None or notebook is None:
            return
        shown = opt(js.window.fencedLastDocument)
        outputs: dict[int, str] = {}
        if shown is not None:
            got = shown.outputs(min(len(notebook.cells), MAX_BLOCKS), OUTPUT_CHARS).to_py()
            outputs = {int(k): str(v) for k, v in got.items()}
        picture = preview(notebook, outputs)
        self._storage.set(
            KEY,
            encode(
                picture,
                name=doc.name,
                label=doc.label,
                at=int(js.Date.now()),
                identity=doc.identity,
                reopen=self._how(doc),
            ),
        )

    def opening_sample(self, name: str, data: bytes) -> None:
        """The shipped sample runbook (`name`, `data`) is being opened: a document of that name and content
        without a handle is the sample from now on (told before it shows: the page may go at once)."""
        self._sample = (name, fingerprint(data))

    def _how(self, doc: OpenDocument) -> str:
        """How the document can be opened again: its identity's kind ("file", "folder"), the sample, or
        "" (a dropped file: only the user has it; one named like the sample is the sample only with the
        sample's content)."""
        kind = parse(doc.identity).kind
        if kind in ("file", "folder"):
            return kind
        sample = self._sample  # the name first: no dropped file's content is hashed when the page goes
        if (
            doc.handle is None
            and sample
            and doc.name == sample[0]
            and fingerprint(doc.base.data) == sample[1]
        ):
            return SAMPLE
        return ""

    def forget(self) -> None:
        """The card's Forget: the picture goes, and the card with it (the file is not touched)."""
        self._storage.remove(KEY)
        self.shown()

    def shown(self) -> None:
        """A document is shown: the card has done its job."""
        card = opt(js.document.getElementById("last-document"))
        if card is not None:
            card.remove()
            js.document.body.removeAttribute("data-last-document")

    async def reopen(self) -> None:
        """Open the document of the picture again (the card's Reopen button)."""
        got = decode(self._storage.get(KEY))
        if got is None or not got[1].get("reopen"):
            notify("There is no last document to reopen: open a file instead.", "info", key="files")
            return
        about = got[1]
        name, how = str(about.get("name") or "the last document"), str(about["reopen"])
        if how == SAMPLE:
            await self.open_sample()
            return
        source = parse(str(about.get("identity") or ""))
        handle = await self.handles.handle(source.handle_id) if source.handle_id else None
        if handle is None:
            notify(f"Fenced no longer knows where {name} is: open it again.", "warning", key="files")
            return
        if not await fsa.ensure_permission(handle, "read"):
            notify(
                f"Fenced needs your permission to read {name}. Click Reopen again and allow access.",
                "warning",
                key="files",
            )
            return
        try:
            if source.kind == "folder":
                await self.places.list_folder(handle, remember=True)
                await self.places.open_path(source.path)
            else:
                await self.open_file(await handle.getFile(), handle)
        except JsException as exc:
            if getattr(exc, "name", "") != "NotFoundError":
                raise
            notify(f"{name} is no longer there.", "warning", key="files")
