"""What the user asks the running UI to do: clicks (Run/Stop, global actions), run keys, the command
palette. A mixin of `RunUI` (it shares its state), kept apart so each file stays readable.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import traceback
from collections.abc import Coroutine, Hashable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.notify import notify
from fenced.app.tasks import background, keep

from .dialogs import Command
from .engine import Run

if TYPE_CHECKING:
    from .connection import Connection
    from .controller import Controller
    from .dialogs import RunDialogs
    from .terminal import CellOutput

    class _Base(Protocol):
        """What these commands use of `RunUI` (which mixes them in)."""

        view: Any
        files: Any
        controller: Controller | None
        outputs: dict[Hashable, CellOutput]
        dialogs: RunDialogs
        connection: Connection
        actions: Any
        _outputs_ids: dict[str, str]

        def key(self, cell: Any) -> int: ...
        def _update(self) -> None: ...
        def _sync(self, key: Hashable) -> None: ...
        def _reason(self) -> str: ...
        def _bind(self, run: Run) -> CellOutput | None: ...
else:
    _Base = object


def spawn(coro: Coroutine[Any, Any, Any], eager: bool = False) -> asyncio.Future[Any]:
    """Run an async handler; a bug becomes a message instead of vanishing. `eager`: run it now, up to its
    first real wait (a click's Start request leaves at once instead of after a timer tick)."""
    task: asyncio.Future[Any]
    if eager and sys.version_info >= (3, 12):  # Pyodide's Python has it; CPython 3.11 does not
        task = keep(asyncio.Task(coro, loop=asyncio.get_event_loop(), eager_start=True))
    else:
        task = background(coro)

    def report(t: asyncio.Future[Any]) -> None:
        if not t.cancelled() and t.exception() is not None:
            js.console.error("".join(traceback.format_exception(t.exception())))
            notify(f"Something went wrong while running: {t.exception()}", "error", key="run-bug")

    task.add_done_callback(report)
    return task


def opt(value: Any) -> Any:
    """JS null arrives as `jsnull`: None for both."""
    return None if value is None or type(value).__name__ == "JsNull" else value


class Commands(_Base):
    # --- events -----------------------------------------------------------------------------------

    def _on_click(self, event: Any) -> None:
        target = event.target
        button = opt(target.closest("[data-run]")) if hasattr(target, "closest") else None
        if button is None:
            self._clicked_output(event)
            return
        cell_el = opt(button.closest(".cell"))
        if cell_el is None:
            return
        index = int(cell_el.dataset.cellIndex)
        if button.dataset.run == "run":
            self.run_index(index)
        else:
            self.stop_index(index)

    def _clicked_output(self, event: Any) -> None:
        """A click in a terminal: the view would select the cell and move the focus to it, away from the
        terminal, so the view does not get this click (this listener is registered first, at boot)."""
        target = event.target
        if not hasattr(target, "closest") or opt(target.closest(".cell-output")) is None:
            return
        cell_el = opt(target.closest(".cell"))
        if cell_el is None:
            return
        event.stopImmediatePropagation()
        self.view.select(int(cell_el.dataset.cellIndex), focus=False, scroll=False)
        out = self.outputs.get(int(cell_el.dataset.key))
        if out is not None and out.term is not None and out.run is not None and out.run.interactive:
            out.term.focus()

    def _on_action(self, event: Any) -> None:
        target = event.target
        button = opt(target.closest("[data-run-action]")) if hasattr(target, "closest") else None
        if button is None or button.disabled:
            return
        action = str(button.dataset.runAction)
        {
            "run-all": self.run_all,
            "stop-all": self.stop_all,
            "restart": self.restart,
            "save-outputs": self.save_outputs,
            "palette": self.open_palette,
        }[action]()

    def _on_keydown(self, event: Any) -> None:
        key = str(event.key)
        mod, shift, alt = bool(event.ctrlKey or event.metaKey), bool(event.shiftKey), bool(event.altKey)
        if mod and shift and not alt and key.lower() == "p":
            event.preventDefault()
            event.stopPropagation()
            self.open_palette()
            return
        if key != "Enter" or event.isComposing or event.defaultPrevented or (shift + mod + alt) != 1:
            return
        if opt(js.document.querySelector("dialog[open]")) is not None:
            return
        target = event.target
        cell_el = opt(target.closest(".cell")) if hasattr(target, "closest") else None
        if cell_el is None or not self.view.root.contains(cell_el) or cell_el.dataset.cellKind != "code":
            return  # Markdown cells keep the view's keys (Shift+Enter renders)
        if opt(target.closest(".cell-output")) is not None:
            return  # keys typed in a terminal go to the process
        if target != cell_el and opt(target.closest(".cm-editor")) is None:
            return
        event.preventDefault()
        event.stopPropagation()
        index = int(cell_el.dataset.cellIndex)
        self.run_index(index)
        view = self.view
        if shift:  # run and move on
            view.select(min(index + 1, len(view.cells) - 1))
        elif alt:  # run and insert a cell below
            view.active = index
            events = getattr(view, "events", None)
            if events is not None:
                events.commands.run("add-code-below")

    # --- commands ---------------------------------------------------------------------------------

    def run_index(self, index: int) -> None:
        self.view.flush()
        cells = self.view.cells
        if 0 <= index < len(cells) and cells[index].kind == "code":
            spawn(self.run_cell(cells[index]), eager=True)

    async def run_cell(self, cell: Any) -> Run | None:
        if self.controller is None:
            notify(self._reason() or "Open a runbook first.", "warning", key="run")
            return None
        key = self.key(cell)
        out = self.outputs.get(key)
        current = self.controller.engine.runs.get(key)
        if out is not None and not (current is not None and current.running):
            out.pending()  # at once: the last run's exit code must not pass for this run's
            self._sync(key)
        run = await self.controller.run_cell(cell)
        if run is not None:
            self._bind(run)
        elif out is not None:
            out.refresh()  # not run (prompt cancelled): show the last run again
            self._sync(key)
        return run

    def stop_index(self, index: int) -> None:
        cells = self.view.cells
        if self.controller is not None and 0 <= index < len(cells):
            spawn(self.controller.engine.stop(self.view.key(cells[index])))

    def run_all(self) -> None:
        if self.controller is None:
            return
        self.view.flush()
        keep_going = bool(self.actions.querySelector("#run-keep-going").checked)
        task = self.controller.start_run_all(keep_going)
        task.add_done_callback(lambda _t: self._update())
        self._update()

    def stop_all(self) -> None:
        if self.controller is not None:
            spawn(self.controller.stop_all())

    def restart(self) -> None:
        if self.controller is not None:
            spawn(self._restart(self.controller))

    async def _restart(self, controller: Controller) -> None:
        await controller.restart()
        notify(
            "Started a new session: environment variables and the working directory are reset.",
            "info",
            key="run",
            timeout_ms=5000,
        )
        self._update()

    def save_outputs(self) -> None:
        from fenced.document.identity import new_id

        from .save import save_outputs

        controller = self.controller
        runs = controller.engine.runs if controller is not None else {}
        session = controller.engine.session_id if controller is not None else ""
        outputs_id = self._outputs_ids.setdefault(session, new_id())
        texts = {key: out.plain_text() for key, out in self.outputs.items()}
        spawn(save_outputs(self.files, self.view, runs, texts, outputs_id))

    def open_palette(self) -> None:
        self.view.flush()
        commands: list[Command] = [
            ("Run all", self.run_all),
            ("Stop all", self.stop_all),
            ("Restart session", self.restart),
            ("Save with outputs", self.save_outputs),
            ("Connect to a runner…", lambda: self.connection.url_input.focus()),  # noqa: PLW0108  # looked up late
        ]
        for index, cell in enumerate(self.view.cells):
            if cell.kind == "code":
                commands.append((f"Run cell: {cell.name}", functools.partial(self.run_index, index)))
                run = self.controller.engine.runs.get(self.view.key(cell)) if self.controller else None
                if run is not None and run.running:
                    commands.append((f"Stop cell: {cell.name}", functools.partial(self.stop_index, index)))
        self.dialogs.open_palette(commands)
