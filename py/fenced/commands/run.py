"""`fenced run FILE [CELL ...]`: run cells of a local runbook on a runner, streaming their output.

The argparse shell over `fenced.commands.running` (selection, prompts, config, the terminal, the
runner session, the report); the rules shared with the browser are `fenced.document`'s. Everything
heavy is imported inside the handler, so `fenced --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

USAGE = """fenced run [options] FILE CELL [CELL ...]
       fenced run [options] FILE --all | --filter REGEX | --tag TAG
       fenced run FILE --list
       fenced run --history [FILE] | --clear-history"""

DESCRIPTION = """\
Run cells of a local Markdown runbook (Runme format) on a Fenced runner, streaming their output to this
terminal. Cells run in the order given (or in document order) in one session, so exported variables and
`cd` carry over. The first failing cell stops the run (see --keep-going).

Cells are named as Runme names them (the `name` attribute, else from the first command); a cell whose
Runme name is empty or punctuation only is called cell-N (its position among the code cells). Blocks of
sample output (```text, ```plaintext, ```output, ```console) and data blocks (```json...) are not cells to
run. --all runs what the browser's Run all runs: every runnable cell not marked excludeFromRunAll.

Interactive cells (Runme's default) run on a terminal on the runner when stdin is a terminal: what you
type goes to the cell; Ctrl+C stops the cell on the runner. Piped stdin is sent to the cells, then
end-of-file. Values a cell prompts for (`export NAME="[Enter ...]"`, promptEnv) are asked on the terminal
(secret names such as *TOKEN* or *PASSWORD* without echo), or given with --env NAME=VALUE.

Secrets stay out of what is printed: values of secret variables (answers to prompts and --env values
for names like *TOKEN*, *PASSWORD*, *SECRET*, *_KEY, *CREDENTIAL*, the frontmatter's `secrets`, entries
marked # Secret or # Password in a .env.example next to the runbook; variables with such names a cell
exports) are shown as ••••. Every execution is recorded in the run history
($XDG_STATE_HOME/fenced/history.jsonl: cell, runbook, runner, start, duration, exit code, first and
last lines of output, secrets masked); --history prints it."""

EPILOG = """\
runner and token (the first that sets each wins):
  1. --runner, --token, --token-file
  2. the profile named by --profile or $FENCED_PROFILE
  3. $FENCED_RUNNER_URL, $FENCED_RUNNER_TOKEN, $FENCED_RUNNER_TOKEN_FILE
     (or $FENCED_RUNNER, $FENCED_TOKEN, $FENCED_TOKEN_FILE)
  4. the config file's default profile and top-level keys
  5. http://127.0.0.1:8765 without a token
  The config file is --config FILE, else $FENCED_CONFIG, else $XDG_CONFIG_HOME/fenced/config.toml
  (~/.config/fenced/config.toml):
      profile = "local"                      # the default profile
      [profiles.local]
      runner = "http://127.0.0.1:8765"
      token_file = "~/.config/fenced/local.token"
      [profiles.staging]
      runner = "https://runner.staging.example.com"
      token_env = "STAGING_RUNNER_TOKEN"
  The token is never printed; prefer a token file or the environment to --token (visible in `ps`).

Exit status:
  0 every cell succeeded; N the exit status of the first failing cell; 2 usage, file, config or runner
  errors; 130 interrupted (Ctrl+C), 143 terminated (SIGTERM), 129 hung up (SIGHUP).

Examples:
  fenced run README.md --list
  fenced run README.md setup deploy
  fenced run docs/install.md --all --env PROJECT_ID=my-project
  fenced run runbook.md --tag cleanup --dry-run"""


@dataclass(frozen=True)
class Cell:
    """A code cell as `load_runbook` returns it (the API before `fenced.commands.running`)."""

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
    """Code cells (document order, Runme names) and the frontmatter's `shell` and `cwd`; kept for callers
    of the earlier API (`fenced run` itself uses `running.book.load`, with usable names and roles)."""
    from .running.book import load

    book = load(path)
    cells = [
        Cell(e.runme_name, e.cell.language, e.cell.source, dict(e.cell.attributes), e.cell.line or 0)
        for e in book.entries
    ]
    return Runbook(cells, book.shell, book.cwd)


def register(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run cells of a local runbook on a runner",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", type=Path, nargs="?", metavar="FILE", help="the runbook (Markdown or MDX)")
    p.add_argument("cells", nargs="*", metavar="CELL", help="names of the cells to run, in this order")
    pick = p.add_argument_group("which cells")
    pick.add_argument("--all", action="store_true", help="run what Run all runs, in document order")
    pick.add_argument(
        "--filter", metavar="REGEX", help="run the cells Run all runs whose name matches REGEX (searched)"
    )
    pick.add_argument(
        "--tag",
        dest="tags",
        action="append",
        default=[],
        metavar="TAG",
        help="run the cells Run all runs tagged TAG (Runme's tag/category attributes; repeat or TAG,TAG)",
    )
    pick.add_argument(
        "--category", dest="tags", action="append", metavar="TAG", help="the same as --tag (Runme's old name)"
    )
    pick.add_argument(
        "--list", action="store_true", help="list the runnable cells (name, language, line, flags)"
    )
    past = p.add_argument_group("run history")
    past.add_argument(
        "--history",
        action="store_true",
        help="print the executions `fenced run` recorded (of FILE only, when given) and exit",
    )
    past.add_argument("--clear-history", action="store_true", help="delete the run history and exit")
    past.add_argument("--no-history", action="store_true", help="do not record this run in the history")
    how = p.add_argument_group("how they run")
    how.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set NAME in the session's environment and answer its prompt (repeatable; for CI)",
    )
    how.add_argument("-n", "--dry-run", action="store_true", help="print what would run, run nothing")
    how.add_argument(
        "-k", "--keep-going", action="store_true", help="run the remaining cells after one fails"
    )
    how.add_argument(
        "--cwd",
        help="starting directory on the runner (default: the runbook's directory when the "
        "runner is on loopback, else the runner's own)",
    )
    how.add_argument(
        "-t",
        "--tty",
        dest="tty",
        action="store_const",
        const=True,
        default=None,
        help="run interactive cells on a terminal even when stdin is not one",
    )
    how.add_argument(
        "-T",
        "--no-tty",
        dest="tty",
        action="store_const",
        const=False,
        help="never use a terminal on the runner (separate stdout and stderr)",
    )
    how.add_argument(
        "-q", "--quiet", action="store_true", help="no cell headers and no summary (errors still)"
    )
    where = p.add_argument_group("which runner")
    where.add_argument("--runner", metavar="URL", help="runner base URL (see 'runner and token' below)")
    where.add_argument("--token", help="the runner's bearer token (prefer --token-file or the environment)")
    where.add_argument("--token-file", metavar="FILE", help="read the runner's token from FILE")
    where.add_argument("--profile", metavar="NAME", help="use profile NAME of the config file")
    where.add_argument("--config", metavar="FILE", help="the config file (default: see below)")
    p.set_defaults(handler=run, parser=p)


def _is_loopback(host: str) -> bool:
    """Same machine, so the runbook's own directory exists on the runner too."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def session_directory(args: argparse.Namespace, url: str, book_cwd: str) -> str:
    from urllib.parse import urlsplit

    directory = args.cwd or ""
    if not directory and _is_loopback(urlsplit(url).hostname or ""):
        directory = str(args.file.resolve().parent)
    if book_cwd:
        directory = os.path.join(directory, book_cwd) if directory else book_cwd
    return directory


def run(args: argparse.Namespace) -> int:
    from .running.errors import INTERRUPTED, CliError

    try:
        return _run(args)
    except KeyboardInterrupt:  # before the run installs its own handling (while reading, resolving...)
        raise CliError("interrupted", INTERRUPTED) from None


def _run(args: argparse.Namespace) -> int:
    from fenced.document.catalog import tasks

    from .running import book as books
    from .running import config, execute, report
    from .running.prompts import Prompter, parse_env
    from .running.select import choose
    from .running.terminal import LocalTerminal

    if args.history or args.clear_history:
        return _history(args)
    if args.file is None:
        args.parser.error("name a runbook FILE (with CELL names, --all, --filter, --tag or --list)")
    env = parse_env(args.env)
    book = books.load(args.file)
    if args.list:
        report.print_out(report.cell_list(book, tasks(book.entries)))
        return 0
    entries = choose(book, args.cells, run_all=args.all, pattern=args.filter, tags=args.tags)
    target = config.resolve(
        runner=args.runner,
        token=args.token,
        token_file=args.token_file,
        profile=args.profile,
        config=args.config,
    )
    for warning in target.warnings:
        print(f"fenced run: warning: {warning}", file=sys.stderr)
    directory = session_directory(args, target.url, book.cwd)
    prompter = Prompter(env, can_ask=LocalTerminal().stdin_tty, secret=book.secret_names().is_secret)
    if args.dry_run:
        questions = prompter.questions(book, entries)
        text = report.dry_run(
            book, entries, questions, target=target.describe(), directory=directory, env_names=sorted(env)
        )
        report.print_out(text)
        return 0
    prompter.check_answerable(book, entries)
    if not entries:
        print(f"fenced run: {book.path}: no cell to run", file=sys.stderr)
        return 0
    from .running.history import HistoryFile, history_path

    options = execute.Options(
        keep_going=args.keep_going,
        quiet=args.quiet,
        tty=args.tty,
        env=env,
        directory=directory,
        history=None if args.no_history else HistoryFile(history_path()),
    )
    return execute.run(target, book, entries, options, prompter)


def _history(args: argparse.Namespace) -> int:
    """`--history [FILE]` prints the run history, `--clear-history` deletes it."""
    from .running.history import HistoryFile, format_records, history_path
    from .running.report import print_out

    history = HistoryFile(history_path())
    if args.clear_history:
        gone = history.clear()
        print(f"fenced run: {'cleared' if gone else 'no'} run history ({history.path})", file=sys.stderr)
        return 0
    records = history.read()
    if args.file is not None:
        wanted = str(args.file.resolve())
        records = [r for r in records if r.document == wanted]
    print_out(format_records(records))
    return 0
