"""What the user asks the running part to do: Run/Stop clicks in cells, the run keys, and the run commands
of the page's command table (the Run toolbar's buttons and the command palette dispatch through it).

The run keys (Shift/Ctrl/Alt+Enter on a code cell, Ctrl/Cmd+Shift+P) are caught on `window` in the
capture phase, so before the view's own keymap (on `document`): Shift+Enter on a code cell runs it, where
the view alone would only move on. A JS filter calls Python for those keys only, so typing costs no
Python call per key press.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import closest, guarded, listen, opt
from fenced.app.notify import notify
from fenced.app.view.cellparts import CellAction
from fenced.app.view.commandtable import Command, CommandTable, PaletteItem

from .controller import Controller
from .outputs import Outputs
from .runs import Run
from .tasks import spawn

# Calls Python only for the run keys (see the module's docstring).
KEY_FILTER_JS = (
    "(py) => (e) => { const mod = e.ctrlKey || e.metaKey;"
    " if ((e.key === 'Enter' && (e.shiftKey || mod || e.altKey)) ||"
    " (mod && e.shiftKey && (e.key === 'p' || e.key === 'P'))) py(e); }"
)


if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .save import Shown

    class RunnableView(Shown, Protocol):
        """What the run commands need of the view: what saving outputs needs, and more."""

        root: Any
        active: int
        commands: CommandTable

        def flush(self) -> bool: ...

        def select(self, index: int, focus: bool = True, scroll: bool = True) -> None: ...

    class Session(Protocol):
        """What the run commands need of the run UI: the document's run controller, and the run state."""

        @property
        def controller(self) -> Controller | None: ...

        def reason(self) -> str:
            """Why nothing can run now ("" when it can)."""
            ...

        def update(self) -> None:
            """Show the controls for the current state."""
            ...

        def keep_going(self) -> bool:
            """Run all goes on after a failure."""
            ...

        def focus_runner(self) -> None:
            """Take the user to the runner settings."""
            ...

        def open_history(self) -> None:
            """Show the document's run history."""
            ...

        def outputs_in_file(self) -> bool:
            """Save with outputs writes into the runbook itself (the File menu's "Outputs in this file")."""
            ...

        def no_runner(self) -> bool:
            """No runner is set at all (as opposed to one that cannot be used now)."""
            ...


class RunCommands:
    def __init__(self, view: RunnableView, session: Session, outputs: Outputs) -> None:
        self.view = view
        self.session = session
        self.outputs = outputs
        self._outputs_ids: dict[str, str] = {}  # session id -> the id of its outputs file

    def commands(self) -> list[Command]:
        """The run room's entries of the command table (palette labels in the palette's order)."""
        return [
            Command("run-all", self.run_all, label="Run all", needs_document=False),
            Command("stop-all", self.stop_all, label="Stop all", needs_document=False),
            Command("restart", self.restart, label="Restart session", needs_document=False),
            Command("save-outputs", self.save_outputs, label="Save with outputs", needs_document=False),
            Command(
                "save-outputs-in-file",
                self.save_outputs_in_file,
                label="Write outputs into this file and save",
            ),
            Command("export-html", self.export_html, label="Export HTML…"),
            Command("run-history", self.open_history, label="Run history", needs_document=False),
            Command("connect", self.session.focus_runner, label="Connect to a runner…", needs_document=False),
            Command("run-above", self.run_above, label="Run the cells above"),
            Command("run-below", self.run_below, label="Run this cell and below"),
            Command("clear-output", self.clear_output, label="Clear the cell's output"),
            Command("clear-all-outputs", self.clear_all_outputs, label="Clear all outputs"),
            Command("toggle-output", self.toggle_output, label="Collapse or expand the cell's output"),
            Command("copy-output", self.copy_output, label="Copy the cell's output"),
            Command("open-full-output", self.open_full_output, label="Open the cell's full output"),
        ]

    def cell_menu(self) -> list[CellAction]:
        """The run room's entries of the cells' "…" menu (commands above, run on the cell of the menu)."""
        return [
            CellAction("run-above", "Run the cells above", "run-above"),
            CellAction("run-below", "Run this cell and below", "run-below"),
            CellAction("copy-output", "Copy output", "copy", "code"),
            CellAction("toggle-output", "Collapse or expand output", "fold", "code"),
            CellAction("clear-output", "Clear output", "clear-all", "code"),
        ]

    def palette_items(self) -> list[PaletteItem]:
        """Run each runnable code cell by the name people type (fenced.document.catalog: Runme's, or
        `cell-N` where Runme's is empty or punctuation), and stop the ones running."""
        from fenced.document.catalog import catalog

        items: list[PaletteItem] = []
        controller = self.session.controller
        nb = self.view.notebook
        if nb is None:
            return items
        index_of = {id(cell): index for index, cell in enumerate(self.view.cells)}
        for entry in catalog(nb):
            index = index_of.get(id(entry.cell))
            if index is None or not entry.runnable:
                continue
            items.append(PaletteItem(f"Run cell: {entry.name}", partial(self.run_index, index)))
            run = controller.engine.runs.get(self.view.key(entry.cell)) if controller is not None else None
            if run is not None and run.running:
                items.append(PaletteItem(f"Stop cell: {entry.name}", partial(self.stop_index, index)))
        return items

    def listen(self, actions: Any) -> None:
        """Clicks in cells (Run/Stop, a terminal), on the Run toolbar (`actions`), and the run keys."""
        listen(self.view.root, "click", self._on_click)
        listen(actions, "click", self._on_action)
        from pyodide.code import run_js

        js.window.addEventListener("keydown", run_js(KEY_FILTER_JS)(guarded(self._on_keydown)), True)

    # --- events -----------------------------------------------------------------------------------

    def _on_click(self, event: Any) -> None:
        target = event.target
        button = closest(target, "[data-run]")
        if button is None:
            self._clicked_output(target)
            return
        cell_el = opt(button.closest(".cell"))
        if cell_el is None:
            return
        index = int(cell_el.dataset.cellIndex)
        if button.dataset.run == "run":
            self.run_index(index)
        else:
            self.stop_index(index)

    def _clicked_output(self, target: Any) -> None:
        """A click in a terminal: an interactive run's terminal takes the keyboard. (The view selects the
        cell on a click in its output area, without moving the focus.)"""
        if closest(target, ".cell-output") is None:
            return
        cell_el = closest(target, ".cell")
        if cell_el is None:
            return
        out = self.outputs.get(int(cell_el.dataset.key))
        if out is not None and out.term is not None and out.run is not None and out.run.interactive:
            out.term.focus()

    def _on_action(self, event: Any) -> None:
        button = closest(event.target, "[data-run-action]")
        if button is None or button.disabled:
            return
        self.view.commands.run(str(button.dataset.runAction))

    def _on_keydown(self, event: Any) -> None:
        key = str(event.key)
        mod, shift, alt = bool(event.ctrlKey or event.metaKey), bool(event.shiftKey), bool(event.altKey)
        if mod and shift and not alt and key.lower() == "p":
            event.preventDefault()
            event.stopPropagation()
            self.view.commands.run("palette")
            return
        if key != "Enter" or event.isComposing or event.defaultPrevented or (shift + mod + alt) != 1:
            return
        if opt(js.document.querySelector("dialog[open], [popover]:popover-open")) is not None:
            return
        target = event.target
        cell_el = closest(target, ".cell")
        if cell_el is None or not self.view.root.contains(cell_el) or cell_el.dataset.cellKind != "code":
            return  # Markdown cells keep the view's keys (Shift+Enter renders)
        if closest(target, ".cell-output") is not None:
            return  # keys typed in a terminal go to the process
        if target != cell_el and closest(target, ".cm-editor") is None:
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
            view.commands.run("add-code-below")

    # --- commands ---------------------------------------------------------------------------------

    def run_index(self, index: int) -> None:
        self.view.flush()
        cells = self.view.cells
        if 0 <= index < len(cells) and cells[index].kind == "code":
            spawn(self.run_cell(cells[index]), eager=True)

    async def run_cell(self, cell: Any) -> Run | None:
        controller = self.session.controller
        if controller is None:
            self.session.focus_runner()  # where to give a runner, or why the one given does not answer
            if not self.session.no_runner():
                notify(self.session.reason() or "Open a runbook first.", "warning", key="run")
            return None
        key = self.view.key(cell)
        current = controller.engine.runs.get(key)
        self.outputs.pending(key, already_running=current is not None and current.running)
        run = await controller.run_cell(cell)
        if run is not None:
            self.outputs.bind(run)
        else:
            self.outputs.not_run(key)
        return run

    def stop_index(self, index: int) -> None:
        cells = self.view.cells
        controller = self.session.controller
        if controller is not None and 0 <= index < len(cells):
            spawn(controller.engine.stop(self.view.key(cells[index])))

    def run_all(self, start: int = 0, stop: int | None = None) -> None:
        controller = self.session.controller
        if controller is None:
            notify(self.session.reason() or "Open a runbook first.", "warning", key="run")
            return
        self.view.flush()
        task = controller.start_run_all(self.session.keep_going(), start, stop)
        task.add_done_callback(lambda _t: self.session.update())
        self.session.update()

    def run_above(self) -> None:
        """The cells before the selected one (Jupyter's "Run All Above Selected Cell")."""
        self.run_all(0, self.view.active)

    def run_below(self) -> None:
        """The selected cell and every one after it."""
        self.run_all(self.view.active, None)

    # --- the selected cell's output ---------------------------------------------------------------

    def _active_output(self) -> Any:
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

    def stop_all(self) -> None:
        controller = self.session.controller
        if controller is not None:
            spawn(controller.stop_all())

    def restart(self) -> None:
        controller = self.session.controller
        if controller is not None:
            spawn(self._restart(controller))

    async def _restart(self, controller: Controller) -> None:
        await controller.restart()
        notify(
            "Started a new session: environment variables and the working directory are reset.",
            "info",
            key="run",
            timeout_ms=5000,
        )
        self.session.update()

    def save_outputs(self) -> None:
        if self.session.outputs_in_file():
            self.save_outputs_in_file()
            return
        spawn(self._save_outputs())

    async def _save_outputs(self) -> None:
        from fenced.app import loader

        from .save import save_outputs

        controller = self.session.controller
        runs = controller.engine.runs if controller is not None else {}
        session = controller.engine.session_id if controller is not None else ""
        texts = self.outputs.plain_texts()
        if session not in self._outputs_ids:
            await loader.ensure_modules()  # python-ulid is not in the boot snapshot: its files must be there
            from fenced.document.identity import new_id

            self._outputs_ids.setdefault(session, new_id())
        await save_outputs(self.view, runs, texts, self._outputs_ids[session])

    def _runs_and_secrets(self) -> tuple[dict[Any, Run], list[str]]:
        controller = self.session.controller
        if controller is None:
            return {}, []
        return controller.engine.runs, controller.engine.secret_values()

    def open_history(self) -> None:
        self.session.open_history()

    def save_outputs_in_file(self) -> None:
        """Outputs in this file (opt-in): each finished cell's output below it in the runbook, then Save."""
        spawn(self._save_outputs_in_file())

    async def _save_outputs_in_file(self) -> None:
        from fenced.app.loader import ensure_modules

        from .save import write_in_file

        await ensure_modules()

        runs, secrets = self._runs_and_secrets()
        if not write_in_file(self.view, runs, self.outputs.plain_texts(), secrets):
            notify("No finished cell output to save yet.", "info", key="run-save", timeout_ms=5000)
            return
        self.view.commands.run("save")

    def export_html(self) -> None:
        from .report import export_report

        runs, secrets = self._runs_and_secrets()
        spawn(export_report(self.view, runs, self.outputs.ansi_texts(), secrets))


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
