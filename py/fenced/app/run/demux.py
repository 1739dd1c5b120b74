"""The session's runs, by cell and by execution, and what each event of its Watch does to its run.

Events arrive on one stream for every execution (`engine`); here they go to their run and, through the
`Sink`, to its cell: output de-duplicated by byte offset (a replay from the start shows each byte once)
and masked before the sink sees it, Started, Exited (with the secrets the runner reported), `Truncated`
and warnings as notices. Events of an execution no run knows yet wait while a Start is on its way: they
may be its own, ahead of its reply. No `js` here: it runs under CPython in the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from fenced.connect import Event

from .runs import Run, Sink
from .states import FAILED, RUNNING, STARTING, SUCCEEDED

if TYPE_CHECKING:
    from .masking import Masking

MAX_PENDING_BYTES = 32 << 20  # events that arrived before their Start returned, kept until it does
STARTED_AFTER_ALL = "The runner started it after all: the reply to Run was lost on the way."


class Demux:
    """Which run each event is for (`runs`, `by_exec`), and the events waiting for a Start's reply."""

    def __init__(self, sink: Sink, is_secret: Callable[[str], bool] | None = None) -> None:
        self.sink = sink
        # The runbook's rule for which names are secret: the runner reports exported variables by its
        # patterns only, and a name the runbook's env spec says is plain (`# Plain!`) is not masked.
        self.is_secret = is_secret
        self._masking: Masking | None = None
        self.runs: dict[Hashable, Run] = {}  # the latest run of each cell
        self.by_exec: dict[str, Run] = {}
        self.pending: dict[str, list[Event]] = {}
        self.pending_bytes = 0
        self.starting = 0  # Starts on their way
        # Cells whose Start failed on the way (the runner may have started them, only the reply was lost):
        # name -> cell key. If the runner did start one, its Started event says so and the cell follows it.
        self.unsure: dict[str, Hashable] = {}

    @property
    def masking(self) -> Masking:
        """The session's secret values: output is masked before the sink sees it. Made on first use (its
        module is kept out of the page's boot snapshot; the page awaits its files before running)."""
        if self._masking is None:
            from .masking import Masking

            self._masking = Masking()
        return self._masking

    def secret_values(self) -> list[str]:
        """The secret values the session knows (none before any output was masked)."""
        return sorted(self._masking.values) if self._masking is not None else []

    def claim(self, event: Event) -> Run | None:
        """A Started event no run knows yet: the cell it names (known_name, unique in a notebook) is
        starting, and its Started beat the Start reply (show its output now rather than when the reply
        comes); or that cell's Start failed on the way and the runner did start it (follow it, in a new
        run: the failed one was reported as such)."""
        name = event.started.known_name if event.started is not None else ""
        if not name:
            return None
        for run in self.runs.values():
            if run.name == name and run.state == STARTING and not run.execution_id:
                run.execution_id = event.execution_id
                self.by_exec[event.execution_id] = run
                return run
        key = self.unsure.pop(name, None)
        failed = self.runs.get(key) if key is not None else None
        if failed is None or failed.running or failed.execution_id:
            return None
        run = Run(key, name, failed.interactive, failed.background, execution_id=event.execution_id)
        run.state = RUNNING
        self.runs[key] = run
        self.by_exec[event.execution_id] = run
        self.sink.run_notice(run, STARTED_AFTER_ALL)
        return run

    async def handle(self, event: Event, run: Run | None) -> None:
        """What `event` does to `run` (None: no run knows its execution yet)."""
        if run is None and event.started is not None and (self.starting or self.unsure):
            run = self.claim(event)
        if run is None:
            if self.starting and self.pending_bytes < MAX_PENDING_BYTES:
                self.pending.setdefault(event.execution_id, []).append(event)
                self.pending_bytes += len(event.output.data) if event.output is not None else 64
            return
        if event.output is not None:
            out = event.output
            have = run.received.get(out.stream, 0)
            end = out.offset + len(out.data)
            if end <= have:
                return  # already shown (a replay)
            data = out.data[have - out.offset :] if out.offset < have else out.data
            run.received[out.stream] = end
            data = self.masking.feed(run, out.stream, data)
            pending = self.sink.run_output(run, out.stream, data) if data else None
            if pending is not None:
                await pending
        elif event.started is not None:
            run.pid = event.started.pid
            run.state = RUNNING if run.running else run.state
            self.sink.run_started(run)
        elif event.exited is not None:
            ex = event.exited
            rule = self.is_secret
            learned = self.masking.learn(v for k, v in ex.secret_env.items() if rule is None or rule(k))
            for stream, rest in self.masking.flush(run):
                pending = self.sink.run_output(run, stream, rest)
                if pending is not None:
                    await pending
            run.signal, run.duration_ms, run.pwd = ex.signal, ex.duration_ms, ex.pwd
            run.finish(SUCCEEDED if ex.exit_code == 0 else FAILED, ex.exit_code, ex.reason)
            if learned:  # output shown before may hold them (a replay: its cell's own output came first)
                self.sink.secrets_learned(learned)
            self.sink.run_exited(run)
        elif event.truncated is not None:
            t = event.truncated
            if run.received.get(t.stream, 0) < t.offset:
                lost = t.offset - run.received.get(t.stream, 0)
                run.received[t.stream] = t.offset
                self.sink.run_notice(
                    run, f"Truncated: {lost} bytes of {t.stream} were dropped by the runner (buffer limit)"
                )
        elif event.warning is not None:
            self.sink.run_notice(run, f"Warning: {event.warning.message}")
