"""What `fenced run` and `fenced list` print besides the cells' own output: headers, the summary, the
dry run, listings. Cell output goes to stdout/stderr untouched; our lines go to stderr (listings and the
dry run, which are the command's result, to stdout)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fenced.document.catalog import Entry
from fenced.document.prompts import parse_mode, prompts_for
from fenced.document.runnable import is_shell, script_of

from .book import Runbook, shown
from .prompts import Question, question
from .remote import Execution
from .terminal import write


class Console:
    """The `Sink` for cell output, and our own messages, which always start on a line of their own."""

    def __init__(self, *, quiet: bool = False, command: str = "fenced run") -> None:
        self.quiet = quiet
        self.command = command
        self.raw = False  # the local terminal is in raw mode: a line ends with \r\n
        self.on_closed: Callable[[], None] | None = None  # our stdout or stderr reader went away
        self._ends_line = {1: True, 2: True}
        self._tty = {fd: _isatty(fd) for fd in (1, 2)}

    # -- remote.Sink ------------------------------------------------------------------------------
    def output(self, execution: Execution, stream: str, data: bytes) -> None:
        if not data:
            return
        fd = 1 if stream == "stdout" else 2
        if not write(fd, data) and self.on_closed is not None:
            self.on_closed()
        self._ends_line[fd] = data.endswith(b"\n")

    def truncated(self, execution: Execution, stream: str) -> None:
        self.say(f"part of the {stream} of {execution.name!r} was lost (the runner no longer had it)")

    def warning(self, execution: Execution, message: str) -> None:
        self.say(f"warning, cell {execution.name!r}: {message}")

    # -- our lines --------------------------------------------------------------------------------
    def _newline_if_needed(self) -> None:
        """A cell that printed no final newline on the terminal would glue our line to its output."""
        for fd in (1, 2):
            if self._tty[fd] and self._tty[2] and not self._ends_line[fd]:
                write(2, self._eol())
                self._ends_line[fd] = True

    def _eol(self) -> bytes:
        return b"\r\n" if self.raw else b"\n"

    def broken_line(self) -> None:
        """The terminal echoed something (`^C`) after the last output: our next line starts afresh."""
        self._ends_line[2] = False

    def say(self, text: str) -> None:
        """`fenced run: text` on stderr (errors and summaries)."""
        self._newline_if_needed()
        write(2, f"{self.command}: {text}".encode() + self._eol())

    def header(self, entry: Entry) -> None:
        if self.quiet:
            return
        self._newline_if_needed()
        text = f"▶ {entry.name}"
        write(2, (f"\033[2m{text}\033[0m" if self._tty[2] else text).encode() + self._eol())


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


@dataclass
class Tally:
    """Cells run and failed, for the summary."""

    selected: int
    started: float = field(default_factory=time.monotonic)
    ran: int = 0
    failures: list[tuple[str, int]] = field(default_factory=list)

    def record(self, name: str, status: int) -> None:
        self.ran += 1
        if status != 0:
            self.failures.append((name, status))

    def summary(self) -> str:
        cells = "cell" if self.ran == 1 else "cells"
        text = f"{self.ran} {cells} ran, {len(self.failures)} failed"
        if self.failures:
            text += " (" + ", ".join(f"{name}: exit {status}" for name, status in self.failures[:3])
            text += ", ..." if len(self.failures) > 3 else ""
            text += ")"
        if self.selected > self.ran:
            text += f", {self.selected - self.ran} not run"
        return text + f" in {time.monotonic() - self.started:.1f} s"


# -- listings -----------------------------------------------------------------------------------


def flags(entry: Entry) -> list[str]:
    cell = entry.cell
    out = []
    if cell.exclude_from_run_all:
        out.append("excluded")
    if cell.background:
        out.append("background")
    if not cell.interactive:
        out.append("non-interactive")
    if entry.fallback:
        out.append("fallback-name")
    if entry.cell.interpreter.strip():
        out.append(f"interpreter={entry.cell.interpreter.strip()}")
    return out


def prompt_names(book: Runbook, entry: Entry) -> list[str]:
    cell = entry.cell
    if not is_shell(cell.language) or cell.interpreter.strip():
        return []
    mode = parse_mode(cell.current_attributes().get("promptEnv"))
    script = script_of(cell.source, cell.language)
    return [p.name for p in prompts_for(script, mode, skip_prompts=book.skip_prompts)]


def row(book: Runbook, entry: Entry) -> dict[str, Any]:
    """One cell as `fenced list --json` gives it."""
    cell = entry.cell
    return {
        "file": shown(book.path),
        "line": cell.line,
        "name": entry.name,
        "runme_name": entry.runme_name,
        "generated": entry.generated,
        "language": cell.language,
        "first_line": entry.first_line,
        "run_all": entry.run_all,
        "interactive": cell.interactive,
        "background": cell.background,
        "tags": list(entry.tags),
        "prompts": prompt_names(book, entry),
        "flags": flags(entry),
    }


def cell_list(book: Runbook, entries: Sequence[Entry]) -> str:
    """`fenced run FILE --list`: name, language, line and flags, one cell a line."""
    width = max((len(e.name) for e in entries), default=4)
    lines = []
    for entry in entries:
        extra = flags(entry) + ([f"tags={','.join(entry.tags)}"] if entry.tags else [])
        lang = entry.cell.language or "-"
        lines.append(f"{entry.name:<{width}}  {lang:<10} line {entry.cell.line}  {' '.join(extra)}".rstrip())
    return "\n".join(lines) + ("\n" if lines else "")


def table(rows: Sequence[dict[str, Any]]) -> str:
    """`fenced list`: aligned columns, the first line shortened to fit a line."""
    header = ("FILE", "NAME", "LANGUAGE", "FIRST LINE", "FLAGS")
    body = []
    for r in rows:
        first = r["first_line"] if len(r["first_line"]) <= 48 else r["first_line"][:47] + "…"
        extra = r["flags"] + ([f"tags={','.join(r['tags'])}"] if r["tags"] else [])
        extra += [f"prompts={','.join(r['prompts'])}"] if r["prompts"] else []
        body.append((f"{r['file']}:{r['line']}", r["name"], r["language"] or "-", first, " ".join(extra)))
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(4)]
    out = []
    for cols in [header, *body]:
        out.append("  ".join(c.ljust(w) for c, w in zip(cols[:4], widths, strict=True)) + "  " + cols[4])
    return "\n".join(line.rstrip() for line in out) + "\n"


def as_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"


# -- the dry run ----------------------------------------------------------------------------------


def dry_run(
    book: Runbook,
    entries: Sequence[Entry],
    questions: Sequence[Question],
    *,
    target: str,
    directory: str,
    env_names: Sequence[str],
) -> str:
    """What `fenced run` would do, without a runner: where, then each cell with its script."""
    lines = [target]
    session = [f"shell {book.shell}" if book.shell else "the runner's shell"]
    session.append(f"directory {directory}" if directory else "the runner's directory")
    if env_names:
        session.append(f"environment {', '.join(env_names)} (from --env)")
    lines.append("session: " + "; ".join(session))
    for entry in entries:
        cell = entry.cell
        about = [f"{shown(book.path)}:{cell.line}", cell.language or "sh", *flags(entry)]
        if entry.fallback:
            about.append(f"Runme name {entry.runme_name!r}")
        if entry.tags:
            about.append(f"tags={','.join(entry.tags)}")
        lines.append(f"▶ {entry.name}  ({', '.join(about)})")
        script = script_of(cell.source, cell.language)
        lines.extend("    " + line for line in script.split("\n"))
        for q in questions:
            if q.cell == entry.name:
                how = "from --env" if q.by_env else "asked on the terminal"
                lines.append(f"  prompt:{question(q.prompt).rstrip(': ')} ({how})")
    count = len(entries)
    lines.append(f"would run {count} cell{'s' if count != 1 else ''}; nothing was run (--dry-run)")
    return "\n".join(lines) + "\n"


def print_out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
