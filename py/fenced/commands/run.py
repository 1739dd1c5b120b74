"""`fenced run FILE [CELL ...]`: run cells of a local runbook on a runner, streaming their output.

Cells run in order in one runner session (exported variables and `cd` carry over, as in the
notebook); the command stops at the first failing cell and exits with its status. Cells are read
with `fenced.document`, named the way Runme names them.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Cell:
    name: str
    language: str
    source: str
    attributes: dict[str, str] = field(default_factory=dict)
    line: int = 0

    @property
    def interactive(self) -> bool:
        return self.attributes.get("interactive", "").lower() == "true"

    @property
    def background(self) -> bool:
        return self.attributes.get("background", "").lower() == "true"


@dataclass(frozen=True)
class Runbook:
    cells: list[Cell]
    shell: str = ""
    cwd: str = ""


def load_runbook(path: Path) -> Runbook:
    """Code cells (in document order, with Runme names) and the frontmatter's `shell` and `cwd`.

    Read with `fenced.document`, so the terminal sees exactly the cells the notebook editor shows
    (nested fences in lists and quotes included; ignored and `transform=false` blocks excluded).
    """
    from fenced.document import loads

    nb = loads(path.read_bytes().decode("utf-8"))
    shell = cwd = ""
    fm = nb.frontmatter
    if fm is not None and fm.valid:
        shell = str(fm.shell or "")
        cwd = str(fm.cwd or "")
    cells = [
        Cell(c.name, c.language, c.source, dict(c.attributes), c.line or 0)
        for c in nb.cells
        if c.kind == "code"
    ]
    return Runbook(cells, shell, cwd)


def register(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run cells of a local runbook on a runner",
        description=(
            "Run cells of a local Markdown runbook on a Fenced runner, streaming their output to this "
            "terminal. Cells run in document order in one session, so exported variables and `cd` carry "
            "over. Stops at the first failing cell and exits with its status."
        ),
    )
    p.add_argument("file", type=Path, help="the runbook (Markdown)")
    p.add_argument("cells", nargs="*", metavar="CELL", help="names of the cells to run, in this order")
    p.add_argument(
        "--runner",
        default=os.environ.get("FENCED_RUNNER_URL", "http://127.0.0.1:8765"),
        help="runner base URL (default: $FENCED_RUNNER_URL or http://127.0.0.1:8765)",
    )
    p.add_argument(
        "--token",
        default=os.environ.get("FENCED_RUNNER_TOKEN"),
        help="the runner's bearer token (default: $FENCED_RUNNER_TOKEN)",
    )
    p.add_argument("--all", action="store_true", help="run every cell of the file, in order")
    p.add_argument("--list", action="store_true", help="list the cells (name, language, line) and exit")
    p.add_argument(
        "--cwd",
        help="starting directory on the runner (default: the runbook's directory when the "
        "runner is on loopback, else the runner's own)",
    )
    p.add_argument("--keep-going", action="store_true", help="run the remaining cells after one fails")
    p.set_defaults(handler=run)


def _is_loopback(host: str) -> bool:
    """Same machine, so the runbook's own directory exists on the runner too."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _list(book: Runbook) -> int:
    width = max((len(c.name) for c in book.cells), default=4)
    for cell in book.cells:
        print(f"{cell.name:<{width}}  {cell.language or '-':<10} line {cell.line}")
    return 0


def _select(book: Runbook, names: list[str], run_all: bool) -> list[Cell]:
    if run_all:
        return book.cells
    by_name = {c.name: c for c in book.cells}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise SystemExit(f"fenced run: no cell named {', '.join(missing)} (see --list)")
    return [by_name[n] for n in names]


def run(args: argparse.Namespace) -> int:
    import asyncio

    book = load_runbook(args.file)
    if args.list:
        return _list(book)
    if not args.cells and not args.all:
        raise SystemExit("fenced run: name the cells to run, or pass --all (see --list)")
    cells = _select(book, args.cells, args.all)
    return asyncio.run(_run_cells(args, book, cells))


async def _run_cells(args: argparse.Namespace, book: Runbook, cells: list[Cell]) -> int:
    from urllib.parse import urlsplit

    from fenced.connect import ConnectError, RunnerClient

    directory = args.cwd or ""
    if not directory and _is_loopback(urlsplit(args.runner).hostname or ""):
        directory = str(args.file.resolve().parent)
    if book.cwd:
        directory = os.path.join(directory, book.cwd) if directory else book.cwd
    status = 0
    async with RunnerClient(args.runner, args.token) as client:
        try:
            session = await client.create_session(directory=directory, shell=book.shell)
        except ConnectError as exc:
            print(f"fenced run: {args.runner}: {exc}", file=sys.stderr)
            return 2
        try:
            for cell in cells:
                code = await _run_cell(client, session.id, cell)
                if code != 0:
                    print(f"fenced run: cell {cell.name!r} failed with exit status {code}", file=sys.stderr)
                    status = status or code
                    if not args.keep_going:
                        break
        finally:
            await client.delete_session(session.id)
    return status


async def _run_cell(client: Any, session_id: str, cell: Cell) -> int:
    from fenced.connect import Program

    program = Program(
        script=cell.source,
        language_id=cell.language,
        directory=cell.attributes.get("cwd", ""),
        interactive=cell.interactive,
        known_name=cell.name,
        known_id=cell.attributes.get("id", ""),
    )
    if sys.stderr.isatty():
        print(f"\033[2m▶ {cell.name}\033[0m", file=sys.stderr, flush=True)
    code: int | None = None
    # fenced.connect's one resume loop: a dropped connection is resumed without losing output.
    async for event in client.execute(program, session_id=session_id):
        if event.output is not None:
            out = sys.stdout.buffer if event.output.stream == "stdout" else sys.stderr.buffer
            out.write(event.output.data)
            out.flush()
        elif event.truncated is not None:
            print(f"fenced run: output of {cell.name!r} was truncated", file=sys.stderr)
        elif event.warning is not None:
            print(f"fenced run: warning, cell {cell.name!r}: {event.warning.message}", file=sys.stderr)
        elif event.exited is not None:
            code = event.exited.exit_code
    return 1 if code is None else code
