"""`fenced list [PATH ...]`: the runnable cells of the runbooks in a repository (like `runme ls`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DESCRIPTION = """\
List the cells you can run in the Markdown/MDX runbooks under each PATH (default: the current
directory), skipping hidden directories and node_modules: file and line, name (as `fenced run` takes
it), language, first line and flags (excluded = not in Run all, background, non-interactive,
fallback-name = Runme's name is not usable, tags, prompts). Samples (```text...) and data blocks are
left out. Exit status: 0, 1 when a file could not be read (said on stderr), 2 for a missing PATH."""


def register(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "list",
        help="list the runnable cells of the runbooks in a directory",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="directories or runbooks (default: .)")
    p.add_argument("--json", action="store_true", help="one JSON array of cells (file, line, name, ...)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from fenced.document.catalog import tasks

    from .running import book as books
    from .running import report
    from .running.errors import CliError

    status = 0
    rows: list[dict[str, Any]] = []
    for root in args.paths or [Path(".")]:
        if root.is_dir():
            files = list(books.runbooks_in(root))
        elif root.exists():
            files = [root]
        else:
            print(f"fenced list: {root}: no such file or directory", file=sys.stderr)
            status = 2
            continue
        for path in files:
            try:
                book = books.load(path)
            except CliError as exc:
                print(f"fenced list: {exc.message}", file=sys.stderr)
                status = status or 1
                continue
            rows.extend(report.row(book, entry) for entry in tasks(book.entries))
    report.print_out(report.as_json(rows) if args.json else report.table(rows))
    return status
