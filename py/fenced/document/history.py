"""The run history's record: what ran, where, when, how it ended, and how its output began and ended.

One record per execution, for an audit trail an operator can read: the CLI appends them to a local
JSON Lines file (``fenced run --history``) and the page's "Run history" panel keeps the same records per
document. Output is summarised, never kept whole: the first and last few lines as plain text with
secrets masked (:func:`summarize`), so a record never holds a secret value the session knew.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from .ansi import strip
from .redact import maskable, redact_text

HEAD_LINES = 3
TAIL_LINES = 3
MAX_LINE_CHARS = 200


def summarize(
    output: str, secrets: Iterable[str] = (), *, head: int = HEAD_LINES, tail: int = TAIL_LINES
) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(first lines, last lines, how many lines between were left out) of an output."""
    secrets = tuple(secrets)
    if len(output) >= 2 * ENDS_CHARS and "\x1b" not in output:
        ends = OutputEnds(output[:ENDS_CHARS], output[-ENDS_CHARS:], output.count("\n"))
        quick = summarize_ends(ends, secrets, head=head, tail=tail)
        if quick is not None:
            return quick
    return _summarize_all(output, secrets, head, tail)


def _summarize_all(
    output: str, secrets: Iterable[str], head: int, tail: int
) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    text = redact_text(strip(output), secrets).rstrip("\n")
    if not text:
        return (), (), 0
    count = text.count("\n") + 1  # only the lines kept are split off and cut: an output may have millions
    if count <= head + tail:
        lines = [_cut(line) for line in text.split("\n")]
        return tuple(lines[:head]), tuple(lines[head:]), 0
    first = tuple(_cut(line) for line in text.split("\n", head)[:head])
    last = tuple(_cut(line) for line in text.rsplit("\n", tail)[-tail:]) if tail else ()
    return first, last, count - head - tail


ENDS_CHARS = 16 * 1024  # characters of each end of a long output its summary is made from
MAX_BLANK_END = 64  # lines at the end that strip to nothing, beyond which the whole is worked on


class OutputEnds(NamedTuple):
    """A long output's two ends and how many line ends it has in all: what its summary needs. The page
    reads them from its plain-text copy in JS (a cell's output may be 32 MB; reading it all into Python at
    its exit, for six lines, was a long task). Neither end holds an escape sequence."""

    first: str  # the output's beginning (it may end inside a line)
    last: str  # its end (it may begin inside a line)
    newlines: int


def summarize_ends(
    ends: OutputEnds, secrets: Iterable[str] = (), *, head: int = HEAD_LINES, tail: int = TAIL_LINES
) -> tuple[tuple[str, ...], tuple[str, ...], int] | None:
    """What `summarize` gives for the whole output, from its ends only; None where they do not suffice
    (then summarize the whole): a secret to mask (a masked value may hold line ends), lines too long for
    the ends, few lines. Without an escape sequence, which may span lines, `strip` works line by line and
    keeps every line end, so the lines kept are the ends' lines, stripped."""
    if any(maskable(v) for v in secrets):
        return None
    lines = ends.newlines + 1
    if lines <= 2 * (head + tail) + MAX_BLANK_END:
        return None
    firsts = ends.first.split("\n", head)
    back = tail + MAX_BLANK_END
    lasts = ends.last.rsplit("\n", back)
    if len(firsts) <= head or len(lasts) <= back:  # (a piece cut by the end is no line)
        return None
    lasts = lasts[1:]
    blank = 0  # lines at the end that strip to nothing (`rstrip("\n")` drops them)
    while blank < len(lasts) and not strip(lasts[-1 - blank]):
        blank += 1
    if blank > MAX_BLANK_END:
        return None
    first = tuple(_cut(strip(line)) for line in firsts[:head])
    last = (
        tuple(_cut(strip(line)) for line in lasts[len(lasts) - blank - tail : len(lasts) - blank])
        if tail
        else ()
    )
    return first, last, lines - blank - head - tail


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + "\u2026"


@dataclass(frozen=True)
class HistoryRecord:
    """One execution, as the history keeps it."""

    cell: str
    document: str = ""  # the runbook's path (CLI) or identity (page)
    runner: str = ""  # the runner's origin, e.g. https://runner.example.com
    started: dt.datetime | None = None  # timezone-aware
    duration_ms: int = 0
    exit_code: int | None = None
    signal: str = ""
    first_lines: tuple[str, ...] = ()
    last_lines: tuple[str, ...] = ()
    left_out: int = 0  # lines between first_lines and last_lines
    client: str = "fenced run"
    error: str = ""  # why it did not run or did not end normally (e.g. the runner refused it)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("extra")
        data["started"] = _stamp(self.started)
        data["first_lines"] = list(self.first_lines)
        data["last_lines"] = list(self.last_lines)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> HistoryRecord | None:
        """A record from one line; None for a line that is not one (a newer or damaged file loses
        nothing else)."""
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("cell"), str):
            return None
        code = data.get("exit_code")
        return cls(
            cell=data["cell"],
            document=_text(data.get("document")),
            runner=_text(data.get("runner")),
            started=_parse_stamp(data.get("started")),
            duration_ms=_int(data.get("duration_ms")) or 0,
            exit_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            signal=_text(data.get("signal")),
            first_lines=_lines(data.get("first_lines")),
            last_lines=_lines(data.get("last_lines")),
            left_out=_int(data.get("left_out")) or 0,
            client=_text(data.get("client")) or "fenced run",
            error=_text(data.get("error")),
            extra={k: v for k, v in data.items() if k not in _FIELDS},
        )


_FIELDS = frozenset(HistoryRecord.__dataclass_fields__)


def _stamp(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_stamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _lines(value: object) -> tuple[str, ...]:
    return tuple(str(x) for x in value) if isinstance(value, list) else ()


def keep_newest(lines: Sequence[str], max_bytes: int) -> list[str]:
    """The newest lines (ends of `lines`) whose UTF-8 sizes add up to at most `max_bytes`."""
    total = 0
    start = len(lines)
    while start > 0:
        size = len(lines[start - 1].encode("utf-8", "surrogatepass"))
        if total + size > max_bytes:
            break
        total += size
        start -= 1
    return list(lines[start:])
