"""`fenced serve`: the demo. Builds the app if needed, serves it and starts a local runner, all on loopback.

The runner runs as a child process (`fenced runner`) at a different origin from the page, exactly as in
production; it gets a fresh token and allows only the page's origin. The printed URL carries the runner
address in `?runner=` and the token in the `#token=` fragment (never sent to the static server).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="demo: serve the app and a local runner on 127.0.0.1",
        description=(
            "Build the static app if needed, serve it on loopback and start a local runner that allows the "
            "page's origin. Prints the URL to open (it carries the runner address and its token)."
        ),
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address for the app and the runner (default: 127.0.0.1)"
    )
    p.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port for the app; 0 = any free port (default: 8000, falling back to a free port when taken)",
    )
    p.add_argument("--runner-port", type=int, default=0, help="port for the runner (default: any free port)")
    p.add_argument(
        "--dist", type=Path, default=None, help="serve this built folder instead of building dist/"
    )
    p.add_argument("--no-runner", action="store_true", help="serve the app only (render-only mode)")
    p.add_argument("--no-build", action="store_true", help="do not run build.py before serving")
    p.set_defaults(handler=run)


def _build(dist: Path | None, no_build: bool) -> Path:
    if dist is not None:
        return dist.resolve()
    target = REPO_ROOT / "dist"
    if not no_build and (REPO_ROOT / "build.py").exists():
        sys.path.insert(0, str(REPO_ROOT))
        try:
            import build
        finally:
            sys.path.pop(0)
        build.build(target)
    if not (target / "index.html").exists():
        sys.exit(f"fenced serve: no built app at {target}; run `python build.py` in the source checkout.")
    return target


def _start_runner(host: str, port: int, origin: str, token: str) -> tuple[subprocess.Popen[str], str]:
    cmd = [
        sys.executable,
        "-m",
        "fenced.cli",
        "runner",
        "--host",
        host,
        "--port",
        str(port),
        "--allow-origin",
        origin,
    ]
    env = dict(os.environ, FENCED_RUNNER_TOKEN=token)
    # The token travels in the environment, not argv, so `ps` does not show it.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, text=True, env=env)
    assert proc.stdout
    for line in proc.stdout:
        m = re.search(r"listening on (https?://\S+?)/?(\s|$)", line)
        if m:
            threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
            return proc, m.group(1)
    raise SystemExit(f"fenced serve: the runner exited with status {proc.wait()} before listening")


def _drain(stream: Any) -> None:
    for line in stream:
        sys.stdout.write(line)


def run(args: argparse.Namespace) -> int:
    from fenced.static import make_server, url_of

    dist = _build(args.dist, args.no_build)
    try:
        server = make_server(dist, args.host, args.port)
    except OSError:
        if args.port == 0:
            raise
        server = make_server(dist, args.host, 0)
    app_url = url_of(server)
    runner: subprocess.Popen[str] | None = None
    open_url = app_url
    if not args.no_runner:
        from fenced.runner.config import generate_token

        token = generate_token(24)
        runner, runner_url = _start_runner(args.host, args.runner_port, app_url.rstrip("/"), token)
        open_url = f"{app_url}?runner={runner_url}#token={token}"
        print(f"fenced runner at {runner_url} (allows {app_url.rstrip('/')})", flush=True)
    print(f"Fenced is being served at {app_url}", flush=True)
    print(f"Open this URL in your browser:\n\n    {open_url}\n", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if runner is not None and runner.poll() is None:
            runner.send_signal(signal.SIGTERM)
            try:
                runner.wait(timeout=10)
            except subprocess.TimeoutExpired:
                runner.kill()
    return 0
