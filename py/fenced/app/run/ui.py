"""The running UI, kept thin: DOM events -> the run controller; engine events -> the cells' outputs.

It is the controller's `Host` (cell keys, output areas, prompts, messages) and the engine's `Sink`
(started, output, exited). Hooks into the notebook view without owning it: the Run/Stop buttons come
from `cellhtml.toolbar_html`, clicks and keys are caught by delegated listeners, and `view.show` is
wrapped so a newly shown document gets its own session (or re-attaches to the one it had).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from html import escape
from typing import Any

import js
from pyodide.ffi import create_proxy, to_js

from fenced.app.notify import notify
from fenced.app.view import cellhtml
from fenced.app.view.bridge import guarded, listen

from . import settings, status
from .commands import Commands, opt, spawn
from .connection import Connection
from .controller import Controller
from .dialogs import RunDialogs
from .engine import Run
from .program import max_rows
from .terminal import CellOutput, start_loading


class LocalStorage:
    """The controller's `Storage` on localStorage (the run state outlives a reload or a closed tab)."""

    def get(self, key: str) -> str | None:
        value = opt(js.window.localStorage.getItem(key))
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        js.window.localStorage.setItem(key, value)

    def remove(self, key: str) -> None:
        js.window.localStorage.removeItem(key)


class RunUI(Commands):
    instance: RunUI | None = None

    def __init__(self, view: Any, files: Any) -> None:
        self.view = view
        self.files = files
        self.outputs: dict[Hashable, CellOutput] = {}
        self.controller: Controller | None = None
        self.client: Any = None
        self.dialogs = RunDialogs()
        self.connection = Connection(self._connection_changed)
        self._proxies: list[Any] = []
        self._observer: Any = None
        self._ticking = False
        self._outputs_ids: dict[str, str] = {}
        self.actions = self._actions_bar()

    @classmethod
    def install(cls, view: Any, files: Any) -> RunUI:
        ui = cls.instance = cls(view, files)
        cellhtml.toolbar_html = ui._toolbar_html
        original = view.show

        async def show(text: str, name: str, folder: object | None = None) -> None:
            await original(text, name, folder)
            ui._document_shown()

        view.show = show
        rename = view.rename

        def renamed(name: str, folder: object | None = None) -> None:
            rename(name, folder)
            ui._document_renamed()

        view.rename = renamed
        ui._listen(view.root, "click", ui._on_click)
        ui._listen_keys()
        ui._listen(ui.actions, "click", ui._on_action)
        ui.connection.install()
        ui._update()
        return ui

    def _listen(self, target: Any, name: str, handler: Callable[[Any], None], capture: bool = False) -> None:
        listen(target, name, handler, self._proxies, capture)

    def _listen_keys(self) -> None:
        """The run keys, on `window` in the capture phase (before the view's own keys). A JS filter calls
        Python only for them, so typing costs no Python call per key press."""
        from pyodide.code import run_js

        proxy = guarded(self._on_keydown, self._proxies)
        filtered = run_js(
            "(py) => (e) => { const mod = e.ctrlKey || e.metaKey;"
            " if ((e.key === 'Enter' && (e.shiftKey || mod || e.altKey)) ||"
            " (mod && e.shiftKey && (e.key === 'p' || e.key === 'P'))) py(e); }"
        )(proxy)
        js.window.addEventListener("keydown", filtered, True)

    def _actions_bar(self) -> Any:
        """The Run toolbar is markup in index.html (shown, disabled, before Python starts), like the runner
        settings: the page is its one source."""
        return js.document.querySelector(".run-actions")

    # --- documents and connection -----------------------------------------------------------------

    def _document_shown(self) -> None:
        """A new document replaced the cells: forget their outputs, give it a session of its own."""
        for out in self.outputs.values():
            out.dispose()
        self.outputs.clear()
        self._close_controller()
        self._observe_cells()
        if self.client is not None:
            self._open_controller()
        self._update()

    def _document_renamed(self) -> None:
        """Save as: the run state follows the document to its new name, so reopening the new file
        after a reload re-attaches to its session (and the old name's file does not)."""
        if self.controller is not None:
            self.controller.move_state(self._state_key())

    def _state_key(self) -> str:
        return settings.state_key(self.connection.url, self._document_name())

    def _document_name(self) -> str:
        return str(self.view.name or "untitled.md")

    def _connection_changed(self, state: status.Status, client: Any) -> None:
        if client is not self.client:
            self._close_controller()
            self.client = client
            if client is not None:
                start_loading()  # the terminal bundle, so the first run does not wait for it
                if self.view.notebook is not None:
                    self._open_controller()
        self._update()

    def _open_controller(self) -> None:
        self.controller = Controller(
            self.client,
            self,
            self,
            lambda: self.view.notebook,
            storage=LocalStorage(),
            state_key=self._state_key(),
            document=self._document_name(),
        )
        spawn(self._restore(self.controller))

    async def _restore(self, controller: Controller) -> None:
        try:
            runs = await controller.restore()
        except Exception as exc:  # the runner went away meanwhile: nothing to re-attach to
            js.console.warn(f"re-attach failed: {exc}")
            return
        for run in runs:
            out = self.outputs.get(run.key)
            if out is not None:
                out.bind(run)
                self._sync(run.key)
        if runs:
            self._tick()

    def _close_controller(self) -> None:
        if self.controller is not None:
            spawn(self.controller.close())
            self.controller = None

    # --- buttons ----------------------------------------------------------------------------------

    def _reason(self) -> str:
        return status.run_disabled_reason(self.connection.status)

    def _toolbar_html(self, c: Any) -> str:
        """Run/Stop buttons of a code cell (cellhtml hook); state as of now, kept current by `_update`."""
        why = self._reason()
        run_attrs = (
            f' disabled title="{escape(why)}" aria-description="{escape(why)}"'
            if why
            else ' title="Run cell (Ctrl+Enter)"'
        )
        return (
            f'<button type="button" class="run-button" data-run="run" aria-label="Run cell"{run_attrs}>▶</button>'
            '<button type="button" class="stop-button" data-run="stop" aria-label="Stop cell" title="Stop cell"'
            " disabled>■</button>"
        )

    def _update(self) -> None:
        """Enable or disable every Run button and the global actions for the current state."""
        why = self._reason()
        for button in self.view.root.querySelectorAll('[data-run="run"]'):
            self._run_button(button, why)
        for key in list(self.outputs):
            self._sync(key)
        has_doc = self.view.notebook is not None
        can_run = not why and has_doc and self.controller is not None
        running_all = (
            self.controller is not None
            and self.controller.run_all_task is not None
            and not self.controller.run_all_task.done()
        )
        for name, enabled in (
            ("run-all", can_run and not running_all),
            ("restart", can_run),
            ("stop-all", self.controller is not None),
            ("save-outputs", has_doc),
        ):
            button = self.actions.querySelector(f'[data-run-action="{name}"]')
            button.disabled = not enabled
            title = why if name in ("run-all", "restart") and why else ""
            button.title = title
            if title:
                button.setAttribute("aria-description", title)
            else:
                button.removeAttribute("aria-description")

    @staticmethod
    def _run_button(button: Any, why: str, running: bool = False) -> None:
        button.disabled = bool(why) or running
        text = why or ("Running…" if running else "Run cell (Ctrl+Enter)")
        button.title = text
        if why:
            button.setAttribute("aria-description", why)
        else:
            button.removeAttribute("aria-description")

    def _sync(self, key: Hashable) -> None:
        """A cell's buttons for its run state."""
        out = self.outputs.get(key)
        if out is None or out.cell_el is None:
            return
        running = (out.run is not None and out.run.running) or out.state == "starting"
        run_button = opt(out.cell_el.querySelector('[data-run="run"]'))
        stop_button = opt(out.cell_el.querySelector('[data-run="stop"]'))
        if run_button is not None:
            self._run_button(run_button, self._reason(), running)
        if stop_button is not None:
            stop_button.disabled = not running

    # --- Host (for the controller) ----------------------------------------------------------------

    def key(self, cell: Any) -> int:
        return int(self.view.key(cell))

    def _cell_el(self, key: Hashable) -> Any:
        return opt(self.view.root.querySelector(f'.cell[data-key="{key}"]'))

    async def prepare(self, key: Hashable, cell: Any, interactive: bool) -> tuple[int, int]:
        el = self._cell_el(key)
        if el is None:
            return 24, 80
        out = self.outputs.get(key)
        if out is None:
            out = self.outputs[key] = CellOutput(
                key, el, lambda data: self._input(key, data), lambda rows, cols: self._resize(key, rows, cols)
            )
        elif out.cell_el is not el or not out.connected:
            out.adopt(el)
        nb = self.view.notebook
        size = await out.prepare(
            interactive, max_rows(dict(cell.current_attributes()), nb.frontmatter if nb else None)
        )
        self._sync(key)
        return size

    async def ask(self, cell: Any, prompts: list[Any]) -> dict[str, str] | None:
        return await self.dialogs.ask(cell.name, prompts)

    def notify(self, text: str, kind: str) -> None:
        notify(text, kind, key="run")

    def _input(self, key: Hashable, data: str) -> None:
        if self.controller is not None:
            self.controller.engine.send_input(key, data.encode("utf-8", "surrogateescape"))

    def _resize(self, key: Hashable, rows: int, cols: int) -> None:
        if self.controller is not None:
            self.controller.engine.resize(key, int(rows), int(cols))

    # --- Sink (for the engine) --------------------------------------------------------------------

    def _bind(self, run: Run) -> CellOutput | None:
        out = self.outputs.get(run.key)
        if out is not None and out.run is not run:
            out.bind(run)
            self._sync(run.key)
            self._tick()
        return out

    def run_started(self, run: Run) -> None:
        out = self._bind(run)
        if out is not None:
            out.refresh()
            self._sync(run.key)

    def run_output(self, run: Run, stream: str, data: bytes) -> Any:
        out = self._bind(run)
        return out.output(stream, data) if out is not None else None

    def run_exited(self, run: Run) -> None:
        out = self._bind(run)
        if out is not None:
            out.refresh()
            self._sync(run.key)

    def run_notice(self, run: Run, text: str) -> None:
        out = self._bind(run)
        if out is not None:
            out.notice(text)

    def connection_changed(self, ok: bool, error: BaseException | None) -> None:
        self.connection.watch_changed(ok)

    # --- housekeeping -----------------------------------------------------------------------------

    def _tick(self) -> None:
        """Refresh running cells' elapsed time once a second, while any runs."""
        if not self._ticking:
            self._ticking = True
            spawn(self._ticker())

    async def _ticker(self) -> None:
        try:
            while True:
                running = [o for o in self.outputs.values() if o.run is not None and o.run.running]
                if not running:
                    return
                now = js.performance.now()
                for out in running:
                    out.refresh(now)
                await asyncio.sleep(1)
        finally:
            self._ticking = False

    def _observe_cells(self) -> None:
        """Cells re-inserted by the view (undo of a delete, a move) get their output back."""
        if self._observer is not None:
            return
        cells = opt(self.view.root.querySelector(".nb-cells"))
        if cells is None:
            return

        def changed(records: Any, _observer: Any) -> None:
            for record in records:
                for node in record.addedNodes:
                    key = getattr(getattr(node, "dataset", None), "key", None)
                    out = self.outputs.get(int(key)) if key not in (None, "") else None
                    if out is not None and out.cell_el is not node:
                        out.adopt(node)
                        self._sync(out.key)

        proxy = create_proxy(changed)
        self._proxies.append(proxy)
        self._observer = js.MutationObserver.new(proxy)
        self._observer.observe(cells, to_js({"childList": True}, dict_converter=js.Object.fromEntries))
