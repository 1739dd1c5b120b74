"""fenced.runner: the Connect runner that executes notebook cells as real processes (CPython only).

It keeps no documents, only sessions (env + cwd carried between executions), their executions (each in
its own process group, on pipes or a PTY) and a bounded replay buffer of their events. The wire is
`proto/fenced/runner/v1/runner.proto`, served with connectrpc (Connect, gRPC-Web; JSON and binary proto).

API for hosts such as `fenced serve`::

    from fenced.runner import RunnerConfig, create_app, generate_token, serve, serve_async

    config = RunnerConfig(host="127.0.0.1", port=0, token=generate_token(),
                          allow_origins=("http://127.0.0.1:8000",))
    app = create_app(config, fallback=static_asgi_app)   # ASGI; app.runner holds the state
    serve(config)                                        # or: await serve_async(config, fallback=...)

`serve`/`serve_async` bind (port 0 picks a free port; or pass `sock=`), print `fenced runner listening on
URL` (flushed) and, with `token_generated=True` or `config.app_url`, an `open: ...#token=...` line, and on
SIGINT/SIGTERM stop every execution (SIGINT, SIGTERM, SIGKILL) before exiting. Prefer them to a bare
`uvicorn.Server(create_app(...))`: uvicorn waits for open connections *before* the ASGI lifespan
shutdown, and `Watch` streams never close on their own, so a bare server hangs until its
`timeout_graceful_shutdown` unless `await app.runner.close()` runs first (which ends every stream). Modules:
config, errors, checks (request values), shells, spawning (starting a cell's child), process (one spawned
cell's I/O and exit), proctree (one cell's processes: stopping them; the reaper's program), lifetime (every
process a cell starts, by session; the reaper that outlives a killed runner; the work directory), events
(replay buffers), watchers (who has what: acknowledgements), session, launch (starting one cell), core (the
`Runner`), service (Connect handlers), guard (Host/CORS/token), app, connections (request/write timeouts,
connection and fd limits), server.
"""

from __future__ import annotations

from fenced.runner.app import RunnerApp, create_app
from fenced.runner.config import RunnerConfig, generate_token
from fenced.runner.server import LISTENING, serve, serve_async

__all__ = ["LISTENING", "RunnerApp", "RunnerConfig", "create_app", "generate_token", "serve", "serve_async"]
