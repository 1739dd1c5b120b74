"""Which code cells can run, and which ones Run all runs: one rule for the browser and the CLI.

Every fenced block is a code cell (Runme's rule, which the goldens check), but not every code cell is a
step: a ```` ```json ```` block is documentation, and a ```` ```text ```` block after a command is the
output the author saw. A cell is

- **runnable** when it names an ``interpreter``, or its language is a shell (Runme's ``sh``, ``bash``,
  ``zsh``... and no language at all, which Runme runs as shell) or one the runner has an interpreter for
  (``python``, ``js``, ``ruby``, ``perl``: ``fenced.runner.shells.INTERPRETERS``, a test keeps the two
  in step);
- a **sample** when its language says it is output or a terminal transcript (``text``, ``plaintext``,
  ``output``, ``console``...): shown as text, never run, never listed as a cell to run. ``console`` is a
  sample because it is GitHub's name for a shell *session* (``$ cmd`` lines mixed with their output):
  running it would run the output; Runme does not treat it as a shell either;
- **other** for any other language (``json``, ``yaml``, ``go``...): not runnable without an interpreter.

Run all (the browser's button, ``fenced run --all``) runs the runnable cells in order except those marked
``excludeFromRunAll``, as Runme does. A cell named explicitly still runs when it is excluded from Run all.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cell import Cell
    from .notebook import Notebook

SHELL_LANGUAGES = frozenset({"", "sh", "bash", "zsh", "ksh", "shell", "shellscript", "dash"})
# Languages the runner has an interpreter for (fenced.runner.shells.INTERPRETERS).
INTERPRETED_LANGUAGES = frozenset(
    {"python", "py", "python3", "js", "javascript", "node", "ruby", "rb", "perl"}
)
RUNNABLE_LANGUAGES = SHELL_LANGUAGES | INTERPRETED_LANGUAGES
SAMPLE_LANGUAGES = frozenset(
    {
        "text",
        "txt",
        "plaintext",
        "plain",
        "output",
        "out",
        "log",
        "console",
        "terminal",
        "shell-session",
        "shellsession",
        "sh-session",
    }
)
_PROMPT = re.compile(r"^([ \t]*)\$[ \t]", re.MULTILINE)


class Role(Enum):
    """What a code cell is for."""

    RUNNABLE = "runnable"
    SAMPLE = "sample"
    OTHER = "other"


def role(language: str, interpreter: str = "") -> Role:
    """The cell's role from its language and ``interpreter`` attribute (an interpreter makes anything run)."""
    if interpreter.strip():
        return Role.RUNNABLE
    lang = language.strip().lower()
    if lang in RUNNABLE_LANGUAGES:
        return Role.RUNNABLE
    if lang in SAMPLE_LANGUAGES:
        return Role.SAMPLE
    return Role.OTHER


def is_shell(language: str) -> bool:
    return language.strip().lower() in SHELL_LANGUAGES


def why_not_runnable(language: str, interpreter: str = "") -> str:
    """``""`` when a cell with this language and interpreter can run, else a sentence saying why not."""
    kind = role(language, interpreter)
    if kind is Role.RUNNABLE:
        return ""
    if kind is Role.SAMPLE:
        return (
            f"This is a {language} block (sample output), not a command: Fenced does not run it. "
            "Set the cell's interpreter attribute to run it anyway."
        )
    return f"Fenced does not know how to run {language} cells: set the cell's interpreter attribute."


def cell_role(cell: Cell) -> Role | None:
    """The role of a code cell; ``None`` for a markdown cell."""
    if cell.kind != "code":
        return None
    return role(cell.language, cell.interpreter)


def is_runnable(cell: Cell) -> bool:
    return cell_role(cell) is Role.RUNNABLE


def in_run_all(cell: Cell) -> bool:
    """True when Run all runs this cell: runnable and not ``excludeFromRunAll``."""
    return is_runnable(cell) and not cell.exclude_from_run_all


def run_all_cells(nb: Notebook) -> list[Cell]:
    """The cells Run all runs, in document order."""
    return [c for c in nb.cells if in_run_all(c)]


def script_of(source: str, language: str) -> str:
    """The script to run: for shell cells, ``$ cmd`` lines become ``cmd`` (Runme strips the prompt)."""
    if is_shell(language) and "$" in source:
        return _PROMPT.sub(r"\1", source)
    return source


def flag(value: Any, default: bool) -> bool:
    """Runme's booleans (Go's ParseBool, any case); anything else is the default."""
    text = str(value if value is not None else "").strip().lower()
    if text in ("1", "t", "true", "yes"):
        return True
    if text in ("0", "f", "false", "no"):
        return False
    return default


@dataclass(frozen=True)
class RunSpec:
    """How a cell runs, in Runme's terms (the runner's `ProgramConfig` without the wire)."""

    script: str
    language: str
    program_name: str = ""  # from the `interpreter` attribute (first word); "" = by language/shell
    arguments: tuple[str, ...] = ()
    directory: str = ""  # the cell's `cwd`, relative to the session's directory
    interactive: bool = True  # Runme's default: a terminal
    background: bool = False
    known_id: str = ""
    known_name: str = ""


def run_spec(
    source: str, language: str, attributes: Mapping[str, str], *, name: str = "", script: str | None = None
) -> RunSpec:
    """A cell's run settings: `interactive` defaults to true, `background` to false, the `interpreter`
    (with arguments) beats the language, ``$ `` prompts are stripped from shell code; `script` overrides
    the source (e.g. with prompt answers applied)."""
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
    return RunSpec(
        script=script if script is not None else script_of(source, language),
        language=language,
        program_name=program_name,
        arguments=arguments,
        directory=attributes.get("cwd", "").strip(),
        interactive=flag(attributes.get("interactive"), True),
        background=flag(attributes.get("background"), False),
        known_id=attributes.get("id", ""),
        known_name=name,
    )
