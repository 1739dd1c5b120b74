"""fenced.connect: a Connect client for the runner, sans-I/O at its core, for Pyodide and CPython.

- `protocol`, `envelope`, `errors`: the Connect protocol without I/O (requests, incremental envelope
  decoding, end-of-stream, error codes and HTTP status mapping, `Connect-Timeout-Ms`), JSON codec, and
  `wire`: a hand-written protobuf binary codec for the Watch/Execute streams (`stream_codec="proto"`),
  so it needs nothing but the standard library (no protobuf in the browser).
- `messages`: the runner's messages as dataclasses (`SCHEMA` is checked against the proto in tests).
- transports: `fetch_transport.FetchTransport` (browser fetch; imports `js` lazily) and
  `httpx_transport.HttpxTransport` (CPython); `transport.default_transport()` picks one.
- `resume` (sans-I/O: cursor, watcher id, acknowledgements, retry policy) and `streams` (the one loop
  that drives it: `WatchStream`, `ExecuteStream`), used by every client: the browser's run engine, the CLI.
- `client.RunnerClient`: a method per RPC; `watch()`/`execute()` resume losslessly after a dropped
  connection.

    async with RunnerClient("http://127.0.0.1:8765", token) as client:
        result = await client.run(Program(script="echo hi"))
"""

from __future__ import annotations

from fenced.connect.client import RunnerClient, RunResult, StartResult
from fenced.connect.errors import Code, ConnectError
from fenced.connect.messages import (
    Event,
    ExecutionWarning,
    Exited,
    Info,
    Output,
    Program,
    Session,
    Started,
    Truncated,
)
from fenced.connect.resume import ResumeState, RetryPolicy
from fenced.connect.streams import EventStream, ExecuteStream, WatchStream

__all__ = [
    "Code",
    "ConnectError",
    "Event",
    "EventStream",
    "ExecuteStream",
    "ExecutionWarning",
    "Exited",
    "Info",
    "Output",
    "Program",
    "ResumeState",
    "RetryPolicy",
    "RunResult",
    "RunnerClient",
    "Session",
    "StartResult",
    "Started",
    "Truncated",
    "WatchStream",
]
