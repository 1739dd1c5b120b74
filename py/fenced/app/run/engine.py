"""The run engine: one runner session per notebook and one Watch stream for all of its executions.

Browsers have six HTTP/1.1 connections per origin, so a notebook never holds a stream per cell: Start
returns at once, and the events of every execution arrive on the session's single Watch, which this
engine demultiplexes by execution id to the cells (through a `Sink`; what each event does: `demux`). The
Watch is `fenced.connect`'s one resume loop (the CLI's too): it resumes after a cut without losing a
byte, acknowledges what the engine has handled, and reports when it keeps failing ("reconnecting").
Starting, stopping and the input of runs go through here too. No `js` here: the engine runs under
CPython in the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

from fenced.connect import Code, ConnectError, Program, RetryPolicy, RunnerClient, WatchStream
from fenced.connect.messages import Session
from fenced.connect.resume import ALL_BUT_NOT_FOUND, new_watcher_id

from .demux import Demux
from .program import SessionSpec
from .replay import output_after

if TYPE_CHECKING:
    from .masking import Masking
from .outbox import Outbox
from .runs import Run, Sink
from .states import FAILED, RUNNING, STARTING, SUCCEEDED
from .stream import coalesce

# A page never gives up on its session's Watch: it retries whatever failed (but a session the runner no
# longer has), also when the runner ended the stream (it restarts), and shows "reconnecting" after 3.
WATCH_POLICY = RetryPolicy(
    delays=(0.05, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0), forever=True, codes=ALL_BUT_NOT_FOUND, reconnect_on_end=True
)
SHOW_DOWN_AFTER = 3  # failed attempts in a row: a blip that the next attempt repairs is not worth showing
SESSION_LOST = "the runner no longer has this session"
# A Start that failed with these may have reached the runner (the reply was lost, or came too late).
MAYBE_STARTED = frozenset({Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED})
YIELD_AFTER_S = 0.03  # a stream delivering faster than the page handles it yields this often


class Engine:
    """Runs cells of one notebook in one session. `key`s identify cells (the UI's cell keys)."""

    def __init__(
        self,
        client: RunnerClient,
        sink: Sink,
        spec: SessionSpec = SessionSpec(),
        *,
        metadata: Mapping[str, str] | None = None,
        on_session: Callable[[str], None] | None = None,
        is_secret: Callable[[str], bool] | None = None,
    ) -> None:
        self.client = client
        self.sink = sink
        self.outbox = Outbox(client, sink.run_notice)
        self.spec = spec
        self.metadata = dict(metadata or {})
        self.on_session = on_session
        self.demux = Demux(sink, is_secret)  # the runs, and what each event does to them
        self.session_id = ""
        self.cursor = 0
        self.watcher_id = new_watcher_id()  # this page's, across its Watch streams
        self._lock = asyncio.Lock()  # events are handled in order, and a Start's own events before later ones
        self._session_lock = asyncio.Lock()
        self._watch_task: asyncio.Future[None] | None = None
        self._stream: WatchStream | None = None
        self.connected = True
        self.closed = False

    @property
    def runs(self) -> dict[Hashable, Run]:
        """The latest run of each cell."""
        return self.demux.runs

    @property
    def masking(self) -> Masking:
        """The session's secret values (`Demux.masking`)."""
        return self.demux.masking

    def secret_values(self) -> list[str]:
        """The secret values the session knows (none before any output was masked)."""
        return self.demux.secret_values()

    # --- session ----------------------------------------------------------------------------------

    async def ensure_session(self) -> str:
        async with self._session_lock:
            if not self.session_id:
                session = await self.client.create_session(
                    directory=self.spec.directory, shell=self.spec.shell, metadata=self.metadata
                )
                self._adopt_session(session.id, session.last_seq)
            return self.session_id

    def _adopt_session(self, session_id: str, cursor: int) -> None:
        self.session_id, self.cursor = session_id, cursor
        if self.on_session is not None:
            self.on_session(session_id)
        self.follow()

    async def find_session(self, session_id: str) -> Session | None:
        for session in await self.client.list_sessions():
            if session.id == session_id:
                return session
        return None

    def attach(self, session: Session, executions: Mapping[Hashable, str]) -> list[Run]:
        """Take over a session left by an earlier page (reload): `executions` maps cell keys to the
        execution each cell showed. Returns the runs found; call `follow()` to replay their events."""
        self.session_id, self.cursor = session.id, 0  # replay from the start: the page has nothing yet
        known = {e.id: e for e in session.executions}
        runs = []
        for key, execution_id in executions.items():
            summary = known.get(execution_id)
            if summary is None:
                continue
            run = Run(
                key, summary.known_name, summary.interactive, execution_id=execution_id, pid=summary.pid
            )
            run.state = RUNNING if summary.running else (SUCCEEDED if summary.exit_code == 0 else FAILED)
            run.exit_code = summary.exit_code
            if summary.started_at_ms:  # (an older runner does not say)
                run.started_at = time.time() - summary.elapsed_ms / 1000
                run.duration_ms = 0 if summary.running else summary.elapsed_ms
            self.runs[key] = run
            self.demux.by_exec[execution_id] = run
            runs.append(run)
        return runs

    def follow(self) -> None:
        """Open the session's Watch stream (once)."""
        if self._watch_task is None or self._watch_task.done():
            self._watch_task = asyncio.ensure_future(self._watch_loop())

    def wake(self) -> None:
        """The runner answers again (the page's connection checks it): try the Watch now rather than after
        the back-off, so the page knows at once whether the session survived."""
        if self.closed or not self.session_id or self.connected:
            return
        task, self._watch_task = self._watch_task, None
        if task is not None and not task.done():
            task.cancel()
        # Reachable, as far as anyone knows now; a fresh stream says "down" again only after failing anew
        # (and never says "up" when it has not said "down"), so the engine's state starts from here.
        self._connection(True, None)
        self.follow()

    async def restart(self) -> None:
        """A fresh session: stops everything, forgets env and cwd (the old session is deleted)."""
        old = self.session_id
        await self._stop_watch()
        self.session_id, self.cursor = "", 0
        self.demux.unsure.clear()
        for run in list(self.runs.values()):
            if run.running:
                run.finish(FAILED, run.exit_code, "session restarted")
                self.sink.run_exited(run)
        self.demux.by_exec.clear()
        if old:
            try:
                await self.client.delete_session(old)
            except ConnectError as exc:
                if exc.code != Code.NOT_FOUND:
                    raise

    async def close(self) -> None:
        """Stop following (the notebook was closed); executions go on on the runner, which need not keep
        their output for this page any more."""
        self.closed = True
        stream = self._stream
        await self._stop_watch()
        if stream is not None:
            await stream.aclose(release=True)

    async def _stop_watch(self) -> None:
        task, self._watch_task = self._watch_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- running ----------------------------------------------------------------------------------

    async def start(self, key: Hashable, program: Program, *, rows: int = 0, cols: int = 0) -> Run:
        """Start `program` for cell `key`; returns once the runner has started it."""
        old = self.runs.get(key)
        if old is not None and old.running:
            raise RuntimeError(f"cell {program.known_name or key} is already running")
        run = Run(key, program.known_name, program.interactive, program.background)
        self.runs[key] = run
        self.demux.unsure.pop(program.known_name, None)  # (that earlier start is not this cell's any more)
        self.demux.starting += 1
        try:
            result = await self._start(program, rows, cols)
        except ConnectError as exc:
            if not run.execution_id:
                if exc.code in MAYBE_STARTED and run.name:
                    self.demux.unsure[run.name] = key
                self._start_failed(run, exc)
                raise
            # Its Started event came over the Watch (`_claim`): the runner runs it, only Start's reply was
            # lost (the runner went down, a proxy cut the call). The Watch follows it from here; calling it
            # "failed" would be wrong about a cell that may still run and finish.
            result = None
        except BaseException as exc:
            self._start_failed(run, exc)
            raise
        async with self._lock:
            self.demux.starting -= 1
            if result is not None:
                if run.execution_id and run.execution_id != result.execution_id:  # claimed by mistake
                    self.demux.by_exec.pop(run.execution_id, None)
                    run.received = {"stdout": 0, "stderr": 0}
                run.execution_id = result.execution_id
                run.pid = run.pid or result.pid
                self.demux.by_exec[result.execution_id] = run
            run._sent_size = (rows, cols) if rows and cols else None
            if run.state == STARTING:  # (its events may have come first, exit included: see `_claim`)
                run.state = RUNNING
            for event in self.demux.pending.pop(run.execution_id, []):
                await self.demux.handle(event, run)
            if not self.demux.starting:
                self.demux.pending.clear()
                self.demux.pending_bytes = 0
        if run.interactive and run._size is not None and run._size != run._sent_size:
            self.outbox.queue(run, "size", run._size)  # the terminal was resized while starting
        if run._stop_asked and run.running:
            await self.stop(key)
        return run

    def _start_failed(self, run: Run, exc: BaseException) -> None:
        self.demux.starting -= 1
        run.finish(FAILED, None, _message(exc))
        self.sink.run_exited(run)
        if isinstance(exc, ConnectError) and exc.code == Code.PERMISSION_DENIED:
            # e.g. a reviewed-only runner's refusal: said in full on the cell, not only in a toast
            self.sink.run_notice(run, f"Not run: {_message(exc)}")

    async def _start(self, program: Program, rows: int, cols: int) -> Any:
        await self.ensure_session()
        try:
            return await self.client.start(self.session_id, program, rows=rows, cols=cols)
        except ConnectError as exc:
            if exc.code != Code.NOT_FOUND or "session" not in exc.message.lower():
                raise
        # The runner forgot the session (restarted, or idle too long): say so, start over in a new one.
        await self._stop_watch()
        self._session_lost()
        await self.ensure_session()
        return await self.client.start(self.session_id, program, rows=rows, cols=cols)

    async def stop(self, key: Hashable, *, kill: bool = False) -> None:
        run = self.runs.get(key)
        if run is not None and run.running and not run.execution_id:
            run._stop_asked = True  # still starting: stopped as soon as Start says which execution it is
            return
        if run is not None and run.running and run.execution_id:
            try:
                await self.client.stop(run.execution_id, kill=kill)
            except ConnectError as exc:
                if exc.code != Code.NOT_FOUND:
                    raise

    async def stop_all(self) -> None:
        await asyncio.gather(
            *(self.stop(k) for k, r in list(self.runs.items()) if r.running), return_exceptions=True
        )

    def send_input(self, key: Hashable, data: bytes) -> None:
        """Queue keyboard input for the cell's process."""
        run = self.runs.get(key)
        if run is not None and run.running and run.execution_id:
            self.outbox.queue(run, "input", data)

    def resize(self, key: Hashable, rows: int, cols: int) -> None:
        """The terminal's size changed: tell the PTY (after any input typed before)."""
        run = self.runs.get(key)
        if run is None or not run.interactive or rows <= 0 or cols <= 0:
            return
        run._size = (rows, cols)
        if run.execution_id and run.running:
            self.outbox.queue(run, "size", run._size)

    async def output_after(
        self, run: Run, kept: Mapping[str, int], timeout: float = 30.0
    ) -> tuple[list[tuple[str, bytes]], int]:
        """`run`'s output past the first `kept` bytes of each stream, as the runner still has it, up to
        what this page has seen; and how many bytes of it are gone (`replay`)."""
        return await output_after(self.client, self.session_id, self.cursor, run, kept, timeout)

    # --- events -----------------------------------------------------------------------------------

    async def _watch_loop(self) -> None:
        """Follow the session's Watch from the cursor (`fenced.connect`'s resume loop, see the module)."""
        if self.closed or not self.session_id:
            return
        stream = self.client.watch(
            self.session_id,
            self.cursor,
            watcher_id=self.watcher_id,
            policy=WATCH_POLICY,
            on_connection=self._connection,
            show_after=SHOW_DOWN_AFTER,
        )
        self._stream = stream
        since = time.perf_counter()
        try:
            async for events in stream.batches():
                async with self._lock:
                    for event in coalesce(events):
                        await self.demux.handle(event, self.demux.by_exec.get(event.execution_id))
                    self.cursor = events[-1].seq
                if time.perf_counter() - since > YIELD_AFTER_S:
                    await asyncio.sleep(0)  # let the page paint and take input during a flood
                    since = time.perf_counter()
        except ConnectError as exc:
            if exc.code != Code.NOT_FOUND:
                raise
            self._session_lost()

    def _connection(self, ok: bool, error: BaseException | None) -> None:
        if ok != self.connected:
            self.connected = ok
            self.sink.connection_changed(ok, error)

    def _session_lost(self) -> None:
        """The runner answered that it has no such session (it restarted, or dropped it when idle): it is
        reachable, and what ran there is gone. Said once, here; the next run starts a new session."""
        self.session_id = ""
        self.demux.unsure.clear()
        self._connection(True, None)
        lost = [run for run in self.runs.values() if run.running and run.execution_id]
        for run in lost:
            run.finish(FAILED, run.exit_code, SESSION_LOST)
            self.sink.run_exited(run)
        self.demux.by_exec.clear()
        if self.on_session is not None:
            self.on_session("")
        self.sink.session_lost(lost)


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, ConnectError) and exc.message else str(exc)
