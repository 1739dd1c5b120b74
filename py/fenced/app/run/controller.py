"""The run controller: a notebook's cells -> the engine, with prompts, Run all and reattaching.

It knows the document (cells, attributes, frontmatter) but not the DOM: the page implements `Host`
(prepare a cell's output area, ask for prompt values, tell the user things) and the engine's `Sink`.
The session and which execution each cell shows are stored (localStorage in the browser) under the
document's key, so a reloaded page finds its session again and replays the output.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from fenced.app.writebehind import Schedule, WriteBehind
from fenced.connect import ConnectError, RunnerClient
from fenced.document.naming import is_usable
from fenced.document.prompts import NEVER, Prompt, apply_answers, find_exports, parse_mode, prompts_for
from fenced.document.runnable import in_run_all

from .engine import Engine
from .program import SHELL_LANGUAGES, program_for, runnable, script_of, session_spec
from .runs import Run, Sink

if TYPE_CHECKING:
    from fenced.document.secrets import SecretNames

NoticeKind = Literal["info", "success", "warning", "error"]


class Host(Protocol):
    def key(self, cell: Any) -> Hashable: ...

    async def prepare(self, key: Hashable, cell: Any, interactive: bool) -> tuple[int, int]:
        """Clear and show the cell's output area; returns the terminal's (rows, cols)."""
        ...

    async def ask(self, cell: Any, prompts: list[Prompt]) -> dict[str, str] | None:
        """Values for the prompts, or None if the user cancelled."""
        ...

    def notify(self, text: str, kind: NoticeKind) -> None: ...


class Storage(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def remove(self, key: str) -> None: ...


class Controller:
    """One per open notebook (`notebook` is a callable: the view's current Notebook)."""

    def __init__(
        self,
        client: RunnerClient,
        sink: Sink,
        host: Host,
        notebook: Callable[[], Any],
        *,
        storage: Storage | None = None,
        state_key: str = "",
        document: str = "",
        ready: Callable[[], Awaitable[None]] | None = None,
        cell_id: Callable[[Any], str] | None = None,
        schedule: Schedule | None = None,
    ) -> None:
        """`schedule` (a timer): the state is saved behind (`fenced.app.writebehind`), a Run all's
        starts together; without one, at every start."""
        self.host = host
        self.ready = ready  # awaited before running or re-attaching (the page: modules not in its snapshot)
        # A cell's identity in the saved run state (cellids.CellIds): runs are matched to cells by it,
        # never by position. Without one, a cell is known by its Runme name.
        self.cell_id: Callable[[Any], str] = cell_id or (lambda cell: f"name:{cell.name}")
        self.notebook = notebook
        self.storage = storage
        self.state_key = state_key
        self._saver = WriteBehind(self._save_now, schedule)
        self._saved_notebook: Any = None  # the notebook when a save was asked for (see `save`)
        nb = notebook()
        self.engine = Engine(
            client,
            sink,
            session_spec(nb.frontmatter if nb is not None else None),
            metadata={"document": document} if document else None,
            on_session=lambda _id: self.save(),
            is_secret=lambda name: self.secret_rule().is_secret(name),
        )
        # The cell of each run (by key) and its identity (decided once per cell object: `cell_id`), for the
        # saved state
        self._cells: dict[Hashable, tuple[Any, str]] = {}
        self.answers: dict[str, str] = {}  # prompt answers of this session (memory only: they may be secrets)
        self.env_spec: str | None = None  # the runbook's `.env.example`, when the page could read it
        self.run_all_task: asyncio.Future[bool] | None = None

    # --- one cell ---------------------------------------------------------------------------------

    async def run_cell(self, cell: Any) -> Run | None:
        """Prompt if needed, then start the cell; None when it did not start (the user was told why)."""
        if cell.kind != "code":
            return None
        if self.ready is not None:
            await self.ready()
        key = self.host.key(cell)
        current = self.engine.runs.get(key)
        if current is not None and current.running:
            return current
        attrs = dict(cell.current_attributes())
        why = runnable(cell.language, attrs.get("interpreter", ""))
        if why:
            self.host.notify(why, "warning")
            return None
        script = await self._prompted_script(cell, attrs)
        if script is None:
            return None
        rule = self.secret_rule()
        exported = {e.name for e in find_exports(script) if rule.is_secret(e.name)}
        names = sorted(rule.declared | set(rule.globs) | exported)  # the runner takes globs too
        # The runner masks the secret values this page knows in the cell's output at the source, so that
        # a replay after a reload (when this page's answers are gone) is masked too.
        program = program_for(
            cell.source,
            cell.language,
            attrs,
            name=cell.name,
            script=script,
            secret_names=names,
            mask_values=sorted(self.engine.masking.values),
        )
        if not self.engine.session_id:
            self.engine.spec = self._spec()  # the frontmatter as it is now (it may have been edited)
        rows, cols = await self.host.prepare(key, cell, program.interactive)
        self._cells[key] = (cell, self.cell_id(cell))
        try:
            run = await self.engine.start(key, program, rows=rows, cols=cols)
        except (ConnectError, RuntimeError) as exc:
            message = exc.message if isinstance(exc, ConnectError) else str(exc)
            self.host.notify(f"Could not run {cell.name}: {message}", "error")
            return None
        self.save()
        return run

    async def _prompted_script(self, cell: Any, attrs: dict[str, str]) -> str | None:
        """The cell's script with prompt answers applied; None if the user cancelled the prompt."""
        script = script_of(cell.source, cell.language)
        if cell.language.lower() not in SHELL_LANGUAGES or attrs.get("interpreter"):
            return script
        nb = self.notebook()
        fm = nb.frontmatter if nb is not None else None
        skip = bool(fm is not None and fm.valid and fm.skip_prompts)
        mode = parse_mode(attrs.get("promptEnv"))
        prompts = prompts_for(script, mode, skip_prompts=skip, answered=self.answers)
        answers: dict[str, str] = {}
        if prompts:
            got = await self.host.ask(cell, prompts)
            if got is None:
                return None
            answers = got
            self.answers.update(answers)
            rule = self.secret_rule()
            self.engine.masking.learn(v for k, v in answers.items() if rule.is_secret(k))
        if skip or mode == NEVER:
            return script
        return apply_answers(script, answers, known=self.answers)

    def secret_rule(self) -> SecretNames:
        """Which variables of this runbook are secret (name patterns, the frontmatter's `secrets`, the env
        spec next to it)."""
        from fenced.document.secrets import secret_names  # on use: kept out of the boot snapshot

        nb = self.notebook()
        return secret_names(nb.frontmatter if nb is not None else None, self.env_spec)

    def _spec(self) -> Any:
        nb = self.notebook()
        fm = nb.frontmatter if nb is not None else None
        if fm is not None and not fm.valid:
            self.host.notify(
                f"The frontmatter could not be read ({fm.error}): running without its shell and cwd.",
                "warning",
            )
        return session_spec(fm)

    # --- many cells -------------------------------------------------------------------------------

    async def run_all(self, keep_going: bool = False, start: int = 0, stop: int | None = None) -> bool:
        """Run the cells Run all runs (`fenced.document.runnable.in_run_all`: runnable, not
        `excludeFromRunAll`; the CLI's `--all` is the same rule) in order; stop at the first failure unless
        `keep_going`. Background cells are started and not waited for. True when all succeeded.
        `start`/`stop` (cell indexes, as a slice) limit it: Run above, Run below."""
        nb = self.notebook()
        cells = [c for c in list(nb.cells if nb is not None else [])[start:stop] if in_run_all(c)]
        ok = True
        for cell in cells:
            run = await self.run_cell(cell)
            if run is None:
                return False
            if run.background:
                continue
            code = await asyncio.shield(run.done)
            if code != 0:
                ok = False
                if not keep_going:
                    why = f"exit code {code}" if code is not None else (run.reason or "no exit code")
                    self.host.notify(f"Run all stopped: {cell.name} failed ({why}).", "error")
                    return False
        return ok

    def start_run_all(
        self, keep_going: bool = False, start: int = 0, stop: int | None = None
    ) -> asyncio.Future[bool]:
        if self.run_all_task is None or self.run_all_task.done():
            self.run_all_task = asyncio.ensure_future(self.run_all(keep_going, start, stop))
        return self.run_all_task

    async def stop_all(self) -> None:
        """Cancel Run all and stop every running cell."""
        task = self.run_all_task
        if task is not None and not task.done():
            task.cancel()
        await self.engine.stop_all()

    async def restart(self) -> None:
        await self.stop_all()
        await self.engine.restart()
        self.answers.clear()
        self.save()

    async def close(self) -> None:
        self.flush_state()
        task = self.run_all_task
        if task is not None and not task.done():
            task.cancel()
        await self.engine.close()

    # --- persistence and reattaching --------------------------------------------------------------

    def state(self, notebook: Any = None) -> dict[str, Any]:
        """The session and, per cell that ran, its identity and the execution it shows (no positions:
        a run is found again by its cell's identity or not at all). Made from the runs and the identities
        noted when they started: it is saved at every start, and asking the view and the identities about
        every cell each time cost a Run all of 100 cells 10,000 questions. `notebook`: the one the cells
        are in (default: the one shown)."""
        nb = notebook if notebook is not None else self.notebook()
        order = dict(zip(map(id, nb.cells), itertools.count())) if nb is not None else {}
        found = []
        for key, run in self.engine.runs.items():
            cell, identity = self._cells.get(key, (None, ""))
            if cell is not None and run.execution_id and id(cell) in order and cell.kind == "code":
                found.append(
                    (order[id(cell)], {"cell": identity, "name": cell.name, "execution": run.execution_id})
                )
        runs = [entry for _, entry in sorted(found, key=lambda f: f[0])]
        return {"session": self.engine.session_id, "runs": runs}

    def save(self) -> None:
        """Keep the state (now, or with the next ones a moment later: `flush_state`). It is made from the
        notebook shown now: when it is written the view may show another document (this one closed)."""
        self._saved_notebook = self.notebook()
        self._saver.request()

    def flush_state(self) -> None:
        """Write the state now if a save is waiting (the page goes away, the document is closed)."""
        self._saver.flush()

    def _save_now(self) -> None:
        if self.storage is None or not self.state_key:
            return
        state = self.state(self._saved_notebook)
        if state["session"]:
            self.storage.set(self.state_key, json.dumps(state))
        else:
            self.storage.remove(self.state_key)

    def move_state(self, state_key: str) -> None:
        """Keep the state under `state_key` from now on (the document was saved under a new name)."""
        if state_key == self.state_key:
            return
        if self.storage is not None and self.state_key:
            self.storage.remove(self.state_key)
        self.state_key = state_key
        self.save()
        self.flush_state()

    async def restore(self) -> list[Run]:
        """Re-attach to the session an earlier page left running; replays the cells' output."""
        if self.storage is None or not self.state_key:
            return []
        if self.ready is not None:
            await self.ready()
        try:
            state = json.loads(self.storage.get(self.state_key) or "null")
        except ValueError:
            state = None
        if not isinstance(state, dict) or not state.get("session"):
            return []
        session = await self.engine.find_session(str(state["session"]))
        if session is None:
            self.storage.remove(self.state_key)
            return []
        nb = self.notebook()
        cells = [c for c in (nb.cells if nb is not None else []) if c.kind == "code"]
        by_id = {self.cell_id(c): c for c in cells}
        by_name = {c.name: c for c in cells if is_usable(c.name)}
        wanted: dict[Hashable, str] = {}
        targets: dict[Hashable, Any] = {}
        for entry in state.get("runs") or ():
            if not isinstance(entry, dict):
                continue
            # (saved before cells had identities: by a usable name, never by position)
            cell = (
                by_id.get(str(entry.get("cell"))) if "cell" in entry else by_name.get(str(entry.get("name")))
            )
            if cell is not None:
                key = self.host.key(cell)
                wanted[key], targets[key] = str(entry.get("execution")), cell
                self._cells[key] = (cell, self.cell_id(cell))
        runs = self.engine.attach(session, wanted)
        for run in runs:
            await self.host.prepare(run.key, targets[run.key], run.interactive)
        self.engine.follow()
        self.save()
        return runs
