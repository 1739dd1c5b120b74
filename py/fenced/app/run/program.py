"""What the runner is asked to run for a cell: Runme's cell and frontmatter settings as a `Program`.

Pure (no `js`): the rules are unit-tested under CPython. Runme's conventions: `interactive` defaults to
true (a PTY), `background` cells do not block Run all, the cell's `interpreter` (with arguments) beats
its language, the cell's `cwd` is relative to the session's directory, and the frontmatter's `shell`
and `cwd` set up the session. Shell lines copied from a terminal (`$ ls`) lose their `$ ` prompt.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fenced.connect import Program

SHELL_LANGUAGES = frozenset({"", "sh", "bash", "zsh", "ksh", "shell", "shellscript", "console", "dash"})
# Languages the runner has an interpreter for (fenced.runner.shells.INTERPRETERS), plus shells.
RUNNABLE_LANGUAGES = SHELL_LANGUAGES | {
    "python",
    "py",
    "python3",
    "js",
    "javascript",
    "node",
    "ruby",
    "rb",
    "perl",
}
_PROMPT = re.compile(r"^([ \t]*)\$[ \t]", re.MULTILINE)


@dataclass(frozen=True)
class SessionSpec:
    """How to create the notebook's session on the runner (from the frontmatter)."""

    shell: str = ""
    directory: str = ""


def session_spec(frontmatter: Any) -> SessionSpec:
    if frontmatter is None or not getattr(frontmatter, "valid", False):
        return SessionSpec()
    return SessionSpec(shell=frontmatter.shell.strip(), directory=frontmatter.cwd.strip())


def script_of(source: str, language: str) -> str:
    """The script to run: for shell cells, `$ cmd` lines become `cmd` (Runme strips the prompt)."""
    if language.lower() in SHELL_LANGUAGES and "$" in source:
        return _PROMPT.sub(r"\1", source)
    return source


def runnable(language: str, interpreter: str) -> str:
    """ "" when the cell can run, else why not."""
    if interpreter.strip() or language.lower() in RUNNABLE_LANGUAGES:
        return ""
    return f"Fenced does not know how to run {language} cells: set the cell's interpreter attribute."


def program_for(
    source: str,
    language: str,
    attributes: Mapping[str, str],
    *,
    name: str = "",
    script: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Program:
    """The Program for a code cell; `script` overrides the source (e.g. with prompt answers applied)."""
    interpreter = attributes.get("interpreter", "").strip()
    program_name = ""
    arguments: tuple[str, ...] = ()
    if interpreter:
        try:
            parts = shlex.split(interpreter)
        except ValueError:
            parts = interpreter.split()
        if parts:
            program_name, arguments = parts[0], tuple(parts[1:])
    return Program(
        script=script if script is not None else script_of(source, language),
        program_name=program_name,
        arguments=arguments,
        directory=attributes.get("cwd", "").strip(),
        language_id=language,
        env=dict(env or {}),
        interactive=flag(attributes.get("interactive"), True),
        background=flag(attributes.get("background"), False),
        known_id=attributes.get("id", ""),
        known_name=name,
    )


def flag(value: str | None, default: bool) -> bool:
    """Runme's booleans (Go's ParseBool; anything else is the default)."""
    text = (value or "").strip().lower()
    if text in ("1", "t", "true", "yes"):
        return True
    if text in ("0", "f", "false", "no"):
        return False
    return default


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
