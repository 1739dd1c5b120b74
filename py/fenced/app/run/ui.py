"""The running UI, kept thin: DOM events -> the run controller; engine events -> the cells' outputs.

It is the controller's `Host` (cell keys, output areas, prompts, messages) and the engine's `Sink`
(started, output, exited). Hooks into the notebook view without owning it: the Run/Stop buttons come
from `cellhtml.toolbar_html`, clicks and keys are caught by delegated listeners, and `view.show` is
wrapped so a newly shown document gets its own session (or re-attaches to the one it had).
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Coroutine
from html import escape
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy, to_js  # type: ignore[import-not-found]

from fenced.app.notify import notify
from fenced.app.view import cellhtml

from . import settings, status
from .connection import Connection
from .controller import Controller
from .dialogs import Command, RunDialogs
from .engine import Run
from .program import max_rows
from .terminal import CellOutput, start_loading

ACTIONS = """
<button type="button" data-run-action="run-all" disabled>Run all</button>
<button type="button" data-run-action="stop-all" disabled>Stop all</button>
<button type="button" data-run-action="restart" disabled>Restart session</button>
<button type="button" data-run-action="save-outputs" disabled>Save with outputs</button>
<label class="run-keep-going"><input type="checkbox" id="run-keep-going"> Continue after a failure</label>
<button type="button" data-run-action="palette" title="Command palette (Ctrl+Shift+P)">Commands…</button>
"""


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
    """Run an async handler; a bug becomes a message instead of vanishing."""
    task = asyncio.ensure_future(coro)

    def report(t: asyncio.Future[Any]) -> None:
        if not t.cancelled() and t.exception() is not None:
            js.console.error("".join(traceback.format_exception(t.exception())))
            notify(f"Something went wrong while running: {t.exception()}", "error", key="run-bug")

    task.add_done_callback(report)
    return task


def opt(value: Any) -> Any:
    return None if value is None or type(value).__name__ == "JsNull" else value


class LocalStorage:
    """The controller's `Storage` on localStorage (the run state outlives a reload or a closed tab)."""

    def get(self, key: str) -> str | None:
        value = opt(js.window.localStorage.getItem(key))
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        js.window.localStorage.setItem(key, value)

    def remove(self, key: str) -> None:
        js.window.localStorage.removeItem(key)


class RunUI:
    instance: RunUI | None = None

    def __init__(self, view: Any, files: Any) -> None:
        self.view = view
        self.files = files
        self.outputs: dict[int, CellOutput] = {}
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
        ui._listen(view.root, "click", ui._on_click)
        ui._listen(js.window, "keydown", ui._on_keydown, capture=True)
        ui._listen(ui.actions, "click", ui._on_action)
        ui.connection.install()
        ui._update()
        return ui

    def _listen(self, target: Any, name: str, handler: Callable[[Any], None], capture: bool = False) -> None:
        def safe(event: Any) -> None:
            try:
                handler(event)
            except Exception:
                js.console.error(traceback.format_exc())

        proxy = create_proxy(safe)
        self._proxies.append(proxy)
        target.addEventListener(name, proxy, capture)

    def _actions_bar(self) -> Any:
        bar = opt(js.document.querySelector(".run-actions"))
        if bar is None:
            bar = js.document.createElement("div")
            bar.className = "run-actions"
            bar.setAttribute("role", "toolbar")
            bar.setAttribute("aria-label", "Run")
            js.document.querySelector(".app-header").insertBefore(bar, js.document.getElementById("theme-toggle"))
        if not bar.querySelector("[data-run-action]"):
            bar.innerHTML = ACTIONS
        return bar

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
        name = str(self.view.name or "untitled.md")
        self.controller = Controller(
            self.client, self, self, lambda: self.view.notebook, storage=LocalStorage(),
            state_key=settings.state_key(self.connection.url, name), document=name,
        )  # fmt: skip
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
        run_attrs = (f' disabled title="{escape(why)}" aria-description="{escape(why)}"' if why
                     else ' title="Run cell (Ctrl+Enter)"')
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
        running_all = self.controller is not None and self.controller.run_all_task is not None and \
            not self.controller.run_all_task.done()
        for name, enabled in (("run-all", can_run and not running_all), ("restart", can_run),
                              ("stop-all", self.controller is not None), ("save-outputs", has_doc)):
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

    def _sync(self, key: int) -> None:
        """A cell's buttons for its run state."""
        out = self.outputs.get(key)
        if out is None or out.cell_el is None:
            return
        running = out.run is not None and out.run.running or out.state == "starting"
        run_button = opt(out.cell_el.querySelector('[data-run="run"]'))
        stop_button = opt(out.cell_el.querySelector('[data-run="stop"]'))
        if run_button is not None:
            self._run_button(run_button, self._reason(), running)
        if stop_button is not None:
            stop_button.disabled = not running

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
        {"run-all": self.run_all, "stop-all": self.stop_all, "restart": self.restart,
         "save-outputs": self.save_outputs, "palette": self.open_palette}[action]()

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
            spawn(self.run_cell(cells[index]))

    async def run_cell(self, cell: Any) -> Run | None:
        if self.controller is None:
            notify(self._reason() or "Open a runbook first.", "warning", key="run")
            return None
        run = await self.controller.run_cell(cell)
        if run is not None:
            self._bind(run)
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
        notify("Started a new session: environment variables and the working directory are reset.", "info",
               key="run", timeout_ms=5000)
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
            ("Run all", self.run_all), ("Stop all", self.stop_all), ("Restart session", self.restart),
            ("Save with outputs", self.save_outputs),
            ("Connect to a runner…", lambda: self.connection.url_input.focus()),
        ]
        for index, cell in enumerate(self.view.cells):
            if cell.kind == "code":
                commands.append((f"Run cell: {cell.name}", lambda i=index: self.run_index(i)))
                run = self.controller.engine.runs.get(self.view.key(cell)) if self.controller else None
                if run is not None and run.running:
                    commands.append((f"Stop cell: {cell.name}", lambda i=index: self.stop_index(i)))
        self.dialogs.open_palette(commands)

    # --- Host (for the controller) ----------------------------------------------------------------

    def key(self, cell: Any) -> int:
        return int(self.view.key(cell))

    def _cell_el(self, key: int) -> Any:
        return opt(self.view.root.querySelector(f'.cell[data-key="{key}"]'))

    async def prepare(self, key: int, cell: Any, interactive: bool) -> tuple[int, int]:
        el = self._cell_el(key)
        if el is None:
            return 24, 80
        out = self.outputs.get(key)
        if out is None:
            out = self.outputs[key] = CellOutput(
                key, el, lambda data: self._input(key, data), lambda rows, cols: self._resize(key, rows, cols))
        elif out.cell_el is not el or not out.connected:
            out.adopt(el)
        nb = self.view.notebook
        size = await out.prepare(interactive, max_rows(dict(cell.current_attributes()), nb.frontmatter if nb else None))
        self._sync(key)
        return size

    async def ask(self, cell: Any, prompts: list[Any]) -> dict[str, str] | None:
        return await self.dialogs.ask(cell.name, prompts)

    def notify(self, text: str, kind: str) -> None:
        notify(text, kind, key="run")

    def _input(self, key: int, data: str) -> None:
        if self.controller is not None:
            self.controller.engine.send_input(key, data.encode("utf-8", "surrogateescape"))

    def _resize(self, key: int, rows: int, cols: int) -> None:
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
