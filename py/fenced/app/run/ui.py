"""The running UI's composition: the runner connection and its chip, the cells' outputs, the run controls
and commands, and the run controller of the document shown.

It plugs into the notebook view through the view's extension points only: a cell toolbar provider for
the Run/Stop buttons, the `shown`/`renamed`/`cells_rendered` events, and the run commands added to the
view's command table. A newly shown document runs on its runner (the one chosen for it, else the one in
use) and gets a session of its own there (or re-attaches to the one it had before a reload); the run
state and the runner choice follow the document when it is saved under another name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import LocalStorage, listen
from fenced.app.loader import ensure_modules
from fenced.app.view.cellparts import CellParts
from fenced.app.view.events import DocumentRef, DocumentRenamed, ViewEvents

from . import settings, status
from .buttons import Buttons
from .cellids import CellIds
from .chip import Chip
from .commands import RunCommands
from .connecthelp import ConnectHelp
from .connection import Connection
from .controller import Controller
from .dialogs import PromptDialog
from .linkguard import LinkGuard
from .outputs import Outputs
from .runkeys import RunKeys
from .runs import Run
from .switch import SwitchDialog
from .tasks import spawn
from .terminal import start_loading

IN_FILE_KEY = "fenced.outputs-in-file:"

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)
    from .commands import RunnableView
    from .historypanel import HistoryPanel
    from .runlog import RunLog
    from .terminal import CellOutput

    class RunView(RunnableView, Protocol):
        """What the running UI needs of the view (`NotebookView`)."""

        events: ViewEvents
        cell_parts: CellParts

        def element(self, index: int) -> Any: ...

        def element_by_key(self, key: int) -> Any: ...


def _later(delay: float, callback: Callable[[], None]) -> object:
    """A timer on the page's loop (the run state's and history's writes behind)."""
    return asyncio.get_event_loop().call_later(delay, callback)


class RunUI:
    def __init__(self, view: RunView) -> None:
        self.view = view
        self.controller: Controller | None = None
        self.client: Any = None
        self.cell_ids = CellIds()  # which cell a saved run belongs to (never its position)
        self.switch = SwitchDialog()
        self.connection = Connection(self._connection_changed, self._runner_back, self.switch.ask)
        self.chip = Chip(self.connection, self._identity, self._session_info)
        self.help = ConnectHelp(self.focus_runner)
        self.links = LinkGuard(view.root)
        self.prompts = PromptDialog()
        # The run commands of the header (Run all and its menu, Save with outputs in the File menu) are
        # markup in index.html (shown, disabled, before Python starts), like the runner chip: the page is
        # their one source, and they are found there by `data-run-action`.
        self.actions = js.document.querySelector(".app-header")
        self.buttons = Buttons(view.root, self.actions, self.reason, self.no_runner)
        self.outputs = Outputs(view, self, self.buttons, self.prompts.ask, self.connection.watch_changed)
        self.outputs.on_exit = self.chip.refresh_sessions
        self.commands = RunCommands(view, self, self.outputs)
        self.keys = RunKeys(view, self.outputs, self.commands)  # clicks and the run keys
        self._runlog: RunLog | None = None  # made on first use (kept out of the boot snapshot)
        self._history: HistoryPanel | None = None
        self.outputs.finished = self._record
        self.in_file = js.document.getElementById("outputs-in-file")
        self._storage = LocalStorage()

    def install(self) -> None:
        """Plug into the view and the page (once, at boot)."""
        view = self.view
        view.cell_parts.add("gutter", self.buttons.gutter_html)
        view.cell_parts.add("toolbar", self.buttons.toolbar_html)
        for item in self.commands.cell_menu():
            view.cell_parts.add_menu_item(item)
        view.events.shown.subscribe(lambda e: self._document_shown(e.notebook))
        view.events.closed.subscribe(lambda _e: self._document_shown(None))
        view.events.renamed.subscribe(self._document_renamed)
        view.events.cells_rendered.subscribe(self.outputs.readopt)
        view.commands.add(*self.commands.commands())
        view.commands.add_palette_source(self.commands.palette_items)
        self.keys.listen(self.actions)
        if self.in_file is not None:
            listen(self.in_file, "change", lambda _e: self._store_in_file())
        # The run state and history are written behind (`fenced.app.writebehind`): what waits goes out
        # before the page may be killed (a hidden tab may be, without a `pagehide`).
        listen(js.window, "pagehide", lambda _e: self._flush())
        listen(js.document, "visibilitychange", lambda _e: self._flush())
        self.connection.listeners.append(self.chip.render)
        self.chip.install()
        self.help.install()
        self.links.install()
        self.connection.install()
        self.update()

    # --- the state the parts share (commands.Session) ---------------------------------------------

    def reason(self) -> str:
        return status.run_disabled_reason(self.connection.status)

    def keep_going(self) -> bool:
        return self.buttons.keep_going()

    def outputs_in_file(self) -> bool:
        return self.in_file is not None and bool(self.in_file.checked)

    def _store_in_file(self) -> None:
        self._storage.set(IN_FILE_KEY + self._doc_key(), "1" if self.outputs_in_file() else "0")

    def _show_in_file(self) -> None:
        """The document's "Outputs in this file" choice; by default on when it already keeps outputs."""
        if self.in_file is None:
            return
        stored = self._storage.get(IN_FILE_KEY + self._doc_key())
        if stored in ("0", "1"):
            self.in_file.checked = stored == "1"
        else:
            nb = self.view.notebook
            self.in_file.checked = nb is not None and any(
                c.kind != "code" and '"fencedOutput"' in c.source for c in nb.cells
            )

    @property
    def runlog(self) -> RunLog:
        if self._runlog is None:
            from .runlog import RunLog

            self._runlog = RunLog(LocalStorage(), _later)
        return self._runlog

    def _flush(self) -> None:
        if self.controller is not None:
            self.controller.flush_state()
        if self._runlog is not None:
            self._runlog.flush()

    def open_history(self) -> None:
        spawn(self._open_history())

    async def _open_history(self) -> None:
        from fenced.app.loader import ensure_modules

        await ensure_modules()
        if self._history is None:
            from .historypanel import HistoryPanel

            self._history = HistoryPanel(self.runlog, self._doc_key)
        self._history.open()

    def no_runner(self) -> bool:
        return self.connection.status.state == "none"

    def focus_runner(self) -> None:
        self.chip.open(focus=True)

    @property
    def runner_url(self) -> str:
        return self.connection.url

    def _identity(self) -> str | None:
        return self.view.doc.identity if self.view.doc is not None else None

    def _session_info(self) -> tuple[str, str]:
        """This document's session on the runner, and where it works (for the runner popover)."""
        controller = self.controller
        return (controller.engine.session_id if controller is not None else "", self.outputs.cwd)

    def update(self) -> None:
        """Enable or disable every Run button and the Run toolbar for the current state."""
        controller = self.controller
        task = controller.run_all_task if controller is not None else None
        self.buttons.update(
            has_document=self.view.notebook is not None,
            has_controller=controller is not None,
            running_all=task is not None and not task.done(),
        )
        self.outputs.sync_all()
        self.help.show(self.connection.status.state != "connected")

    # --- documents and connection -----------------------------------------------------------------

    def _document_shown(self, notebook: Any) -> None:
        """A new document replaced the cells (or none is shown): forget their outputs, give it the
        session of its own on its runner (by its identity: re-attached when it had one; once connected
        to that runner, if it is another one)."""
        self.outputs.clear()
        spawn(self._show_kept())
        self._show_in_file()
        self._close_controller()
        if notebook is None:
            self.update()
            return
        self.cell_ids.learn(notebook)  # before any edit: cells read from the file keep their names
        switching = self.connection.for_document(self._identity())
        if self.client is not None and not switching:
            self._open_controller()
        self.update()

    def _document_renamed(self, event: DocumentRenamed) -> None:
        """Save as: the run state and the runner choice follow the document to its new name, so reopening
        the new file after a reload re-attaches to its session (and the old name's file does not); so
        does its run history."""
        self.connection.document_moved(event.old.identity, event.doc.identity)
        if self.controller is not None:
            self.controller.move_state(self._state_key())
        self.runlog.move(event.old.identity or "untitled.md", self._doc_key())

    def _doc_key(self) -> str:
        """The document's identity, "untitled.md" for none: what its run history and choices are kept under."""
        return self._doc().identity or "untitled.md"

    def _record(self, run: Run, out: CellOutput | None) -> None:
        """An execution ended (or did not start): into the document's run history. Called from the
        engine's event handling, so a failure here is logged and never stops the session's stream."""
        if run.running:
            return
        try:
            self._add_record(run, out)
        except Exception as exc:
            js.console.warn(f"run history: could not record {run.name}: {exc!r}")

    def _add_record(self, run: Run, out: CellOutput | None) -> None:
        from .runlog import make_record

        controller = self.controller
        record = make_record(
            cell=run.name or "cell",
            document=self._doc_key(),
            runner=settings.origin_of(self.connection.url),
            started_at=run.started_at,
            duration_ms=run.duration_ms,
            exit_code=run.exit_code,
            signal=run.signal,
            output=out.plain_text if out is not None else "",
            error=run.reason,
            secrets=controller.engine.secret_values() if controller is not None else (),
            ends=out.text_ends() if out is not None else None,
        )
        self.runlog.add(record, run.execution_id)

    def _doc(self) -> DocumentRef:
        return self.view.doc or DocumentRef("untitled.md")

    def _state_key(self) -> str:
        return settings.state_key(self.connection.url, self._doc().identity or "untitled.md")

    def _runner_back(self) -> None:
        """The runner answers again after the Watch was lost: the engine tries its Watch at once."""
        if self.controller is not None:
            self.controller.engine.wake()

    def _connection_changed(self, _state: status.Status, client: Any) -> None:
        if client is not self.client:
            self._close_controller()
            self.client = client
            if client is not None:
                start_loading()  # the terminal bundle, so the first run does not wait for it
                if self.view.notebook is not None:
                    self._open_controller()
        self.update()

    def _open_controller(self) -> None:
        self.controller = Controller(
            self.client,
            self.outputs,
            self.outputs,
            lambda: self.view.notebook,
            storage=LocalStorage(),
            state_key=self._state_key(),
            document=self._doc().shown_name or "untitled.md",
            cell_id=self._cell_id,
            schedule=_later,
        )
        controller = self.controller
        env_spec = asyncio.ensure_future(self._read_env_spec(controller))

        async def ready() -> None:
            """Before a run: the modules outside the snapshot, and the runbook's env spec (which names
            secrets the prompt must mask), however long reading it takes."""
            await ensure_modules()
            try:
                await asyncio.shield(env_spec)
            except Exception as exc:  # no spec: the name patterns and the frontmatter still apply
                js.console.warn(f"Fenced: could not read the env spec: {exc}")

        controller.ready = ready
        spawn(self._restore(controller))

    async def _show_kept(self) -> None:
        from fenced.app.loader import ensure_modules

        nb = self.view.notebook
        await ensure_modules()
        if self.view.notebook is nb:
            self.outputs.show_kept()

    async def _read_env_spec(self, controller: Controller) -> None:
        from fenced.app.loader import ensure_modules

        from .save import env_spec_of

        await ensure_modules()

        controller.env_spec = await env_spec_of(self._doc())

    def _cell_id(self, cell: Any) -> str:
        return self.cell_ids.of(self.view.notebook, cell)

    async def _restore(self, controller: Controller) -> None:
        try:
            runs = await controller.restore()
        except Exception as exc:  # the runner went away meanwhile: nothing to re-attach to
            js.console.warn(f"re-attach failed: {exc}")
            return
        self.outputs.restored(runs)

    def _close_controller(self) -> None:
        if self.controller is not None:
            spawn(self.controller.close())
            self.controller = None
