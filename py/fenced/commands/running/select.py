"""From the command line's CELL names, --all, --filter and --tag to the cells to run (the rules are
`fenced.document.catalog.select`, which the browser shares)."""

from __future__ import annotations

from collections.abc import Sequence

from fenced.document.catalog import Entry, SelectionError, select

from .book import Runbook
from .errors import CliError


def choose(
    book: Runbook,
    names: Sequence[str],
    *,
    run_all: bool = False,
    pattern: str | None = None,
    tags: Sequence[str] = (),
) -> list[Entry]:
    """The cells to run, in order; raises `CliError` for a selection that names nothing runnable."""
    by_rule = run_all or pattern is not None or bool(tags)
    if names and by_rule:
        raise CliError("give cell names, or --all/--filter/--tag, not both")
    if not names and not by_rule:
        raise CliError(f"name the cells of {book.path} to run, or pass --all, --filter or --tag (see --list)")
    try:
        return select(book.entries, names, pattern=pattern, tags=tags)
    except SelectionError as exc:
        raise CliError(f"{book.path}: {exc}") from None
