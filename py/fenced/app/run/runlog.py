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
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fenced.document.history import HistoryRecord

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
    output: str,
    error: str,
    secrets: Iterable[str] = (),
) -> HistoryRecord:
    from fenced.document.history import HistoryRecord, summarize

    first, last, left_out = summarize(output, secrets)
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
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def _lines(self, document: str) -> list[str]:
        """The stored JSON lines (a line that is not a record is skipped when read)."""
        raw = self.storage.get(KEY_PREFIX + document)
        return [line for line in raw.split("\n") if line] if raw else []

    def _store(self, document: str, lines: list[str]) -> None:
        from fenced.document.history import keep_newest

        self.storage.set(KEY_PREFIX + document, "\n".join(keep_newest(lines, MAX_BYTES)))

    def add(self, record: HistoryRecord, execution_id: str = "") -> bool:
        """Keep `record` (once per execution id); False when that execution is already recorded.
        Appended to the stored text as it is (the whole history is split, measured and cut only when
        it outgrows MAX_BYTES): a Run all adds a record per cell, and going over every record for each
        one made it quadratic."""
        key = KEY_PREFIX + record.document
        raw = self.storage.get(key) or ""
        mark = f'"execution":{json.dumps(execution_id, ensure_ascii=False)}'
        if execution_id and mark in raw:  # (ids have no newline: the same as looking line by line)
            return False
        line = record.to_json()
        if execution_id:
            line = f"{line[:-1]},{mark}}}"  # the record's object, with its execution last
        text = f"{raw}\n{line}" if raw else line
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            self._store(record.document, [x for x in text.split("\n") if x])
        else:
            self.storage.set(key, text)
        return True

    def records(self, document: str) -> list[HistoryRecord]:
        """The document's records, oldest first."""
        from fenced.document.history import HistoryRecord

        out = [HistoryRecord.from_json(line) for line in self._lines(document)]
        return [r for r in out if r is not None]

    def clear(self, document: str) -> None:
        self.storage.remove(KEY_PREFIX + document)

    def move(self, old: str, new: str) -> None:
        """The document was saved under a new identity: its history follows it."""
        if old == new:
            return
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
