"""The audit log (`--audit-log FILE`): one JSON line per execution, written when it has ended.

A line says who ran what, from where, and how it ended: time (of the start), token name, origin,
client address, session, execution, cell name, sha256 of the command, program, pid, exit code, signal
and duration. Never the environment, the command's text or its output. Executions still running when
the runner stops are stopped, and so end and are logged; the start of each is also in the runner's log
(stderr). The file is opened for appending (mode 0600) and reopened on SIGHUP, so logrotate can move it
away; each line is written whole with one `write`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fenced.runner.session import Execution
from fenced.runner.tokens import CALLER, Caller

log = logging.getLogger("fenced.runner")


def command_digest(script: str) -> str:
    """sha256 (hex) of the command as the runner received it (UTF-8)."""
    return hashlib.sha256(script.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Started:
    fields: dict[str, Any]
    at: float


class AuditLog:
    """An `ExecutionObserver` (see `fenced.runner.core`) that appends JSON lines to `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._open: dict[str, _Started] = {}  # execution id -> what its start line said
        self.reopen()

    def reopen(self) -> None:
        """(Re)open the file: after logrotate moved it, lines go to a new file at the same path."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        old, self._fd = self._fd, fd
        if old is not None:
            os.close(old)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def execution_started(self, execution: Execution, script: str) -> None:
        caller = CALLER.get() or Caller("")
        fields = {
            "time": _now(),
            "token": caller.token_name,
            "origin": caller.origin,
            "client": caller.client,
            "session": execution.session.id,
            "execution": execution.id,
            "cell": execution.spec.known_name,
            "command_sha256": command_digest(script),
            "program": execution.spec.program,
            "pid": execution.pid,
        }
        self._open[execution.id] = _Started(fields, time.monotonic())

    def execution_ended(self, execution: Execution) -> None:
        started = self._open.pop(execution.id, None)
        if started is None:
            return
        exited = execution.buffer.exited.exited if execution.buffer.exited is not None else None
        duration_ms = (
            exited.duration_ms if exited is not None else int((time.monotonic() - started.at) * 1000)
        )
        self._write(
            {
                **started.fields,
                "exit_code": execution.exit_code,
                "signal": exited.signal if exited is not None else "",
                "duration_ms": duration_ms,
            }
        )

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        if self._fd is None:
            return
        try:
            os.write(self._fd, line.encode("utf-8", "surrogateescape"))
        except OSError as exc:
            log.error("audit log %s: cannot write: %s", self.path, exc)
