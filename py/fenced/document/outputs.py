"""Runme's *session outputs* file: the runbook with each run cell's output written inside its fence.

The format (Runme's `session-<ULID>.md` files): the frontmatter gains `runme.session` with the session's
`id` and `updated` time, and every code cell that ran gets, after its code and a blank line,

    # Ran on 2023-12-28 15:52:03-05:00 for 719ms exited with 0
    <the output as plain text>

inside the same fence (lengthened if the output contains a fence of its own). Everything else is the
original document's bytes, because only the run cells' text and the frontmatter are edited through the
lossless `fenced.document` model. The output must already be plain text (escape codes stripped).

Reading such a file back (:func:`read_session`, :func:`session_runs`) splits each fence at its first
`# Ran on ...` line after a blank line: the code before it, the run report and output after it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import dumps, loads
from .fmcodec import YAML

if TYPE_CHECKING:
    from .notebook import Notebook


@dataclass(frozen=True)
class CellRun:
    """What one cell's latest run produced."""

    output: str  # plain text
    exit_code: int | None
    started: dt.datetime  # timezone-aware
    duration_ms: int


def go_duration(ms: int) -> str:
    """A duration as Go's `time.Duration.String()` writes it, at millisecond precision (Runme uses it)."""
    if ms <= 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds = f"{rest // 1000}.{rest % 1000:03d}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{seconds}s"
    if minutes:
        return f"{minutes}m{seconds}s"
    return f"{seconds}s"


def go_time(when: dt.datetime) -> str:
    """`2023-12-28 15:52:03-05:00` (Go's "2006-01-02 15:04:05Z07:00"; UTC is written `Z`)."""
    if when.tzinfo is None:
        when = when.astimezone()
    offset = when.utcoffset() or dt.timedelta(0)
    if offset == dt.timedelta(0):
        zone = "Z"
    else:
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        zone = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return when.strftime("%Y-%m-%d %H:%M:%S") + zone


_GO_UNITS = {
    "h": 3_600_000.0,
    "m": 60_000.0,
    "s": 1000.0,
    "ms": 1.0,
    "us": 0.001,
    "\u00b5s": 0.001,
    "ns": 1e-6,
}
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|\u00b5s|ns)")
RAN = re.compile(r"# Ran on (?P<when>\S+ \S+) for (?P<took>\S+) exited with (?P<code>-?\d+)")
_RAN_IN_CELL = re.compile(r"\n\n" + RAN.pattern + r"(?:\n|$)")


def parse_go_duration(text: str) -> int | None:
    """``1m2.5s`` -> 62500 (milliseconds); None if it is not a Go duration."""
    if text == "0s":
        return 0
    pos = 0
    total = 0.0
    for m in _GO_PART.finditer(text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _GO_UNITS[m.group(2)]
        pos = m.end()
    return round(total) if pos == len(text) and pos else None


def parse_go_time(text: str) -> dt.datetime | None:
    """``2023-12-28 15:52:03-05:00`` or ``... Z`` -> an aware datetime (None if it is not one)."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def parse_ran(match: re.Match[str], output: str) -> CellRun | None:
    """The run a `# Ran on ...` line (matched by RAN) reports, with `output`."""
    when, took = parse_go_time(match.group("when")), parse_go_duration(match.group("took"))
    if when is None or took is None:
        return None
    return CellRun(output, int(match.group("code")), when, took)


def ran_line(run: CellRun) -> str:
    code = -1 if run.exit_code is None else run.exit_code
    return f"# Ran on {go_time(run.started)} for {go_duration(run.duration_ms)} exited with {code}"


def cell_text(source: str, run: CellRun) -> str:
    """A cell's code followed by its run report and output, as it goes inside the fence."""
    body = run.output.rstrip("\n")
    text = f"{source}\n\n{ran_line(run)}"
    return f"{text}\n{body}" if body else text


def session_outputs(text: str, runs: Mapping[int, CellRun], session_id: str, updated: dt.datetime) -> str:
    """The session-outputs document for runbook `text`; `runs` maps indexes of `loads(text).cells`."""
    nb = loads(text)
    for index, run in runs.items():
        if 0 <= index < len(nb.cells) and nb.cells[index].kind == "code":
            cell = nb.cells[index]
            cell.source = cell_text(cell.source, run)
    _set_session(nb, session_id, updated)
    return dumps(nb)


def _set_session(nb: Notebook, session_id: str, updated: dt.datetime) -> None:
    fm = nb.frontmatter
    if fm is None or not fm.valid:
        if fm is not None:
            return  # unreadable frontmatter is kept as it is rather than replaced
        nb.frontmatter = {"runme": {"session": {"id": session_id, "updated": updated}}}
        return
    # YAML writes a datetime in Runme's layout; TOML and JSON get the same text as a string.
    stamp: object = updated if fm.format == YAML else go_time(updated)
    runme = fm.get("runme")
    if not isinstance(runme, MutableMapping):
        fm["runme"] = {"session": {"id": session_id, "updated": stamp}}
        return
    runme["session"] = {"id": session_id, "updated": stamp}
    fm["runme"] = runme


@dataclass(frozen=True)
class SessionCell:
    """A code cell of a session-outputs file: its name, its code and what its run reported."""

    name: str
    source: str
    run: CellRun | None


def split_cell_text(text: str) -> tuple[str, CellRun | None]:
    """A session file's cell text -> (the code, the run it reports, if any); see `cell_text`."""
    for m in _RAN_IN_CELL.finditer(text):
        run = parse_ran(m, text[m.end() :])
        if run is not None:
            return text[: m.start()], run
    return text, None


def read_session(text: str) -> list[SessionCell]:
    """The code cells of a session-outputs file, in order."""
    out = []
    for cell in loads(text).code_cells():
        source, run = split_cell_text(cell.source)
        out.append(SessionCell(cell.name, source, run))
    return out


def session_runs(nb: Notebook, session_text: str) -> dict[int, CellRun]:
    """The runs a session-outputs file reports for the cells of `nb` (by index in ``nb.cells``): a code
    cell pairs with the session's cell at the same position among code cells when their code is the
    same, else with the first unpaired one of the same name."""
    session = read_session(session_text)
    codes = [i for i, c in enumerate(nb.cells) if c.kind == "code"]
    used: set[int] = set()
    out: dict[int, CellRun] = {}
    for k, index in enumerate(codes):
        cell = nb.cells[index]
        pick = k if k < len(session) and session[k].source == cell.source else None
        if pick is None:
            pick = next((j for j, s in enumerate(session) if j not in used and s.name == cell.name), None)
        if pick is None or pick in used:
            continue
        used.add(pick)
        run = session[pick].run
        if run is not None:
            out[index] = run
    return out


def outputs_name(document_name: str, session_id: str) -> str:
    """`README.md` -> `README-<session id>.md`: the outputs file that goes next to the runbook."""
    stem, dot, ext = document_name.rpartition(".")
    if not dot or not stem:
        stem, ext = document_name, "md"
    return f"{stem}-{session_id}.{ext}"
