"""The selected cell's output actions, commands of the page's table (the output's buttons, the cells'
"…" menu, the palette): clear, collapse or expand, copy as plain text, and open a truncated output in
full (what the page kept, then the rest from the runner's replay buffer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.notify import notify

from .tasks import spawn

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .controller import Controller
    from .outputs import Outputs
    from .terminal import CellOutput

    class CellsView(Protocol):
        """What the output actions need of the view: the cells and the selected one."""

        active: int

        @property
        def cells(self) -> Any: ...

        def key(self, cell: Any) -> int: ...

    class HasController(Protocol):
        @property
        def controller(self) -> Controller | None: ...


class OutputActions:
    def __init__(self, view: CellsView, session: HasController, outputs: Outputs) -> None:
        self.view = view
        self.session = session
        self.outputs = outputs

    def _active_output(self) -> CellOutput | None:
        cells = self.view.cells
        index = self.view.active
        if not 0 <= index < len(cells) or cells[index].kind != "code":
            return None
        return self.outputs.get(self.view.key(cells[index]))

    def clear_output(self) -> None:
        out = self._active_output()
        if out is not None:
            out.clear()
            self.outputs.forget_raw(out.key)

    def clear_all_outputs(self) -> None:
        self.outputs.clear_all()

    def toggle_output(self) -> None:
        out = self._active_output()
        if out is not None:
            out.toggle_collapsed()

    def copy_output(self) -> None:
        out = self._active_output()
        if out is None:
            notify("This cell has no output to copy.", "info", key="run", timeout_ms=3000)
            return
        spawn(_copy(out.plain_text()))

    def open_full_output(self) -> None:
        """All of a truncated output, as plain text in a new tab: what the page kept, then the rest from
        the runner's replay buffer (as much as it still has)."""
        out = self._active_output()
        controller = self.session.controller
        if out is None or out.run is None or controller is None:
            notify("This cell has no output to open.", "info", key="run", timeout_ms=3000)
            return
        spawn(_open_full(controller, out))


async def _open_full(controller: Controller, out: Any) -> None:
    from fenced.connect import ConnectError

    from .plaintext import PlainText

    run = out.run
    text = [out.plain_text()]
    if out.dropped:
        try:
            parts, lost = await controller.engine.output_after(run, out.kept)
        except (ConnectError, TimeoutError) as exc:
            notify(f"Could not fetch the rest of the output: {exc}", "error", key="run")
            parts, lost = [], out.dropped
        if lost:
            text.append(f"\n[… {lost:,} bytes the runner no longer keeps …]\n")
        rest = PlainText()
        for _stream, data in parts:
            done, _line = rest.feed(data)
            text.append(done)
        text.append(rest.feed(b"", final=True)[0] + rest.line)
    from pyodide.ffi import to_js

    from fenced.app.jsffi import obj

    blob = js.Blob.new(to_js(["".join(text)]), obj(type="text/plain;charset=utf-8"))
    url = js.URL.createObjectURL(blob)
    if js.window.open(url, "_blank") is None:
        notify("The browser blocked the new tab: allow pop-ups for this page.", "warning", key="run")


async def _copy(text: str) -> None:
    """Put `text` on the clipboard (the output as plain text: no colours, no cursor moves)."""
    from fenced.app.jsffi import JsException, js_message

    try:
        await js.navigator.clipboard.writeText(text)
    except JsException as exc:
        notify(f"Could not copy the output: {js_message(exc)}", "error", key="run")
        return
    notify("Output copied.", "success", key="run", timeout_ms=2500)
