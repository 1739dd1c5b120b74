"""`fenced runner`: serve the Connect runner that executes cells (loopback and a token by default)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

TOKEN_ENV = "FENCED_RUNNER_TOKEN"


def register(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "runner",
        help="run the runner server that executes shell cells",
        description=(
            "Serve the Fenced runner: a Connect (HTTP) service that runs notebook cells as real processes "
            "on this machine and streams their output. Every call needs the bearer token. Prints "
            "'fenced runner listening on URL' once listening; stops every execution on SIGINT/SIGTERM."
        ),
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: %(default)s); anything but loopback without TLS warns loudly",
    )
    p.add_argument(
        "--port",
        type=int,
        default=8765,
        help="TCP port (default: %(default)s); 0 picks a free one (see the printed URL)",
    )
    token = p.add_mutually_exclusive_group()
    token.add_argument(
        "--token",
        help=f"bearer token clients must send (also ${TOKEN_ENV}); when none is given one is generated and "
        "printed in a ready-to-open URL fragment",
    )
    token.add_argument("--token-file", type=Path, help="read the bearer token from this file (first line)")
    token.add_argument(
        "--tokens-file",
        type=Path,
        metavar="FILE",
        help="named tokens, one 'name token' line each ('#' comments): every call needs one of them "
        f"(${TOKEN_ENV} is then ignored); re-read on SIGHUP, so a token is revoked without a restart",
    )
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help="browser origin (scheme://host:port) allowed to call the runner via CORS; repeatable; '*' allows any",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME[:PORT]",
        help="extra name the Host header may carry (e.g. a reverse proxy's): with a port, only with that port, "
        "else with any; the runner's own names (bind address, and loopback names from any port) need none; "
        "repeatable; '*' disables the DNS-rebinding guard",
    )
    p.add_argument("--tls-cert", help="PEM certificate file: serve HTTPS (with --tls-key)")
    p.add_argument("--tls-key", help="PEM private key file for --tls-cert")
    p.add_argument(
        "--max-executions",
        type=int,
        default=64,
        help="executions running at once (default: %(default)s); more: resource_exhausted",
    )
    p.add_argument("--shell", help="default shell for cells that name none (default: bash, else sh)")
    p.add_argument(
        "--buffer-bytes",
        type=int,
        default=8 * 1024 * 1024,
        help="output bytes kept per execution for replay; output its clients have not acknowledged is never "
        "dropped: past this, the process waits (default: %(default)s)",
    )
    p.add_argument(
        "--max-request-bytes",
        type=int,
        default=4 * 1024 * 1024,
        help="largest request message in bytes (default: %(default)s)",
    )
    p.add_argument(
        "--disconnect-grace",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="stop a session's foreground executions after this long without any watcher (default: %(default)s)",
    )
    p.add_argument(
        "--session-idle-timeout",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="delete a session idle (nothing running, no watcher) for this long (default: %(default)s)",
    )
    p.add_argument(
        "--stop-grace",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="wait between SIGINT, SIGTERM and SIGKILL when stopping an execution (default: %(default)s)",
    )
    p.add_argument(
        "--keepalive",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="an idle Watch stream gets an empty message this often, so reverse proxies and NATs keep it "
        "open; keep it below the proxy's read timeout (default: %(default)s)",
    )
    p.add_argument(
        "--compress",
        choices=("auto", "always", "never"),
        default="auto",
        help="gzip output streams (the JSON codec sends output as base64: 4 bytes per 3 without it); "
        "auto: for clients not on loopback, as seen through a local proxy's X-Forwarded-For (default: "
        "%(default)s)",
    )
    p.add_argument(
        "--audit-log",
        type=Path,
        metavar="FILE",
        help="append a JSON line per execution once it ended (start time, token name, origin, session, cell, "
        "sha256 of the command, pid, exit code, duration; never env or output); reopened on SIGHUP",
    )
    p.add_argument(
        "--allow-runbooks",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="run only code cells of the Markdown runbooks under DIR (a folder or a git checkout; "
        "repeatable; looked at again on every start); anything else is refused with permission_denied. "
        "Input to running cells stays allowed; see docs/production.md",
    )
    p.add_argument(
        "--max-sessions",
        type=int,
        default=256,
        help="sessions at once (default: %(default)s); more: resource_exhausted",
    )
    p.add_argument(
        "--max-watchers",
        type=int,
        default=32,
        help="Watch/Execute streams at once per session (default: %(default)s); more: resource_exhausted",
    )
    p.add_argument(
        "--max-metadata-bytes",
        type=int,
        default=16 * 1024,
        help="size of a session's metadata, keys and values (default: %(default)s); more: resource_exhausted",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=2048,
        help="open HTTP connections served at once (default: %(default)s); requests beyond get 503; the open "
        "files limit is raised to fit when the hard limit allows",
    )
    p.add_argument(
        "--max-header-bytes",
        type=int,
        default=16 * 1024,
        help="size of a request's headers (default: %(default)s); more: 431 resource_exhausted (400 if they "
        "trickle in)",
    )
    p.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="a request's line, headers and body must arrive within this, else the connection closes "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--keep-alive-timeout",
        type=float,
        default=75.0,
        metavar="SECONDS",
        help="close a connection idle between requests after this long (default: %(default)s)",
    )
    p.add_argument(
        "--write-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="close a connection that accepts no response data for this long, e.g. a stalled Watch, whose "
        "client may resume (default: %(default)s)",
    )
    p.add_argument("--app-url", help="URL of a Fenced app to print as 'open: APP?runner=URL#token=T'")
    p.add_argument("--quiet", action="store_true", help="no per-execution log lines on stderr")
    p.set_defaults(handler=run)


def resolve_token(args: argparse.Namespace) -> tuple[str, bool]:
    """(token, generated?) from --token, --token-file, $FENCED_RUNNER_TOKEN, else a fresh one; ("", False)
    with --tokens-file, whose named tokens replace the single token."""
    from fenced.runner.config import generate_token

    if getattr(args, "tokens_file", None):
        return "", False
    if args.token:
        return args.token, False
    if args.token_file:
        lines = args.token_file.read_text().splitlines()
        if not lines or not lines[0].strip():
            raise SystemExit(f"fenced runner: {args.token_file} holds no token")
        return lines[0].strip(), False
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV], False
    return generate_token(), True


def run(args: argparse.Namespace) -> int:
    import logging
    import sys

    from fenced.runner import RunnerConfig, serve
    from fenced.runner.tokens import TokenBook, TokensFileError

    if bool(args.tls_cert) != bool(args.tls_key):
        raise SystemExit("fenced runner: --tls-cert and --tls-key go together")
    if not args.keepalive > 0:
        raise SystemExit("fenced runner: --keepalive must be a positive number of seconds")
    token, generated = resolve_token(args)
    if args.tokens_file:
        try:
            TokenBook.from_file(args.tokens_file)  # refuse an unusable file before binding the port
        except TokensFileError as exc:
            raise SystemExit(f"fenced runner: {exc}") from None
    for folder in args.allow_runbooks:
        if not folder.is_dir():
            raise SystemExit(f"fenced runner: --allow-runbooks {folder}: not a directory")
        if os.access(folder, os.W_OK):
            print(
                f"fenced runner: warning: --allow-runbooks {folder} is writable by this user: a reviewed cell "
                "that writes files there could add commands to run (mount it read-only)",
                file=sys.stderr,
            )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("fenced runner: %(message)s"))
    logger = logging.getLogger("fenced.runner")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if args.quiet else logging.INFO)
    config = RunnerConfig(
        host=args.host,
        port=args.port,
        token=token,
        allow_origins=tuple(args.allow_origin),
        allowed_hosts=tuple(args.allow_host),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        max_executions=args.max_executions,
        shell=args.shell,
        buffer_bytes=args.buffer_bytes,
        max_request_bytes=args.max_request_bytes,
        session_idle_timeout=args.session_idle_timeout,
        disconnect_grace=args.disconnect_grace,
        stop_grace=args.stop_grace,
        keepalive=args.keepalive,
        compress=args.compress,
        app_url=args.app_url,
        tokens_file=str(args.tokens_file) if args.tokens_file else None,
        audit_log=str(args.audit_log) if args.audit_log else None,
        max_sessions=args.max_sessions,
        max_watchers=args.max_watchers,
        max_metadata_bytes=args.max_metadata_bytes,
        max_connections=args.max_connections,
        max_header_bytes=args.max_header_bytes,
        request_timeout=args.request_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        write_timeout=args.write_timeout,
        allow_runbooks=tuple(str(folder.resolve()) for folder in args.allow_runbooks),
    )
    serve(config, token_generated=generated)
    return 0
