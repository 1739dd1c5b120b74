"""fenced.connect: a Connect client for the runner, sans-I/O at its core, for Pyodide and CPython.

- `protocol`, `envelope`, `errors`: the Connect protocol without I/O (requests, incremental envelope
  decoding, end-of-stream, error codes and HTTP status mapping, `Connect-Timeout-Ms`), JSON codec only,
  so it needs nothing but the standard library (no protobuf in the browser).
- `messages`: the runner's messages as dataclasses (`SCHEMA` is checked against the proto in tests).
- transports: `fetch_transport.FetchTransport` (browser fetch; imports `js` lazily) and
  `httpx_transport.HttpxTransport` (CPython); `transport.default_transport()` picks one.
- `client.RunnerClient`: a method per RPC; `watch()` resumes after a dropped connection.

    async with RunnerClient("http://127.0.0.1:8765", token) as client:
        result = await client.run(Program(script="echo hi"))
"""

from __future__ import annotations

from fenced.connect.client import ExecuteStream, RunnerClient, RunResult, StartResult, WatchStream
from fenced.connect.errors import Code, ConnectError
from fenced.connect.messages import Event, Exited, Info, Output, Program, Session, Started, Truncated

__all__ = [
    "Code",
    "ConnectError",
    "Event",
    "ExecuteStream",
    "Exited",
    "Info",
    "Output",
    "Program",
    "RunResult",
    "RunnerClient",
    "Session",
    "StartResult",
    "Started",
    "Truncated",
    "WatchStream",
]
