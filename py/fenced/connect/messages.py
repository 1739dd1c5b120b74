"""The runner's messages as plain dataclasses, read from and written to Connect's proto-JSON.

`fenced.connect` may not import protobuf (it ships to the browser), so field names are spelled out
here. `SCHEMA` lists, per proto message, every JSON field this module knows; a test compares it with
the descriptors generated from `proto/` so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SERVICE = "fenced.runner.v1.RunnerService"

SCHEMA: dict[str, tuple[str, ...]] = {
    "GetInfoRequest": (),
    "GetInfoResponse": (
        "version",
        "hostname",
        "user",
        "defaultShell",
        "os",
        "limits",
        "reviewedRunbooksOnly",
    ),
    "Limits": (
        "maxExecutions",
        "bufferBytes",
        "maxRequestBytes",
        "sessionIdleTimeoutMs",
        "disconnectGraceMs",
        "stopGraceMs",
        "maxSessions",
        "maxWatchers",
        "maxMetadataBytes",
        "writeTimeoutMs",
    ),
    "Session": ("id", "cwd", "shell", "metadata", "executions", "lastSeq", "watchers"),
    "Execution": (
        "id",
        "knownId",
        "knownName",
        "pid",
        "running",
        "interactive",
        "exitCode",
        "startedAtMs",
        "elapsedMs",
    ),
    "CreateSessionRequest": ("env", "directory", "shell", "metadata"),
    "CreateSessionResponse": ("session",),
    "ListSessionsRequest": (),
    "ListSessionsResponse": ("sessions",),
    "DeleteSessionRequest": ("sessionId",),
    "DeleteSessionResponse": (),
    "ProgramConfig": (
        "programName",
        "arguments",
        "directory",
        "languageId",
        "background",
        "env",
        "commands",
        "script",
        "interactive",
        "knownId",
        "knownName",
        "secretNames",
        "maskValues",
    ),
    "ProgramConfig.CommandList": ("items",),
    "Winsize": ("rows", "cols", "x", "y"),
    "StartRequest": ("sessionId", "config", "winsize", "inputData", "keepStdinOpen"),
    "StartResponse": ("executionId", "pid"),
    "SendInputRequest": ("executionId", "inputData", "closeStdin"),
    "SendInputResponse": (),
    "ResizeRequest": ("executionId", "winsize"),
    "ResizeResponse": (),
    "StopRequest": ("executionId", "mode"),
    "StopResponse": (),
    "WatchRequest": ("sessionId", "cursor", "watcherId"),
    "WatchResponse": ("events", "cursor", "ackBytes"),
    "ExecuteRequest": ("sessionId", "config", "winsize", "inputData", "watcherId"),
    "ExecuteResponse": ("sessionId", "executionId", "events", "cursor", "ackBytes"),
    "AckRequest": ("sessionId", "watcherId", "cursor", "release"),
    "AckResponse": (),
    "Event": ("seq", "executionId", "started", "output", "exited", "truncated", "warning"),
    "Started": ("pid", "knownId", "knownName", "interactive", "program", "directory"),
    "Output": ("stream", "offset", "data"),
    "Exited": (
        "exitCode",
        "signal",
        "durationMs",
        "pwd",
        "stdoutBytes",
        "stderrBytes",
        "reason",
        "secretEnv",
    ),
    "Truncated": ("stream", "offset"),
    "Warning": ("kind", "message"),
}
ENUMS: dict[str, tuple[str, ...]] = {
    "Stream": ("STREAM_UNSPECIFIED", "STREAM_STDOUT", "STREAM_STDERR"),
    "StopMode": ("STOP_MODE_UNSPECIFIED", "STOP_MODE_KILL"),
    "WarningKind": (
        "WARNING_KIND_UNSPECIFIED",
        "WARNING_KIND_STATE_NOT_CAPTURED",
        "WARNING_KIND_DIRECTORY_MISSING",
    ),
}
STREAMS = {"STREAM_STDOUT": "stdout", "STREAM_STDERR": "stderr", 1: "stdout", 2: "stderr"}
WARNING_KINDS = {
    "WARNING_KIND_STATE_NOT_CAPTURED": "state_not_captured",
    "WARNING_KIND_DIRECTORY_MISSING": "directory_missing",
    1: "state_not_captured",
    2: "directory_missing",
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Proto-JSON bytes: standard or URL-safe base64, padding optional."""
    if "-" in text or "_" in text:
        text = text.replace("-", "+").replace("_", "/")
    if len(text) % 4:
        text += "=" * (-len(text) % 4)
    return binascii.a2b_base64(text)


def _int(value: Any) -> int:
    return int(value) if value not in (None, "") else 0  # 64-bit integers arrive as strings


@dataclass(frozen=True)
class Limits:
    max_executions: int = 0
    buffer_bytes: int = 0
    max_request_bytes: int = 0
    session_idle_timeout_ms: int = 0
    disconnect_grace_ms: int = 0
    stop_grace_ms: int = 0
    max_sessions: int = 0
    max_watchers: int = 0
    max_metadata_bytes: int = 0
    write_timeout_ms: int = 0


@dataclass(frozen=True)
class Info:
    version: str
    hostname: str
    user: str
    default_shell: str
    os: str
    limits: Limits
    reviewed_runbooks_only: bool = False  # --allow-runbooks: only cells of reviewed runbooks run

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Info:
        lim = obj.get("limits") or {}
        return cls(
            version=obj.get("version", ""),
            hostname=obj.get("hostname", ""),
            user=obj.get("user", ""),
            default_shell=obj.get("defaultShell", ""),
            os=obj.get("os", ""),
            limits=Limits(
                max_executions=_int(lim.get("maxExecutions")),
                buffer_bytes=_int(lim.get("bufferBytes")),
                max_request_bytes=_int(lim.get("maxRequestBytes")),
                session_idle_timeout_ms=_int(lim.get("sessionIdleTimeoutMs")),
                disconnect_grace_ms=_int(lim.get("disconnectGraceMs")),
                stop_grace_ms=_int(lim.get("stopGraceMs")),
                max_sessions=_int(lim.get("maxSessions")),
                max_watchers=_int(lim.get("maxWatchers")),
                max_metadata_bytes=_int(lim.get("maxMetadataBytes")),
                write_timeout_ms=_int(lim.get("writeTimeoutMs")),
            ),
            reviewed_runbooks_only=bool(obj.get("reviewedRunbooksOnly", False)),
        )


@dataclass(frozen=True)
class ExecutionSummary:
    id: str
    known_id: str = ""
    known_name: str = ""
    pid: int = 0
    running: bool = False
    interactive: bool = False
    exit_code: int | None = None
    started_at_ms: int = 0  # on the runner's clock (0: an older runner that does not say)
    elapsed_ms: int = 0  # how long it had run when the runner answered (its duration once exited)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> ExecutionSummary:
        code = obj.get("exitCode")
        return cls(
            id=obj.get("id", ""),
            known_id=obj.get("knownId", ""),
            known_name=obj.get("knownName", ""),
            pid=_int(obj.get("pid")),
            running=bool(obj.get("running", False)),
            interactive=bool(obj.get("interactive", False)),
            exit_code=None if code is None else int(code),
            started_at_ms=_int(obj.get("startedAtMs")),
            elapsed_ms=_int(obj.get("elapsedMs")),
        )


@dataclass(frozen=True)
class Session:
    id: str
    cwd: str = ""
    shell: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    executions: tuple[ExecutionSummary, ...] = ()
    last_seq: int = 0
    watchers: int = 0  # streams attached now

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Session:
        return cls(
            id=obj.get("id", ""),
            cwd=obj.get("cwd", ""),
            shell=obj.get("shell", ""),
            metadata=dict(obj.get("metadata") or {}),
            executions=tuple(ExecutionSummary.from_json(e) for e in obj.get("executions") or ()),
            last_seq=_int(obj.get("lastSeq")),
            watchers=_int(obj.get("watchers")),
        )


@dataclass(frozen=True)
class Program:
    """What to run: the JSON of a `ProgramConfig` (Runme's names)."""

    script: str = ""
    commands: Sequence[str] | None = None
    program_name: str = ""
    arguments: Sequence[str] = ()
    directory: str = ""
    language_id: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    interactive: bool = False
    background: bool = False
    known_id: str = ""
    known_name: str = ""
    secret_names: Sequence[str] = ()  # names the document declares secret (see Exited.secret_env)
    mask_values: Sequence[str] = ()  # values the runner masks in this execution's output (secrets)

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        if self.commands is not None:
            obj["commands"] = {"items": list(self.commands)}
        else:
            obj["script"] = self.script
        for key, value in (
            ("programName", self.program_name),
            ("directory", self.directory),
            ("languageId", self.language_id),
            ("knownId", self.known_id),
            ("knownName", self.known_name),
        ):
            if value:
                obj[key] = value
        if self.arguments:
            obj["arguments"] = list(self.arguments)
        if self.secret_names:
            obj["secretNames"] = list(self.secret_names)
        if self.mask_values:
            obj["maskValues"] = list(self.mask_values)
        if self.env:
            obj["env"] = [f"{k}={v}" for k, v in self.env.items()]
        if self.interactive:
            obj["interactive"] = True
        if self.background:
            obj["background"] = True
        return obj


def winsize(rows: int, cols: int) -> dict[str, int]:
    return {"rows": rows, "cols": cols}


@dataclass(frozen=True)
class Started:
    pid: int
    known_id: str = ""
    known_name: str = ""
    interactive: bool = False
    program: str = ""
    directory: str = ""


@dataclass(frozen=True)
class Output:
    stream: str  # "stdout" (also a terminal's output) or "stderr"
    offset: int
    data: bytes


@dataclass(frozen=True)
class Exited:
    exit_code: int | None
    signal: str = ""
    duration_ms: int = 0
    pwd: str = ""
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    reason: str = ""
    # Secret variables the execution set or changed, with their values: mask them (never store them).
    secret_env: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Truncated:
    stream: str
    offset: int  # output of `stream` before this offset is gone


@dataclass(frozen=True)
class ExecutionWarning:
    """Something about an execution to show the user although it did not fail it (proto `Warning`)."""

    kind: str  # "state_not_captured", "directory_missing", or "" for a kind this client does not know
    message: str


@dataclass(frozen=True)
class Event:
    seq: int
    execution_id: str
    started: Started | None = None
    output: Output | None = None
    exited: Exited | None = None
    truncated: Truncated | None = None
    warning: ExecutionWarning | None = None

    @property
    def kind(self) -> str:
        for name in ("output", "started", "exited", "truncated", "warning"):
            if getattr(self, name) is not None:
                return name
        return "unknown"

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Event:
        seq, eid = _int(obj.get("seq")), obj.get("executionId", "")
        if (o := obj.get("output")) is not None:
            stream = STREAMS.get(o.get("stream", "STREAM_STDOUT"), "stdout")
            return cls(seq, eid, output=Output(stream, _int(o.get("offset")), unb64(o.get("data", ""))))
        if (s := obj.get("started")) is not None:
            started = Started(
                pid=_int(s.get("pid")),
                known_id=s.get("knownId", ""),
                known_name=s.get("knownName", ""),
                interactive=bool(s.get("interactive", False)),
                program=s.get("program", ""),
                directory=s.get("directory", ""),
            )
            return cls(seq, eid, started=started)
        if (x := obj.get("exited")) is not None:
            code = x.get("exitCode")
            exited = Exited(
                exit_code=None if code is None else int(code),
                signal=x.get("signal", ""),
                duration_ms=_int(x.get("durationMs")),
                pwd=x.get("pwd", ""),
                stdout_bytes=_int(x.get("stdoutBytes")),
                stderr_bytes=_int(x.get("stderrBytes")),
                reason=x.get("reason", ""),
                secret_env={str(k): str(v) for k, v in (x.get("secretEnv") or {}).items()},
            )
            return cls(seq, eid, exited=exited)
        if (t := obj.get("truncated")) is not None:
            stream = STREAMS.get(t.get("stream", "STREAM_STDOUT"), "stdout")
            return cls(seq, eid, truncated=Truncated(stream, _int(t.get("offset"))))
        if (w := obj.get("warning")) is not None:
            kind = WARNING_KINDS.get(w.get("kind", ""), "")
            return cls(seq, eid, warning=ExecutionWarning(kind, str(w.get("message", ""))))
        return cls(seq, eid)
