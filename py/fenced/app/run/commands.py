"""What the user asks the running part to do: the run commands of the page's command table (the Run
toolbar's buttons, the cells' "…" menu and the command palette dispatch through it), the palette's
"Run cell: NAME" items, and what Run and Stop do. Clicks and the run keys that lead here: `runkeys`; the
selected cell's output actions: `outputactions`.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from fenced.app.notify import notify
from fenced.app.view.cellparts import CellAction
from fenced.app.view.commandtable import Command, CommandTable, PaletteItem

from .controller import Controller
from .outputactions import OutputActions
from .outputs import Outputs
from .runs import Run
from .tasks import spawn

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
        self.output_actions = OutputActions(view, session, outputs)
        self._outputs_ids: dict[str, str] = {}  # session id -> the id of its outputs file

    def commands(self) -> list[Command]:
        """The run room's entries of the command table (palette labels in the palette's order)."""
        out = self.output_actions
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
            Command("clear-output", out.clear_output, label="Clear the cell's output"),
            Command("clear-all-outputs", out.clear_all_outputs, label="Clear all outputs"),
            Command("toggle-output", out.toggle_output, label="Collapse or expand the cell's output"),
            Command("copy-output", out.copy_output, label="Copy the cell's output"),
            Command("open-full-output", out.open_full_output, label="Open the cell's full output"),
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
