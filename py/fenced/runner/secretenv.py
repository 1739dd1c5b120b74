"""Which variables a cell exported are secret: the runner tells the client their values, never logs them.

At the end of an execution the runner compares the session's environment before and after it: a
variable the cell set or changed whose name is secret (`fenced.document.prompts.is_secret`'s patterns, or
a name the client declared secret in `ProgramConfig.secret_names`: the runbook's frontmatter and env
spec; an entry with `*`, `?` or `[` is a shell-style glob, as the frontmatter's `secrets` allows) is reported with its value in the `Exited` event, so that the clients watching the session (who
started the cell) can mask it in this and later output. Variables the runner itself had (its own
environment) are never reported: a reviewed-only runner's host secrets stay on the host.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping

from fenced.document.prompts import is_secret


def secret_changes(
    before: Mapping[str, str], after: Mapping[str, str], declared: Iterable[str] = ()
) -> dict[str, str]:
    """{name: value} of the secret variables that are new or changed in `after`."""
    names = frozenset(declared)
    globs = [n for n in names if any(c in n for c in "*?[")]
    return {
        name: value
        for name, value in after.items()
        if before.get(name) != value
        and (name in names or is_secret(name) or any(fnmatch.fnmatchcase(name, g) for g in globs))
    }
