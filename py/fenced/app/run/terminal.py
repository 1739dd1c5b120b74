"""A code cell's output area: status line (state, pid, exit code, duration, and the output's actions:
copy, collapse, clear), notices from the runner (`[data-run-notices]`: warnings, output it dropped), an
xterm.js terminal, and the same output as plain text (`[data-output-text]`, kept current as output streams).

The output area lives in the view's `.cell-output[data-output]`; the run state is mirrored on the cell
element (`data-state`, `data-exit-code`, `data-pid`, `data-output-collapsed`, and `data-waiting` while its
runner cannot be reached) for styles and tests, with the execution count in the cell's gutter
(`[data-run-count]`) and when it last ran and for how long after its name (`[data-run-when]`, with
`data-ran-at` and `data-duration-ms`). The runner an output came from is on the output area
(`data-runner-origin`) and in its status line. The output's buttons carry `data-op`: they are commands of
the page's table, run with their cell selected. xterm.js comes from the
terminal bundle (web/terminal/index.js), imported on first use (or when a runner connects). What the
status line says and what is mirrored on the cell: `runstatus`; the plain-text copies: `textcopy`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any

import js
from pyodide.ffi import create_proxy, to_js

from fenced.app.jsbundle import JsBundle
from fenced.app.jsffi import obj, opt

from .runs import Run
from .runstatus import CellMirror, When, describe
from .settings import short_name
from .states import IDLE, STARTING, CellState
from .textcopy import TextCopy
from .units import mb

if TYPE_CHECKING:
    from fenced.document.history import OutputEnds

BUNDLE = "./vendor/terminal/terminal.js"
OUTPUT_CAP = 32 << 20  # bytes of a run's output kept in the page (terminal bytes and plain text alike)
_cap: list[int] = []


def output_cap() -> int:
    """The cap: OUTPUT_CAP, or the page address's `?output-cap=BYTES` (tests, small devices)."""
    if not _cap:
        asked = js.URLSearchParams.new(js.location.search).get("output-cap")
        _cap.append(int(asked) if asked and str(asked).isdigit() and int(asked) > 0 else OUTPUT_CAP)
    return _cap[0]


_bundle = JsBundle(BUNDLE)
start_loading = _bundle.start_loading  # import the terminal bundle (once); an awaitable for the module
load = _bundle.load  # the bundle's module (awaits the same import)

_HTML = (
    '<div class="run-status"><span class="run-state" role="status"></span><span class="run-meta"></span>'
    '<span class="run-runner" hidden></span>'
    '<span class="run-tools">'
    '<button type="button" class="out-action" data-op="copy-output" data-icon="copy"'
    ' title="Copy output (plain text)"><span class="label">Copy output</span></button>'
    '<button type="button" class="out-action" data-op="toggle-output" data-icon="fold" title="Collapse output">'
    '<span class="label">Collapse output</span></button>'
    '<button type="button" class="out-action" data-op="clear-output" data-icon="clear-all" title="Clear output">'
    '<span class="label">Clear output</span></button></span></div>'
    '<div class="run-notices" data-run-notices hidden></div>'
    '<div class="run-terminal"></div>'
    '<pre class="run-text" data-output-text hidden></pre>'
    '<pre class="run-stderr" data-stderr-text hidden></pre>'
)


@functools.cache
def _box() -> Any:
    """The output area's markup, parsed once: each cell's is a copy (a Run all of a freshly opened
    runbook makes one per cell)."""
    box = js.document.createElement("div")
    box.className = "run-box"
    box.innerHTML = _HTML
    return box


class CellOutput:
    """Output of one cell (by the view's cell key); survives the cell element being re-created."""

    def __init__(
        self,
        key: Hashable,
        cell_el: Any,
        on_input: Callable[[str], None],
        on_resize: Callable[[int, int], None],
    ) -> None:
        self.key = key
        self.box = _box().cloneNode(True)
        self.state_el = self.box.querySelector(".run-state")
        self.meta_el = self.box.querySelector(".run-meta")
        self.runner_el = self.box.querySelector(".run-runner")
        self.runner = ""  # the runner (its key) the output came from
        self.term_host = self.box.querySelector(".run-terminal")
        self.text_el = self.box.querySelector(".run-text")
        self.stderr_el = self.box.querySelector(".run-stderr")
        self.notices_el = self.box.querySelector(".run-notices")
        self.term: Any = None
        self._proxies = [create_proxy(on_input), create_proxy(on_resize)]
        self._callbacks = obj(input=self._proxies[0], resize=self._proxies[1])
        self._text = TextCopy(self.text_el)  # all streams
        self._stderr = TextCopy(self.stderr_el)
        self.kept = {"stdout": 0, "stderr": 0}  # bytes of each stream kept (the rest: `dropped`)
        self.dropped = 0
        self._truncated_el: Any = None
        self._truncated_label = ""
        self.run: Run | None = None
        self.waiting = False  # its runner cannot be reached now (it may well still run there)
        self.cell_el: Any = None
        self._cell = CellMirror()
        self.state: CellState = IDLE
        self.count = 0  # the execution count shown in the gutter ([3]), 0 before the first run here
        self.collapsed = False
        self.from_file = False  # showing the output the file keeps (`show_kept`), not a run of this page
        self._max_rows = 0
        self._when: When = ("", "", "")
        self.adopt(cell_el)

    # --- placement --------------------------------------------------------------------------------

    def adopt(self, cell_el: Any) -> None:
        """Put the output into (a possibly new) cell element and mirror the state on it."""
        self.cell_el = cell_el
        self._cell.attach(cell_el)
        holder = cell_el.querySelector(".cell-output")
        holder.setAttribute("data-output", "")
        if self.box.parentElement != holder:
            holder.replaceChildren(self.box)
        holder.hidden = self.state == IDLE and self.run is None and not self.from_file
        if self.runner:
            holder.dataset.runnerOrigin = self.runner
        self._mirror()

    def from_runner(self, url: str) -> None:
        """The output comes from the runner at `url` (a runner key): shown, and in `data-runner-origin`."""
        self.runner = url
        self.box.dataset.runnerOrigin = url
        if self.cell_el is not None:
            self.cell_el.querySelector(".cell-output").dataset.runnerOrigin = url
        self.runner_el.textContent = short_name(url)
        self.runner_el.title = f"Ran on the runner at {url}"
        self.runner_el.hidden = not url

    def _forget_runner(self) -> None:
        """A cleared output came from no runner."""
        self.runner = ""
        self.box.removeAttribute("data-runner-origin")
        holder = self.box.parentElement
        if holder is not None:
            holder.removeAttribute("data-runner-origin")
        self.runner_el.hidden = True

    @property
    def running(self) -> bool:
        """Running, or about to (its prompt is open, its Start is on the way)."""
        return (self.run is not None and self.run.running) or self.state == STARTING

    @property
    def connected(self) -> bool:
        return bool(self.box.isConnected)

    # --- a run ------------------------------------------------------------------------------------

    async def prepare(self, run_interactive: bool, max_rows: int, count: int = 0) -> tuple[int, int]:
        """Clear for a new run (execution `count`); returns the PTY size (rows, cols) the terminal can show."""
        module = await load()
        self._drop_kept()
        self._reset_text()
        self.run = None
        self._max_rows = max_rows
        if count:
            self.count = count
        self._show_box()
        self._set_state(STARTING, "Starting…", "")
        if self.term is None:
            self.term = module.createTerminal(
                self.term_host, obj(interactive=run_interactive, maxRows=max_rows), self._callbacks
            )
        else:
            self.term.reset(run_interactive, max_rows)
        size = self.term.size().to_py()
        return int(size[0]), int(size[1])

    def show_kept(self, text: str, label: str, meta: str) -> None:
        """The output the file keeps for this cell (outputs in this file), shown without running: as plain
        text, no terminal, until the cell runs here."""
        self._reset_text()
        self.text_el.textContent = text
        self.text_el.hidden = False
        self.from_file = True
        self.box.dataset.kept = "true"
        self.cell_el.dataset.outputKept = "true"
        self._show_box()
        self._set_state(IDLE, label, meta)

    def _drop_kept(self) -> None:
        if self.from_file:
            self.from_file = False
            self.text_el.hidden = True
            self.box.removeAttribute("data-kept")
            if self.cell_el is not None:
                self.cell_el.removeAttribute("data-output-kept")

    def pending(self) -> None:
        """The cell is about to run (e.g. its prompt is open): no stale state or exit code meanwhile."""
        self._show_box()
        self._set_state(STARTING, "Starting…", "")

    def bind(self, run: Run) -> None:
        self.run = run
        self.refresh()

    def output(self, stream: str, data: bytes) -> Awaitable[None] | None:
        room = output_cap() - self.kept["stdout"] - self.kept["stderr"]
        if len(data) > room:
            self._truncate(len(data) - max(0, room))
            if room <= 0:
                return None
            data = data[:room]
        self.kept[stream] = self.kept.get(stream, 0) + len(data)
        stderr = stream == "stderr"
        pending = self.term.write(to_js(data), stderr, b"\x1b" in data) if self.term is not None else 0
        self._text.feed(data)
        if stderr:
            self._stderr.feed(data)
        if pending and self.term.needsDrain():
            return self.term.drained()
        return None

    def _truncate(self, more: int) -> None:
        """Output past the cap is not kept here: say so, with the control that opens all of it."""
        self.dropped += more
        el = self._truncated_el
        if el is None:
            el = self._truncated_el = js.document.createElement("p")
            el.className = "run-notice run-truncated"
            el.setAttribute("data-output-truncated", "")
            el.innerHTML = (
                '<span class="label"></span> <button type="button" class="out-action"'
                ' data-op="open-full-output">Open full output</button>'
            )
            self.notices_el.appendChild(el)
            self.notices_el.hidden = False
        cap = output_cap()
        label = f"Output truncated, {mb(cap + self.dropped)} — the first {mb(cap)} are shown."
        if label != self._truncated_label:  # (no DOM work per chunk)
            self._truncated_label = label
            el.dataset.totalBytes = str(cap + self.dropped)
            el.querySelector(".label").textContent = label

    def notice(self, text: str) -> None:
        """A plain line above the terminal (not in it: a full-screen program keeps its screen)."""
        line = js.document.createElement("p")
        line.className = "run-notice"
        line.textContent = text
        self.notices_el.appendChild(line)
        self.notices_el.hidden = False

    def refresh(self, now_ms: float | None = None) -> None:
        """Show the run's state (called on events and once a second while running)."""
        run = self.run
        if run is None:
            if self.state == STARTING:
                self._set_state(IDLE, "", "")
            return
        state, label, meta, self._when = describe(run, self.waiting, now_ms)
        self._set_state(state, label, meta)

    # --- helpers ----------------------------------------------------------------------------------

    def _set_state(self, state: CellState, label: str, meta: str) -> None:
        self.state_el.textContent = label
        self.meta_el.textContent = meta
        self.state = state
        self.box.dataset.state = state
        self._mirror()

    # --- the output's actions (commands of the page's table) --------------------------------------

    def clear(self) -> None:
        """Clear output: the text and the terminal go; a finished run's status too (the cell looks as if it
        never ran here); a running one goes on writing into the empty output."""
        self._drop_kept()
        self._reset_text()
        if self.run is not None and self.run.running and self.term is not None:
            self.term.reset(self.run.interactive, self._max_rows)
            return
        if self.term is not None:
            self.term.dispose()
            self.term = None
        self.run = None
        self._when = ("", "", "")
        self._forget_runner()
        self._set_state(IDLE, "", "")
        self.set_collapsed(False)
        holder = self.box.parentElement
        if holder is not None:
            holder.hidden = True

    def toggle_collapsed(self) -> None:
        self.set_collapsed(not self.collapsed)

    def set_collapsed(self, collapsed: bool) -> None:
        """Collapse the output to its status line (the output stays, and keeps streaming), or expand it."""
        self.collapsed = collapsed
        self.box.dataset.collapsed = "true" if collapsed else "false"
        button = self.box.querySelector('[data-op="toggle-output"]')
        text = "Expand output" if collapsed else "Collapse output"
        button.querySelector(".label").textContent = text
        button.title = text
        button.dataset.icon = "unfold" if collapsed else "fold"
        self._mirror()

    def _show_box(self) -> None:
        holder = self.box.parentElement
        if holder is not None:
            holder.hidden = False

    def _mirror(self) -> None:
        """The state on the cell element and its gutter (only what changed is written)."""
        self._cell.write(self.state, self.run, self.count, self._when, self.collapsed, self.waiting)

    def _reset_text(self) -> None:
        self.kept = {"stdout": 0, "stderr": 0}
        self.dropped = 0
        self._truncated_el = None
        self._truncated_label = ""
        self._text.clear()
        self._stderr.clear()
        self.notices_el.replaceChildren()
        self.notices_el.hidden = True

    def plain_text(self) -> str:
        return str(self.text_el.textContent)

    def text_ends(self) -> OutputEnds | None:
        """The plain text's ends for the run history's summary, read in JS; None when it is short (or the
        terminal bundle is not loaded): then the summary reads it all."""
        from fenced.document.history import ENDS_CHARS, OutputEnds

        module = _bundle.loaded
        got = opt(module.textEnds(self.text_el, ENDS_CHARS)) if module is not None else None
        if got is None:
            return None
        return OutputEnds(str(got[0]), str(got[1]), int(got[2]))

    def remask(self, values: list[str]) -> None:
        """Mask `values` in what this output shows: the terminal (its kept bytes written again) and the
        plain-text copies. The line a running program may still rewrite stays its own text node."""
        from fenced.document.redact import mask, redact_text

        if self.term is not None:
            raw = bytes(self.term.recorded().to_py())
            masked = mask(raw, values)
            if masked != raw:
                self.term.rewrite(to_js(masked))  # stderr's colour is in the kept bytes
        running = self.run is not None and self.run.running
        self._text.remask(values, running, redact_text)
        self._stderr.remask(values, running, redact_text)

    def dispose(self) -> None:
        if self.term is not None:
            self.term.dispose()
            self.term = None
        self.box.remove()
        for proxy in self._proxies:
            proxy.destroy()
