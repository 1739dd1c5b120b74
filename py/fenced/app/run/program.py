"""What the runner is asked to run for a cell: Runme's cell and frontmatter settings as a `Program`.

Pure (no `js`): the rules are unit-tested under CPython. Runme's conventions: `interactive` defaults to
true (a PTY), `background` cells do not block Run all, the cell's `interpreter` (with arguments) beats
its language, the cell's `cwd` is relative to the session's directory, and the frontmatter's `shell`
and `cwd` set up the session. Shell lines copied from a terminal (`$ ls`) lose their `$ ` prompt.
Which cells can run at all is `fenced.document.runnable`'s rule, shared with `fenced run`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fenced.connect import Program
from fenced.document.runnable import (
    RUNNABLE_LANGUAGES,
    SHELL_LANGUAGES,
    flag,
    run_spec,
    script_of,
    why_not_runnable,
)

# The language rules are the document's (shared with the CLI): re-exported for this room's callers.
__all__ = [
    "RUNNABLE_LANGUAGES",
    "SHELL_LANGUAGES",
    "SessionSpec",
    "flag",
    "max_rows",
    "program_for",
    "runnable",
    "script_of",
    "session_spec",
]


@dataclass(frozen=True)
class SessionSpec:
    """How to create the notebook's session on the runner (from the frontmatter)."""

    shell: str = ""
    directory: str = ""


def session_spec(frontmatter: Any) -> SessionSpec:
    if frontmatter is None or not getattr(frontmatter, "valid", False):
        return SessionSpec()
    return SessionSpec(shell=frontmatter.shell.strip(), directory=frontmatter.cwd.strip())


def runnable(language: str, interpreter: str) -> str:
    """ "" when the cell can run, else why not (the shared rule: `fenced.document.runnable`)."""
    return why_not_runnable(language, interpreter)


def program_for(
    source: str,
    language: str,
    attributes: Mapping[str, str],
    *,
    name: str = "",
    script: str | None = None,
    env: Mapping[str, str] | None = None,
    secret_names: Sequence[str] = (),
    mask_values: Sequence[str] = (),
) -> Program:
    """The Program for a code cell (`fenced.document.runnable.run_spec`, shared with `fenced run`)."""
    spec = run_spec(source, language, attributes, name=name, script=script)
    return Program(
        script=spec.script,
        program_name=spec.program_name,
        arguments=spec.arguments,
        directory=spec.directory,
        language_id=spec.language,
        env=dict(env or {}),
        interactive=spec.interactive,
        background=spec.background,
        known_id=spec.known_id,
        known_name=spec.known_name,
        secret_names=tuple(secret_names),
        mask_values=tuple(mask_values),
    )


def max_rows(attributes: Mapping[str, str], frontmatter: Any = None, default: int = 16) -> int:
    """Terminal height: the cell's `terminalRows`, else the frontmatter's, else `default`."""
    for value in (attributes.get("terminalRows"), _fm_rows(frontmatter)):
        try:
            rows = int(str(value).strip())
        except (TypeError, ValueError):
            continue
        if rows > 0:
            return min(rows, 200)
    return default


def _fm_rows(frontmatter: Any) -> Any:
    if frontmatter is None or not getattr(frontmatter, "valid", False):
        return None
    return frontmatter.get("terminalRows")
