"""Secrets out of what `fenced run` prints and records: a mask between the runner's output and the terminal.

The values to hide are the session's secrets: answers to prompts for secret variables (typed or from
`--env`), and values of secret-named variables the runner reports a cell exported. Each stream of each
execution goes through its own `fenced.document.redact.Redactor`, so a secret cut between two output
events is still masked; what a redactor holds back (only ever the possible start of a secret) is written
when the execution ends. The history keeps only a summary of the masked output (`Capture`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fenced.document.history import summarize
from fenced.document.redact import Redactor, maskable

from .remote import Execution, Sink

CAPTURE_BYTES = 8 * 1024  # of the start and of the end of an execution's output, for its history line


class SecretValues:
    """The values this run must never print or record."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self.too_short: set[str] = set()  # names whose values are too short to mask (said once)
        self.version = 0  # grows when a value is added

    def add(self, values: Iterable[str]) -> None:
        new = {v for v in values if maskable(v)} - self._values
        if new:
            self._values |= new
            self.version += 1

    def add_named(self, named: dict[str, str]) -> list[str]:
        """Add values by variable name; the names whose values are too short to mask (newly seen)."""
        short = [n for n, v in named.items() if v.strip() and not maskable(v) and n not in self.too_short]
        self.too_short.update(short)
        self.add(named.values())
        return short

    def values(self) -> list[str]:
        return sorted(self._values)


@dataclass
class Capture:
    """The start and the end of an execution's (masked) output, and how many lines it had."""

    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    cut: bool = False  # bytes were dropped between head and tail
    lines: int = 0

    def add(self, data: bytes) -> None:
        self.lines += data.count(b"\n")
        room = CAPTURE_BYTES - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > CAPTURE_BYTES:
                del self.tail[: len(self.tail) - CAPTURE_BYTES]
                self.cut = True

    def summary(self, secrets: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...], int]:
        """(first lines, last lines, lines left out) of the output, every known secret masked."""
        values = list(secrets)
        if not self.cut:
            return summarize((self.head + self.tail).decode("utf-8", "replace"), values)
        first, _, _ = summarize(self.head.decode("utf-8", "replace"), values, tail=0)
        tail_text = self.tail.decode("utf-8", "replace").split("\n", 1)[-1]  # from a line start
        _, last, _ = summarize(tail_text, values, head=0)
        total = self.lines + (0 if self.tail.endswith(b"\n") else 1)
        return first, last, max(0, total - len(first) - len(last))


class MaskingSink:
    """Between the runner session and the console: masks each stream, keeps a capture per execution."""

    def __init__(self, console: Sink, secrets: SecretValues) -> None:
        self.console = console
        self.secrets = secrets
        self._redactors: dict[tuple[str, str], Redactor] = {}
        self._versions: dict[tuple[str, str], int] = {}
        self.captures: dict[str, Capture] = {}

    def _redactor(self, execution: Execution, stream: str) -> Redactor:
        key = (execution.id, stream)
        redactor = self._redactors.get(key)
        if redactor is None:
            redactor = self._redactors[key] = Redactor()
        if self._versions.get(key) != self.secrets.version:
            redactor.add(self.secrets.values())
            self._versions[key] = self.secrets.version
        return redactor

    def output(self, execution: Execution, stream: str, data: bytes) -> None:
        shown = self._redactor(execution, stream).feed(data)
        self._show(execution, stream, shown)

    def _show(self, execution: Execution, stream: str, data: bytes) -> None:
        if data:
            self.captures.setdefault(execution.id, Capture()).add(data)
            self.console.output(execution, stream, data)

    def truncated(self, execution: Execution, stream: str) -> None:
        self.console.truncated(execution, stream)

    def warning(self, execution: Execution, message: str) -> None:
        """A runner's warning about the cell (it names variables, never their values)."""
        self.console.warning(execution, message)

    def finish(self, execution: Execution) -> Capture:
        """The execution ended: write what its redactors held back; its capture."""
        for stream in ("stdout", "stderr"):
            redactor = self._redactors.pop((execution.id, stream), None)
            self._versions.pop((execution.id, stream), None)
            if redactor is not None:
                self._show(execution, stream, redactor.flush())
        return self.captures.pop(execution.id, Capture())
