"""The cells' outputs: one `CellOutput` (terminal, status line, plain text) per cell key, in the output
area the view leaves in each code cell (`.cell-output[data-output]`).

`Outputs` is the run engine's `Sink` (a run started, wrote output, exited) and, with the prompt dialog it
is given, the run controller's `Host` (prepare a cell's output area, ask for prompt values, tell the
user things). It keeps each cell's Run/Stop buttons in step with its run (`buttons.Buttons.cell`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.notify import notify
from fenced.app.view.events import CellsRendered
from fenced.document.prompts import Prompt

from .buttons import Buttons
from .controller import Controller, NoticeKind
from .program import max_rows
from .runs import Run
from .tasks import spawn
from .terminal import CellOutput
from .units import seconds

RAW_CAP = 1 << 20

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class CellsView(Protocol):
        """What the outputs need of the view."""

        @property
        def notebook(self) -> Any: ...

        def key(self, cell: Any) -> int: ...

        def element(self, index: int) -> Any: ...

        def element_by_key(self, key: int) -> Any: ...

    class HasController(Protocol):
        @property
        def controller(self) -> Controller | None: ...

        @property
        def runner_url(self) -> str:
            """The runner the controller runs on (its key)."""
            ...

    Ask = Callable[[str, list[Prompt], set[str]], Awaitable[dict[str, str] | None]]


class Outputs:
    def __init__(
        self,
        view: CellsView,
        session: HasController,
        buttons: Buttons,
        ask: Ask,
        watch_changed: Callable[[bool], None],
    ) -> None:
        self.view = view
        self.session = session
        self.buttons = buttons
        self._ask = ask
        self._watch_changed = watch_changed
        self.by_key: dict[Hashable, CellOutput] = {}
        # what each cell's buttons show: (element, running)
        self._synced: dict[Hashable, tuple[Any, bool]] = {}
        # Each cell's latest output as it arrived (masked, escape sequences kept), for the HTML report's
        # colours; the first RAW_CAP bytes of each run.
        self.raw: dict[Hashable, bytearray] = {}
        self._ticking = False
        self.waiting = False  # the runner cannot be reached: running cells wait for it
        self.cwd = ""  # where this document's session works (the last exited run's directory)
        self.on_exit: Callable[[], None] | None = None  # told after each exit (the chip's sessions)
        self._count = 0  # executions started in this page (the gutter's [n], as Jupyter counts)
        # told each ended run and its output (for its plain text, or the ends of a long one)
        self.finished: Callable[[Run, CellOutput | None], None] | None = None

    def get(self, key: Hashable) -> CellOutput | None:
        return self.by_key.get(key)

    def clear(self) -> None:
        """A new document: its cells have new keys, the old outputs go."""
        for out in self.by_key.values():
            out.dispose()
        self.by_key.clear()
        self._synced.clear()
        self.raw.clear()
        self.cwd = ""

    def clear_all(self) -> None:
        """Clear every cell's output (the runs go on; their outputs stay attached to their cells)."""
        for out in self.by_key.values():
            out.clear()
            self.sync(out.key)
        self.raw.clear()

    def sync(self, key: Hashable) -> None:
        """A cell's buttons for its run state (left alone when that state is what they show: a run's
        events call this several times each)."""
        out = self.by_key.get(key)
        if out is not None and out.cell_el is not None:
            shown = self._synced.get(key)
            if shown is not None and shown[0] is out.cell_el and shown[1] == out.running:
                return
            self._synced[key] = (out.cell_el, out.running)
            self.buttons.cell(out.cell_el, out.running)

    def sync_all(self) -> None:
        """Every cell's buttons, after the page set them all for a new state (`Buttons.update`)."""
        self._synced.clear()
        for key in list(self.by_key):
            self.sync(key)

    def plain_texts(self) -> dict[Hashable, str]:
        """Each cell's output as plain text (for the outputs file)."""
        return {key: out.plain_text() for key, out in self.by_key.items()}

    def ansi_texts(self) -> dict[Hashable, str]:
        """Each cell's output with its escape sequences (for the HTML report's colours)."""
        return {key: bytes(data).decode("utf-8", "replace") for key, data in self.raw.items()}

    def forget_raw(self, key: Hashable) -> None:
        self.raw.pop(key, None)

    def readopt(self, event: CellsRendered) -> None:
        """Cells re-created by the view (undo of a delete, a changed kind undone) get their output back."""
        for index in range(event.start, event.start + event.size):
            el = self.view.element(index)
            key = getattr(getattr(el, "dataset", None), "key", None) if el is not None else None
            out = self.by_key.get(int(key)) if key not in (None, "") else None
            if out is not None and out.cell_el is not el:
                out.adopt(el)
                self.sync(out.key)

    # --- a cell about to run (commands) -----------------------------------------------------------

    def pending(self, key: int, already_running: bool) -> None:
        """Run was pressed: no stale exit code while the prompt is open or the Start is on its way."""
        out = self.by_key.get(key)
        if out is not None and not already_running:
            out.pending()
            self.sync(key)

    def not_run(self, key: int) -> None:
        """It did not start after all (prompt cancelled): show the last run again."""
        out = self.by_key.get(key)
        if out is not None:
            out.refresh()
            self.sync(key)

    def restored(self, runs: list[Run]) -> None:
        """Runs found again after a reload: their outputs follow them."""
        for run in runs:
            out = self.by_key.get(run.key)
            if out is not None:
                out.from_runner(self.session.runner_url)
                out.bind(run)
                self.sync(run.key)
        if runs:
            self.tick()

    # --- Host (for the controller) ----------------------------------------------------------------

    def key(self, cell: Any) -> int:
        return int(self.view.key(cell))

    async def prepare(self, key: Hashable, cell: Any, interactive: bool) -> tuple[int, int]:
        assert isinstance(key, int), key  # the view's cell keys (`key` above)
        k = key
        el = self.view.element_by_key(k)
        if el is None:
            return 24, 80
        out = self._output(k, el)
        out.waiting = self.waiting
        out.from_runner(self.session.runner_url)
        nb = self.view.notebook
        self._count += 1
        size = await out.prepare(
            interactive,
            max_rows(dict(cell.current_attributes()), nb.frontmatter if nb else None),
            self._count,
        )
        self.raw.pop(k, None)  # a new run: its output replaces the last one's
        self.sync(k)
        return size

    def _output(self, k: int, el: Any) -> CellOutput:
        """The cell's output (made on first use), in its current element."""
        out = self.by_key.get(k)
        if out is None:
            out = self.by_key[k] = CellOutput(
                k, el, lambda data: self._input(k, data), lambda rows, cols: self._resize(k, rows, cols)
            )
        elif out.cell_el is not el or not out.connected:
            out.adopt(el)
        return out

    def show_kept(self) -> None:
        """A document just shown: cells whose last output the file keeps (outputs in this file) show it
        at once, without running (`fenced.document.inline`, imported only for such files)."""
        nb = self.view.notebook
        if nb is None or not any(c.kind != "code" and '"fencedOutput"' in c.source for c in nb.cells):
            return
        from fenced.document.inline import last_outputs

        for index, kept in last_outputs(nb).items():
            el = self.view.element(index)
            if el is None:
                continue
            key = self.key(nb.cells[index])
            current = self.by_key.get(key)
            if current is not None and (current.run is not None or current.running):
                continue  # it ran here meanwhile
            meta = ""
            if kept.run is not None:
                code = "no exit code" if kept.run.exit_code is None else f"exit code {kept.run.exit_code}"
                took = seconds(kept.run.duration_ms) if kept.run.duration_ms else ""
                meta = " · ".join(x for x in (f"ran {kept.run.started:%Y-%m-%d %H:%M:%S}", code, took) if x)
            self._output(key, el).show_kept(kept.text, "Output kept in the file", meta)

    async def ask(self, cell: Any, prompts: list[Prompt]) -> dict[str, str] | None:
        controller = self.session.controller
        rule = controller.secret_rule() if controller is not None else None
        secret = {p.name for p in prompts if (rule.is_secret(p.name) if rule is not None else p.secret)}
        return await self._ask(cell.name, prompts, secret)

    def notify(self, text: str, kind: NoticeKind) -> None:
        notify(text, kind, key="run")

    def _input(self, key: int, data: str) -> None:
        controller = self.session.controller
        if controller is not None:
            controller.engine.send_input(key, data.encode("utf-8", "surrogateescape"))

    def _resize(self, key: int, rows: int, cols: int) -> None:
        controller = self.session.controller
        if controller is not None:
            controller.engine.resize(key, int(rows), int(cols))

    # --- Sink (for the engine) --------------------------------------------------------------------

    def bind(self, run: Run) -> CellOutput | None:
        """The output of `run`'s cell, showing `run` from now on."""
        out = self.by_key.get(run.key)
        if out is not None and out.run is not run:
            out.bind(run)
            self.sync(run.key)
            self.tick()
        return out

    def run_started(self, run: Run) -> None:
        out = self.bind(run)
        if out is not None:
            out.refresh()
            self.sync(run.key)

    def run_output(self, run: Run, stream: str, data: bytes) -> Awaitable[None] | None:
        raw = self.raw.setdefault(run.key, bytearray())
        if len(raw) < RAW_CAP:
            raw += data[: RAW_CAP - len(raw)]
        out = self.bind(run)
        return out.output(stream, data) if out is not None else None

    def run_exited(self, run: Run) -> None:
        out = self.bind(run)
        if out is not None:
            out.refresh()
            self.sync(run.key)
        if run.pwd:
            self.cwd = run.pwd
        if self.finished is not None:
            self.finished(run, out)
        if self.on_exit is not None:
            self.on_exit()

    def secrets_learned(self, values: list[str]) -> None:
        """Secrets the session learned late (after a reload, at the exit of the cell that exported them,
        whose output was replayed first): masked in every output shown and in the report's copy."""
        from fenced.document.redact import mask

        for key, data in self.raw.items():
            masked = mask(bytes(data), values)
            if masked != data:
                self.raw[key] = bytearray(masked)
        for out in self.by_key.values():
            out.remask(values)

    def run_notice(self, run: Run, text: str) -> None:
        out = self.bind(run)
        if out is not None:
            out.notice(text)

    def connection_changed(self, ok: bool, error: BaseException | None) -> None:
        """The session's Watch stopped getting through (or did again): running cells wait, or go on."""
        self.waiting = not ok
        for out in self.by_key.values():
            out.waiting = self.waiting
            if out.run is not None and out.run.running:
                out.refresh()
        if ok:
            self.tick()
        self._watch_changed(ok)

    def session_lost(self, runs: list[Run]) -> None:
        """Said once per lost session; the cells that were running in it say so themselves."""
        cells = f" {len(runs)} running cell{'s' if len(runs) != 1 else ''} went with it." if runs else ""
        notify(
            f"The runner at {self.session.runner_url} no longer has this document's session (did it"
            f" restart?).{cells} The next run starts a new session: exported variables and the working"
            " directory start afresh.",
            "warning",
            key="runner-session-lost",
        )
        self.cwd = ""

    # --- elapsed time -----------------------------------------------------------------------------

    def tick(self) -> None:
        """Refresh running cells' elapsed time once a second, while any runs."""
        if not self._ticking:
            self._ticking = True
            spawn(self._ticker())

    async def _ticker(self) -> None:
        try:
            while True:
                running = [o for o in self.by_key.values() if o.run is not None and o.run.running]
                if not running or self.waiting:
                    return
                now = float(js.Date.now())
                for out in running:
                    out.refresh(now)
                await asyncio.sleep(1)
        finally:
            self._ticking = False
