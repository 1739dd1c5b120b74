"""The `fenced` command line: `serve` (demo), `runner` (the runner server), `run` (cells from a terminal),
`list` (the runnable cells of a repository), `export` (a run's report as one HTML file).

Each subcommand lives in `fenced.commands.<name>` and imports its heavy machinery (uvicorn, connectrpc,
the runner) lazily, inside its handler, so `fenced --help` stays fast and the browser bundle never needs it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from fenced import __version__

SUBCOMMANDS = ("serve", "runner", "run", "list", "export")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser; each subcommand module adds its own arguments via `register`."""
    parser = argparse.ArgumentParser(
        prog="fenced",
        description=(
            "Fenced: a notebook editor for executable Markdown (Runme-compatible runbooks) that runs "
            "in the browser, with a runner that executes shell cells where the work must happen."
        ),
    )
    parser.add_argument("--version", action="version", version=f"fenced {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"fenced.commands.{name}")
        except ModuleNotFoundError as exc:  # a subcommand whose module is not there yet
            if exc.name != f"fenced.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from fenced.commands.running.errors import CliError

    try:
        return int(args.handler(args) or 0)
    except CliError as exc:  # said in one line: no traceback for a bad file, name or runner
        print(f"fenced {args.command}: {exc.message}", file=sys.stderr)
        return exc.status


if __name__ == "__main__":
    sys.exit(main())
