"""Runme's `promptEnv`: which `export NAME=…` lines of a cell ask the user for a value before it runs.

Runme looks at top-level `export NAME=VALUE` lines (a `$ ` prompt prefix allowed). Fenced asks for a
value when VALUE is *empty* (`export NAME=`, `export NAME=""`) or a *placeholder*: an angle-bracketed
hint (`export NAME="<your name>"`, `export NAME="[Enter your name]"`) or a default of the variable itself (`${NAME:-}`, `${NAME:-x}`).
Ordinary values (`export FOO=1`) are only asked for when the cell says `promptEnv: yes`, and expressions
(`$(cmd)`, `$OTHER`) never are, because the shell computes them.

Modes (cell attribute `promptEnv`, Runme's spellings): auto (default, also `""`) asks for empty and
placeholder values not answered earlier in the session; yes/true/always asks for every literal value
(prefilled); no/false/never asks nothing. Frontmatter `skipPrompts: true` turns prompts off for the
whole document. Answers are applied by rewriting the export line (`export NAME='answer'`), as Runme does.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

AUTO = "auto"
ALWAYS = "always"
NEVER = "never"

EMPTY = "empty"  # no value: ask with nothing prefilled
PLACEHOLDER = "placeholder"  # a hint or self-default: ask, the hint shown
LITERAL = "literal"  # an ordinary value: asked only in ALWAYS mode
EXPRESSION = "expression"  # computed by the shell: never asked

_EXPORT = re.compile(
    r"^(?P<lead>[ \t]*(?:\$[ \t]+)?)export[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*?)[ \t]*$"
)
_SELF_DEFAULT = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?-(?P<default>[^}$`]*)\}$")
_BLOCK = re.compile(r"^(?:function\s+[A-Za-z_][\w:-]*\s*(?:\(\))?|[A-Za-z_][\w:-]*\s*\(\))\s*\{?|^\{$")
_ANGLE = re.compile(r"^<[^<>]*>$")
# `[Enter your project]`, `[your-project-id]`: a hint in square brackets (a word first, so that JSON
# arrays such as `["a"]` or `[1,2]` stay values).
_BRACKET = re.compile(r"^\[[A-Za-z][\w .,:/'()-]*\]$")
# Names whose values are secrets (asked without echo; issue 15 keeps them out of saved outputs).
_SECRET = re.compile(r"PASSWORD|SECRET|TOKEN|CREDENTIAL|_KEY$", re.IGNORECASE)
_TRUE = frozenset({"yes", "true", "1", "always", "t", "y", "on"})
_FALSE = frozenset({"no", "false", "0", "never", "f", "n", "off"})


@dataclass(frozen=True)
class Export:
    """One `export NAME=VALUE` line of a script."""

    line: int  # index of the line in the script
    name: str
    raw: str  # VALUE as written
    kind: str  # EMPTY | PLACEHOLDER | LITERAL | EXPRESSION
    value: str  # the literal value, the placeholder hint or the default ("" for EMPTY/EXPRESSION)


@dataclass(frozen=True)
class Prompt:
    """A value to ask for: `placeholder` is shown as a hint, `default` prefilled."""

    name: str
    placeholder: str
    default: str

    @property
    def secret(self) -> bool:
        """Ask without showing what is typed (see `is_secret`)."""
        return is_secret(self.name)


def is_secret(name: str) -> bool:
    """A variable holds a secret when its name matches `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*_KEY` or
    `*CREDENTIAL*` (any case): its value is asked without echo and never printed."""
    return bool(_SECRET.search(name))


def parse_mode(value: object) -> str:
    """`promptEnv` as written (str, bool or None) -> AUTO, ALWAYS or NEVER (junk reads as AUTO)."""
    if isinstance(value, bool):
        return ALWAYS if value else NEVER
    text = str(value or "").strip().lower()
    if text in _TRUE:
        return ALWAYS
    if text in _FALSE:
        return NEVER
    return AUTO


def _unquote(raw: str) -> tuple[str, bool] | None:
    """(content, was double-quoted) for a value that is one quoted word or a plain word; None otherwise."""
    if len(raw) >= 2 and raw[0] == raw[-1] == "'" and "'" not in raw[1:-1]:
        return raw[1:-1], False
    if len(raw) >= 2 and raw[0] == raw[-1] == '"' and not re.search(r'(?<!\\)"', raw[1:-1]):
        return raw[1:-1], True
    if raw and not re.search(r"[\s'\"\\;&|<>()]", raw):
        return raw, True  # unquoted: expansions still apply, like inside double quotes
    if _ANGLE.match(raw) or _BRACKET.match(raw):
        return raw, False  # export NAME=<hint> is not valid shell, but clearly a placeholder
    return None


def classify(name: str, raw: str) -> tuple[str, str]:
    """(kind, value) of an export's VALUE; see the module docstring."""
    raw = _strip_comment(raw.strip())
    if raw in ("", '""', "''"):
        return EMPTY, ""
    unquoted = _unquote(raw)
    if unquoted is None:
        return EXPRESSION, ""
    content, expands = unquoted
    if expands:
        self_default = _SELF_DEFAULT.match(content)
        if self_default and self_default.group("name") == name:
            return PLACEHOLDER, self_default.group("default")
        if "$" in content or "`" in content:
            return EXPRESSION, ""
    if _ANGLE.match(content.strip()) or _BRACKET.match(content.strip()):
        return PLACEHOLDER, content.strip()
    if content == "":
        return EMPTY, ""
    return LITERAL, content


def _strip_comment(raw: str) -> str:
    """`value # note` -> `value` (only a `#` after whitespace starts a comment, as in sh)."""
    m = re.search(r"\s#", raw)
    if m and not _inside_quotes(raw, m.start()):
        return raw[: m.start()].rstrip()
    return raw


def _inside_quotes(text: str, pos: int) -> bool:
    quote = ""
    for ch in text[:pos]:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
    return bool(quote)


def find_exports(script: str) -> list[Export]:
    """Every `export NAME=VALUE` line that stands alone (not inside a here-document or function body)."""
    out: list[Export] = []
    depth = 0
    heredoc: str | None = None
    for i, line in enumerate(script.split("\n")):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        doc = re.search(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", line)
        if doc:
            heredoc = doc.group(1)
        if depth == 0:
            m = _EXPORT.match(line)
            if m and not doc:
                kind, value = classify(m.group("name"), m.group("value"))
                out.append(Export(i, m.group("name"), m.group("value"), kind, value))
        if depth or _BLOCK.match(line.strip()):  # function bodies: their exports run only when called
            depth = max(0, depth + line.count("{") - line.count("}"))
    return out


def prompts_for(
    script: str, mode: str = AUTO, *, skip_prompts: bool = False, answered: Mapping[str, str] | None = None
) -> list[Prompt]:
    """What to ask before running `script` (one prompt per name, first occurrence)."""
    if skip_prompts or mode == NEVER:
        return []
    answered = answered or {}
    seen: set[str] = set()
    out: list[Prompt] = []
    for export in find_exports(script):
        if export.name in seen or export.kind == EXPRESSION:
            continue
        if mode == AUTO and (export.kind == LITERAL or export.name in answered):
            continue
        seen.add(export.name)
        hint = export.value if export.kind == PLACEHOLDER else ""
        default = answered.get(export.name, export.value if export.kind == LITERAL else "")
        if export.kind == PLACEHOLDER and not _is_hint(export.value) and export.name not in answered:
            default = export.value  # ${NAME:-x}: x is a real default
        out.append(Prompt(export.name, hint, default))
    return out


def _is_hint(value: str) -> bool:
    return bool(_ANGLE.match(value) or _BRACKET.match(value))


def apply_answers(script: str, answers: Mapping[str, str], *, known: Mapping[str, str] | None = None) -> str:
    """Rewrite the export lines of answered names to `export NAME='answer'`.

    `known` are answers from earlier in the session: in auto mode their lines are not prompted again,
    but an empty or placeholder line must still not clobber the value, so it is rewritten too.
    """
    merged = {**(known or {}), **answers}
    if not merged:
        return script
    lines = script.split("\n")
    for export in find_exports(script):
        if export.name not in merged:
            continue
        if export.name not in answers and export.kind not in (EMPTY, PLACEHOLDER):
            continue  # a real value in the script wins over an old answer
        m = _EXPORT.match(lines[export.line])
        assert m is not None
        lines[export.line] = f"{m.group('lead')}export {export.name}={shlex.quote(merged[export.name])}"
    return "\n".join(lines)
