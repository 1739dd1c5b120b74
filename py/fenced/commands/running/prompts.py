"""Runme's prompts (promptEnv) on the command line: answered by `--env NAME=VALUE`, else asked on the
terminal (without echo for secret names), else a clear error before anything runs.

Which export lines ask, and how answers rewrite them, is `fenced.document.prompts` (the browser's
rules); answers are remembered for the rest of the run, as the browser remembers them for its session.
Which names are secret is the runbook's rule (`fenced.document.secrets`: name patterns, the frontmatter's
`secrets`, a .env.example next to it); their answers are masked in output (`masking`).
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fenced.document.catalog import Entry
from fenced.document.prompts import NEVER, Prompt, apply_answers, is_secret, parse_mode, prompts_for
from fenced.document.runnable import is_shell, script_of

from .book import Runbook
from .errors import INTERRUPTED, CliError

Reader = Callable[[str, bool], str]  # (prompt text, secret?) -> the line typed


def parse_env(items: Sequence[str]) -> dict[str, str]:
    """`--env NAME=VALUE` flags as a dict (the last one wins)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not name.replace("_", "a").isalnum() or name[0].isdigit():
            raise CliError(f"--env {item!r}: expected NAME=VALUE with NAME a variable name")
        out[name] = value
    return out


def read_from_terminal(text: str, secret: bool) -> str:
    """One line from the terminal: typed without echo when `secret`."""
    if secret:
        return getpass.getpass(text, stream=sys.stderr)
    sys.stderr.write(text)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


@dataclass(frozen=True)
class Question:
    """A prompt of a cell and how it will be answered (for --dry-run and the no-terminal check)."""

    cell: str
    prompt: Prompt
    by_env: bool


class Prompter:
    """Holds the answers of this run: `--env` values first, then what was typed."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        can_ask: bool,
        reader: Reader = read_from_terminal,
        secret: Callable[[str], bool] = is_secret,
    ) -> None:
        self.env = dict(env)
        self.answers = dict(env)
        self.can_ask = can_ask
        self.reader = reader
        self.secret = secret

    def secret_answers(self) -> dict[str, str]:
        """The answers (and --env values) of secret variables, by name."""
        return {name: value for name, value in self.answers.items() if self.secret(name)}

    def _prompts(
        self, book: Runbook, entry: Entry, answered: Mapping[str, str]
    ) -> tuple[str, str, list[Prompt]]:
        """(script, mode, prompts) of a cell: only shell cells prompt, as in the browser."""
        cell = entry.cell
        script = script_of(cell.source, cell.language)
        if not is_shell(cell.language) or cell.interpreter.strip():
            return script, NEVER, []
        mode = parse_mode(cell.current_attributes().get("promptEnv"))
        return script, mode, prompts_for(script, mode, skip_prompts=book.skip_prompts, answered=answered)

    def questions(self, book: Runbook, entries: Sequence[Entry]) -> list[Question]:
        """Every value the run will need, in order, without asking (answers typed earlier count)."""
        answered = dict(self.answers)
        out = []
        for entry in entries:
            for prompt in self._prompts(book, entry, answered)[2]:
                out.append(Question(entry.name, prompt, prompt.name in self.env))
                answered.setdefault(prompt.name, "")
        return out

    def check_answerable(self, book: Runbook, entries: Sequence[Entry]) -> None:
        """Without a terminal, every prompt needs an `--env` answer: say which before running anything."""
        if self.can_ask:
            return
        missing = [q for q in self.questions(book, entries) if not q.by_env]
        if not missing:
            return
        names = ", ".join(f"{q.prompt.name} (cell {q.cell!r})" for q in missing)
        flags = " ".join(f"--env {q.prompt.name}=VALUE" for q in missing)
        raise CliError(f"{book.path}: needs values for {names} and stdin is not a terminal: pass {flags}")

    def script(self, book: Runbook, entry: Entry) -> str:
        """The cell's script with its prompts answered (asking on the terminal if needed)."""
        script, mode, prompts = self._prompts(book, entry, self.answers)
        answers = {p.name: self.env[p.name] for p in prompts if p.name in self.env}
        needed = [p for p in prompts if p.name not in self.env]
        if needed:
            answers.update(self._ask(entry.name, needed))
        self.answers.update(answers)
        if book.skip_prompts or mode == NEVER:
            return script
        return apply_answers(script, answers, known=self.answers)

    def _ask(self, cell: str, prompts: Sequence[Prompt]) -> dict[str, str]:
        if not self.can_ask:  # check_answerable said so already; kept for callers that skipped it
            raise CliError(f"cell {cell!r} needs {prompts[0].name} and stdin is not a terminal: pass --env")
        sys.stderr.write(f"Values for cell {cell!r}:\n")
        out = {}
        try:
            for prompt in prompts:
                secret = self.secret(prompt.name)
                typed = self.reader(question(prompt, secret=secret), secret)
                out[prompt.name] = typed if typed or not prompt.default else prompt.default
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise CliError("interrupted at a prompt: nothing ran", INTERRUPTED) from None
        except EOFError:
            sys.stderr.write("\n")
            raise CliError(f"no value for {prompt.name} (end of input)") from None
        return out


def question(prompt: Prompt, *, secret: bool | None = None) -> str:
    """`  NAME [hint] (default: x): `; a secret's default is not shown."""
    text = f"  {prompt.name}"
    if prompt.placeholder:
        text += f" {prompt.placeholder}"
    if prompt.default:
        hidden = prompt.secret if secret is None else secret
        text += " (default: ***)" if hidden else f" (default: {prompt.default})"
    return text + ": "
