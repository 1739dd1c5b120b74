"""The CLI's run history: every execution `fenced run` started, one JSON line each, in a local file.

`$XDG_STATE_HOME/fenced/history.jsonl` (`~/.local/state/fenced/history.jsonl`), created private (0600).
Records are `fenced.document.history.HistoryRecord` (the page's "Run history" panel shares the format):
cell, runbook, runner origin, start, duration, exit code, and the first and last lines of the output
with secrets masked -- never the whole output, never the environment or a prompt's answer. The file is
bounded: past `MAX_BYTES` the oldest records go, the newest half kept. `fenced run --history` prints it,
`--clear-history` deletes it. Appends and trims hold an exclusive lock, so concurrent runs lose nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from fenced.document.history import HistoryRecord, keep_newest
from fenced.document.outputs import go_duration

MAX_BYTES = 1024 * 1024


def history_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    state = env.get("XDG_STATE_HOME") or ""
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "fenced" / "history.jsonl"


class HistoryFile:
    def __init__(self, path: Path, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)

    def append(self, record: HistoryRecord) -> None:
        line = (record.to_json() + "\n").encode("utf-8", "surrogatepass")
        with self._locked() as fd:
            os.write(fd, line)
            if os.fstat(fd).st_size > self.max_bytes:
                self._trim(fd)

    def _trim(self, fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with os.fdopen(os.dup(fd), "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines(keepends=True)
        kept = keep_newest(lines, self.max_bytes // 2)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp_fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(tmp_fd, "wb") as out:
            out.write("".join(kept).encode("utf-8", "surrogatepass"))
        os.replace(tmp, self.path)

    def read(self) -> list[HistoryRecord]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        records = (HistoryRecord.from_json(line) for line in text.splitlines() if line.strip())
        return [r for r in records if r is not None]

    def clear(self) -> bool:
        """Delete the history; False when there was none."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def format_records(records: Sequence[HistoryRecord]) -> str:
    """The history as `fenced run --history` prints it: one header line per execution, its output's
    first and last lines indented below."""
    out: list[str] = []
    for r in records:
        when = r.started.astimezone().strftime("%Y-%m-%d %H:%M:%S") if r.started else "?"
        if r.error:
            status = "not run"
        elif r.exit_code is None:
            status = "no exit code"
        else:
            status = f"exit {r.exit_code}" + (f" ({r.signal})" if r.signal else "")
        where = " on ".join(p for p in (r.document, r.runner) if p)
        out.append(
            f"{when}  {go_duration(r.duration_ms):>8}  {status:<8}  {r.cell}"
            + (f"  ({where})" if where else "")
        )
        if r.error:
            out.append(f"    ! {r.error}")
        out.extend(f"    | {line}" for line in r.first_lines)
        if r.left_out:
            out.append(f"    | \u2026 {r.left_out} more line{'s' if r.left_out != 1 else ''} \u2026")
        out.extend(f"    | {line}" for line in r.last_lines)
    return "\n".join(out) + ("\n" if out else "")


def origin(url: str) -> str:
    """A runner URL's origin, without credentials or path: what the history says it ran on."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else url


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
