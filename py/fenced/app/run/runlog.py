"""The page's run history (issue 15's audit trail): one record per execution of a document in this browser.

Pure (no `js`): the records are `fenced.document.history.HistoryRecord`s, the format `fenced run
--history` writes, kept in the page's storage (localStorage) under the document's identity, so each
runbook has its own history, across reloads, until the user clears it. A record holds the cell's name,
the runner's origin, start time, duration, exit code (or why it did not run, e.g. a reviewed-only
runner's refusal), and the first and last 3 lines of the output as plain text -- masked as shown, and
masked again with the session's secret values, so a record never holds a secret. Never the whole
output, the environment or an answer. Bounded: the newest records within MAX_BYTES per document.
Executions are recorded once: a page that re-attached to its session after a reload replays the events
of executions the earlier page already recorded (the execution id is kept with each record).

Written behind in the page (`fenced.app.writebehind`): the stored text is one string per document (up
to MAX_BYTES), and reading it into Python and writing it back cost a cell ~1.3 ms once a runbook's
history was full. A record goes out at once when none went out in the last moment (a cell run on its own
is in the storage when its exit shows); records that follow closely (a Run all) are held and written
together: one read and one write for many. `flush` writes what is held (the page calls it when it goes
away); reading the history flushes first. Without a `schedule` every record is written at once.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from fenced.app.writebehind import WINDOW_S, Schedule, WriteBehind

if TYPE_CHECKING:
    from fenced.document.history import HistoryRecord, OutputEnds

KEY_PREFIX = "fenced.run-history:"
MAX_BYTES = 256 * 1024
CLIENT = "fenced (browser)"


class Storage(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def remove(self, key: str) -> None: ...


def make_record(
    *,
    cell: str,
    document: str,
    runner: str,
    started_at: float,
    duration_ms: int,
    exit_code: int | None,
    signal: str,
    output: str | Callable[[], str],
    error: str,
    secrets: Iterable[str] = (),
    ends: OutputEnds | None = None,
) -> HistoryRecord:
    """`output`: the output's plain text (or what reads it, only if `ends` do not suffice)."""
    from fenced.document.history import HistoryRecord, summarize, summarize_ends

    secrets = tuple(secrets)
    summary = summarize_ends(ends, secrets) if ends is not None else None
    if summary is None:
        summary = summarize(output() if callable(output) else output, secrets)
    first, last, left_out = summary
    return HistoryRecord(
        cell=cell,
        document=document,
        runner=runner,
        started=dt.datetime.fromtimestamp(started_at, dt.UTC),
        duration_ms=duration_ms,
        exit_code=exit_code,
        signal=signal,
        first_lines=first,
        last_lines=last,
        left_out=left_out,
        client=CLIENT,
        error=error,
    )


class RunLog:
    def __init__(
        self,
        storage: Storage,
        schedule: Schedule | None = None,
        window: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self._writer = WriteBehind(self._write_held, schedule, window, clock)
        self._appended = 0  # records the last write added
        self._held: dict[str, list[tuple[str, str]]] = {}  # document -> [(execution id, line)], in order
        self._known: dict[str, str] = {}  # document -> its stored text as last read or written here

    def _lines(self, document: str) -> list[str]:
        """The stored JSON lines (a line that is not a record is skipped when read)."""
        raw = self.storage.get(KEY_PREFIX + document)
        return [line for line in raw.split("\n") if line] if raw else []

    def _store(self, document: str, lines: list[str]) -> str:
        """Store the newest of `lines` within MAX_BYTES; returns the text stored."""
        from fenced.document.history import keep_newest

        text = "\n".join(keep_newest(lines, MAX_BYTES))
        self.storage.set(KEY_PREFIX + document, text)
        return text

    def add(self, record: HistoryRecord, execution_id: str = "") -> bool:
        """Keep `record` (once per execution id); False when that execution is already recorded (held
        records count, and the text last read: one another tab wrote meanwhile is dropped when the
        held ones are written)."""
        line = record.to_json()
        if execution_id:
            line = f"{line[:-1]},{_mark(execution_id)}}}"  # the record's object, with its execution last
        held = self._held.get(record.document, [])
        if execution_id and (
            any(e == execution_id for e, _ in held)
            or _mark(execution_id) in self._known.get(record.document, "")
        ):
            return False
        self._held.setdefault(record.document, held).append((execution_id, line))
        if self._writer.request():  # written now: it was the only one held
            return self._appended > 0
        return True

    def flush(self) -> None:
        """Write the held records now (the page's when it goes away)."""
        self._writer.flush()

    def _write_held(self) -> None:
        held, self._held = self._held, {}
        self._appended = sum(self._append(document, entries) for document, entries in held.items())

    def _append(self, document: str, entries: list[tuple[str, str]]) -> int:
        """Append the entries not recorded yet to the stored text (as it is: the whole history is split,
        measured and cut only when it outgrows MAX_BYTES; a Run all adds a record per cell, and going
        over every record for each one made it quadratic); how many were new."""
        key = KEY_PREFIX + document
        raw = self.storage.get(key) or ""
        # (held entries have distinct ids, see `add`; ids have no newline: the same as looking line by line)
        lines = [line for execution_id, line in entries if not execution_id or _mark(execution_id) not in raw]
        if not lines:
            self._known[document] = raw
            return 0
        text = "\n".join([raw, *lines] if raw else lines)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            text = self._store(document, [x for x in text.split("\n") if x])
        else:
            self.storage.set(key, text)
        self._known[document] = text
        return len(lines)

    def records(self, document: str) -> list[HistoryRecord]:
        """The document's records, oldest first."""
        from fenced.document.history import HistoryRecord

        self.flush()
        out = [HistoryRecord.from_json(line) for line in self._lines(document)]
        return [r for r in out if r is not None]

    def clear(self, document: str) -> None:
        """Forget the document's records (held ones too: they were part of what the user cleared)."""
        self._held.pop(document, None)
        self._known.pop(document, None)
        self.storage.remove(KEY_PREFIX + document)

    def move(self, old: str, new: str) -> None:
        """The document was saved under a new identity: its history follows it."""
        if old == new:
            return
        self.flush()
        self._known.pop(old, None)
        self._known.pop(new, None)
        lines = self._lines(old)
        if lines:
            moved = []
            for line in lines:
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict):
                    moved.append(
                        json.dumps({**data, "document": new}, ensure_ascii=False, separators=(",", ":"))
                    )
            self._store(new, self._lines(new) + moved)
            self.storage.remove(KEY_PREFIX + old)


def _mark(execution_id: str) -> str:
    """How a record names its execution in the stored text."""
    return f'"execution":{json.dumps(execution_id, ensure_ascii=False)}'
