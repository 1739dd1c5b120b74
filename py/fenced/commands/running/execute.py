"""Running the selected cells of a runbook in one runner session, from a terminal or a script.

Cells run in order; exported variables and `cd` carry over (the runner's session). A cell's prompts are
answered first (`prompts`). It runs on a terminal on the runner when Runme's `interactive` says so (the
default) and our stdin is a terminal (`--tty`/`--no-tty` decide otherwise); keys or piped stdin go to
it while it runs. Background cells start and stream while the next cells run; once the others are done
the run waits for them. The first failing cell stops the run (`--keep-going` runs the rest) and its exit
status is the run's. Ctrl+C (SIGINT), SIGTERM and SIGHUP stop what runs on the runner (a second Ctrl+C,
or 2 s after SIGTERM/SIGHUP, kills it) and the run exits with 128+N after one line saying so.

Output passes through a mask (`masking`) that hides the session's secret values, and every execution
-- also one the runner refused -- is recorded in the run history (`history`), output summarised, masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fenced.connect import Exited, Program
from fenced.document.catalog import Entry
from fenced.document.history import HistoryRecord
from fenced.document.runnable import run_spec

from .book import Runbook
from .config import Target
from .errors import CliError
from .history import HistoryFile, now, origin
from .masking import Capture, MaskingSink, SecretValues
from .prompts import Prompter
from .remote import Execution, RemoteSession, RunnerGone, exit_status
from .report import Console, Tally
from .terminal import CTRL_C, LocalTerminal, Signals, StdinPump

T = TypeVar("T")
TERM_GRACE = 2.0  # after SIGTERM/SIGHUP: how long the cells get before they are killed
INT_PATIENCE = 15.0  # after Ctrl+C: how long to wait for the runner's own escalation before killing


@dataclass(frozen=True)
class Options:
    keep_going: bool = False
    quiet: bool = False
    tty: bool | None = None  # None: a terminal on the runner when our stdin is one
    env: Mapping[str, str] = field(default_factory=dict)
    directory: str = ""
    history: HistoryFile | None = None  # where to record the executions (None: not recorded)


class Interrupted(Exception):
    """A stopping signal arrived."""


class Run:
    """One `fenced run`: its session, what runs now, and the signal that stops it."""

    def __init__(self, target: Target, book: Runbook, options: Options, prompter: Prompter) -> None:
        self.target = target
        self.book = book
        self.options = options
        self.prompter = prompter
        self.console = Console(quiet=options.quiet)
        self.console.on_closed = lambda: self.on_stop(signal.SIGPIPE)  # `fenced run ... | head`: stop
        self.secrets = SecretValues()
        self.sink = MaskingSink(self.console, self.secrets)
        rule = book.secret_names()
        self.secret_names = tuple(sorted(rule.declared)) + rule.globs  # the runner reports these too
        self.history_failed = False
        self.terminal = LocalTerminal()
        self.pump = StdinPump(latch_eof=not self.terminal.stdin_tty)
        self.session: RemoteSession | None = None
        self.current: Execution | None = None
        self.background: list[tuple[Entry, Execution]] = []
        self.stopping: asyncio.Future[int] | None = None
        self.kill_now = asyncio.Event()
        self.sent_size: tuple[int, int] = (0, 0)  # the current cell's terminal size on the runner

    # -- signals ------------------------------------------------------------------------------------
    def on_signal(self, signum: int) -> None:
        """A signal, not a key read in raw mode: in a terminal, Ctrl+C left `^C` on the line."""
        if signum == signal.SIGINT and self.terminal.stdin_tty:
            self.console.broken_line()
        self.on_stop(signum)

    def on_stop(self, signum: int) -> None:
        assert self.stopping is not None
        if not self.stopping.done():
            self.stopping.set_result(signum)
        else:
            self.kill_now.set()  # a second Ctrl+C: no more waiting

    def on_resize(self) -> None:
        if self.current is not None:
            self._sync_size(self.current)

    def _sync_size(self, execution: Execution) -> None:
        """Tell the runner our size if it changed; also before forwarding keys, because SIGWINCH may be
        handled after the keys typed after it (both arrive in one turn of the loop)."""
        if self.session is None or not execution.terminal:
            return
        size = self.terminal.size()
        if size != self.sent_size:
            self.sent_size = size
            self.session.resize(execution, *size)

    async def until_stopped(self, awaitable: Awaitable[T]) -> T:
        """`awaitable`'s result, unless a stopping signal comes first (then `Interrupted`)."""
        assert self.stopping is not None
        task = asyncio.ensure_future(awaitable)
        waiting: set[asyncio.Future[Any]] = {task, self.stopping}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        raise Interrupted

    # -- the run --------------------------------------------------------------------------------------
    async def main(self, entries: Sequence[Entry]) -> int:
        self.stopping = asyncio.get_running_loop().create_future()
        tally = Tally(len(entries))
        with Signals(self.on_signal, self.on_resize) as signals:
            try:
                self.session = await self.until_stopped(
                    RemoteSession.open(
                        self.target.url,
                        self.target.token,
                        self.sink,
                        directory=self.options.directory,
                        shell=self.book.shell,
                        env=self.options.env,
                        metadata={"document": str(self.book.path), "client": "fenced run"},
                    )
                )
            except Interrupted:
                return self._interrupted(tally, [])
            try:
                return await self._cells(entries, tally, signals)
            except Interrupted:
                stopped = await self._stop_all()
                return self._interrupted(tally, stopped)
            except RunnerGone as exc:
                raise CliError(f"{self.target.url}: {exc}") from None
            finally:
                await self.session.close()

    async def _cells(self, entries: Sequence[Entry], tally: Tally, signals: Signals) -> int:
        assert self.session is not None
        status = 0
        self._learn_secrets()
        for entry in entries:
            with signals.keyboard_interrupt():
                script = self.prompter.script(self.book, entry)
            self._learn_secrets()
            if len(entries) > 1:
                self.console.header(entry)
            exited = await self._cell(entry, script)
            if exited is None:
                continue  # a background cell: counted when it ends
            code = self._record(tally, entry, exited)
            status = status or code
            if code != 0 and not self.options.keep_going:
                break
        if status == 0 and self.session.running():
            names = ", ".join(repr(e.name) for e, x in self.background if not x.done.done())
            self.console.say(f"waiting for background cell {names} (Ctrl+C stops it)")
        for entry, execution in self.background:
            if status == 0 or execution.done.done():
                status = status or self._record(tally, entry, await self.until_stopped(execution.done))
        if not self.options.quiet or status:
            self.console.say(tally.summary())
        return status

    def _learn_secrets(self) -> None:
        """The secret answers known so far (prompts, --env) join what the mask hides."""
        for name in self.secrets.add_named(self.prompter.secret_answers()):
            self.console.say(f"warning: the value of {name} is too short to be masked in output")

    def _ended(
        self, entry: Entry, execution: Execution, started: dt.datetime, done: asyncio.Future[Exited]
    ) -> None:
        """An execution ended (or its runner went away): learn the secrets it exported, flush its mask
        (what it held back is masked with them too), record it in the history."""
        error = None if done.cancelled() else done.exception()
        exited = None if done.cancelled() or error is not None else done.result()
        if exited is not None:
            for name in self.secrets.add_named(exited.secret_env):
                self.console.say(f"warning: the value of {name} is too short to be masked in output")
        capture = self.sink.finish(execution)
        if done.cancelled():
            return
        self._remember(entry, started, capture, exited, str(error) if error else "")

    def _remember(
        self, entry: Entry, started: dt.datetime, capture: Capture, exited: Exited | None, error: str
    ) -> None:
        history = self.options.history
        if history is None:
            return
        first, last, left_out = capture.summary(self.secrets.values())
        record = HistoryRecord(
            cell=entry.name,
            document=str(self.book.path.resolve()),
            runner=origin(self.target.url),
            started=started,
            duration_ms=int(getattr(exited, "duration_ms", 0) or 0),
            exit_code=getattr(exited, "exit_code", None),
            signal=str(getattr(exited, "signal", "") or ""),
            first_lines=first,
            last_lines=last,
            left_out=left_out,
            error=error,
        )
        try:
            history.append(record)
        except OSError as exc:
            if not self.history_failed:
                self.history_failed = True
                self.console.say(
                    f"warning: could not record the run in {history.path}: {exc.strerror or exc}"
                )

    def _record(self, tally: Tally, entry: Entry, exited: Exited) -> int:
        """Count a cell that ended; say so if it failed. Its exit status."""
        code = exit_status(exited)
        tally.record(entry.name, code)
        if code != 0:
            why = f" ({exited.signal})" if exited.signal else ""
            why += f": {exited.reason}" if exited.reason else ""
            self.console.say(f"cell {entry.name!r} failed with exit status {code}{why}")
        return code

    async def _cell(self, entry: Entry, script: str) -> Exited | None:
        """Run one cell to its end; None for a background cell (it runs on)."""
        assert self.session is not None
        cell = entry.cell
        spec = run_spec(cell.source, cell.language, cell.current_attributes(), name=entry.name, script=script)
        wants_tty = self.options.tty if self.options.tty is not None else self.terminal.stdin_tty
        on_terminal = spec.interactive and wants_tty
        rows, cols = self.terminal.size() if on_terminal else (0, 0)
        self.sent_size = (rows, cols)
        program = Program(
            script=spec.script,
            program_name=spec.program_name,
            arguments=spec.arguments,
            directory=spec.directory,
            language_id=spec.language,
            interactive=on_terminal,
            background=spec.background,
            known_id=spec.known_id,
            known_name=spec.known_name,
            secret_names=self.secret_names,
            mask_values=self.secrets.values(),  # masked by the runner too: `$__`, the audit log
        )
        raw = on_terminal and not spec.background and self.terminal.stdin_tty
        # Raw mode before the start: keys typed as soon as the cell shows its prompt must reach it.
        with self.terminal.raw() if raw else contextlib.nullcontext():
            self.console.raw = raw
            try:
                started = now()
                try:
                    execution = await self.until_stopped(
                        self.session.start(program, rows=rows, cols=cols, keep_stdin_open=not spec.background)
                    )
                except CliError as exc:
                    self._remember(entry, started, Capture(), None, exc.message)
                    raise
                execution.done.add_done_callback(lambda f: self._ended(entry, execution, started, f))
                if spec.background:
                    self.background.append((entry, execution))
                    return None
                self.current = execution
                self.pump.attach(lambda data: self._typed(execution, data, raw), lambda: self._eof(execution))
                try:
                    exited = await self.until_stopped(execution.done)
                finally:
                    self.pump.detach()
            finally:
                self.current = None
                self.console.raw = False
        return exited

    def _typed(self, execution: Execution, data: bytes, raw: bool) -> None:
        assert self.session is not None
        self._sync_size(execution)
        if raw and CTRL_C in data:  # in raw mode Ctrl+C is a byte: it stops the cell, as SIGINT would
            before = data.split(CTRL_C, 1)[0]
            if before:
                self.session.feed(execution, before)
            self.on_stop(signal.SIGINT)
            return
        self.session.feed(execution, data)

    def _eof(self, execution: Execution) -> None:
        assert self.session is not None
        self.session.feed_eof(execution)

    # -- stopping -------------------------------------------------------------------------------------
    async def _stop_all(self) -> list[str]:
        """Stop what runs on the runner and wait (a while) until it has exited."""
        assert self.session is not None and self.stopping is not None
        running = self.session.running()
        for execution in running:
            await self.session.stop(execution)
        if running:
            signum = self.stopping.result()
            patience = INT_PATIENCE if signum == signal.SIGINT else TERM_GRACE  # SIGTERM, SIGHUP, SIGPIPE
            done = asyncio.gather(*(x.done for x in running), return_exceptions=True)
            kill = asyncio.ensure_future(self.kill_now.wait())
            either: set[asyncio.Future[Any]] = {done, kill}
            await asyncio.wait(either, timeout=patience, return_when=asyncio.FIRST_COMPLETED)
            kill.cancel()
            if not done.done():
                for execution in running:
                    await self.session.stop(execution, kill=True)
                await asyncio.wait({done}, timeout=2)
        return [x.name for x in running]

    def _interrupted(self, tally: Tally, stopped: Sequence[str]) -> int:
        assert self.stopping is not None
        signum = self.stopping.result()
        how = {
            signal.SIGINT: "interrupted",
            signal.SIGTERM: "terminated",
            signal.SIGHUP: "hung up",
            signal.SIGPIPE: "output closed",
        }[signal.Signals(signum)]
        what = f"stopped {', '.join(repr(n) for n in stopped)} on the runner; " if stopped else ""
        self.console.say(f"{how}: {what}{tally.summary()}")
        return 128 + signum


def run(target: Target, book: Runbook, entries: Sequence[Entry], options: Options, prompter: Prompter) -> int:
    """Run `entries` of `book` on the runner; the exit status of the run."""
    return asyncio.run(Run(target, book, options, prompter).main(entries))
