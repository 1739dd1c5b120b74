"""Which variables hold secrets: their names, the runbook's frontmatter, and an env spec next to it.

A variable is secret when

- its name matches a secret pattern (:func:`fenced.document.prompts.is_secret`: ``*PASSWORD*``,
  ``*SECRET*``, ``*TOKEN*``, ``*_KEY``, ``*CREDENTIAL*``, any case), or
- the frontmatter lists it under ``secrets`` (a list, or one comma-separated string, of names or
  shell-style globs such as ``VAULT_*``), or
- the runbook's folder has an env spec, ``.env.example`` in the format of Runme's owl store, that marks
  it ``# Secret``, ``# Password`` or ``# JWT`` (``!`` = required), e.g.
  ``POSTGRES_PASSWORD=Password for the postgres user # Password!``.

A name the env spec marks ``# Plain`` is not secret even when its name matches a pattern
(``TOKEN_COUNT=... # Plain!``): the spec is reviewed with the runbook and knows better than a guess by
name. The frontmatter's list wins over the spec. The value of a secret is asked without echo, kept in
memory only, and masked in output (:mod:`fenced.document.redact`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .prompts import is_secret as secret_by_name

if TYPE_CHECKING:
    from .frontmatter import Frontmatter

ENV_SPEC_FILE = ".env.example"
FRONTMATTER_KEY = "secrets"
SECRET_KINDS = frozenset({"Secret", "Password", "JWT"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_GLOB = re.compile(r"^[A-Za-z0-9_*?\[\]!-]+$")
# `[export ]NAME=description # Kind[!]` or `# Kind(args)[!]`
_SPEC_LINE = re.compile(
    r"^\s*(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<description>.*?)"
    r"\s#\s*(?P<kind>[A-Za-z]+)(?P<args>\(.*\))?(?P<required>!)?\s*$"
)


@dataclass(frozen=True)
class SpecEntry:
    """One variable of an env spec."""

    name: str
    description: str
    kind: str  # Secret, Password, JWT, Plain, Opaque, Regex...
    required: bool

    @property
    def secret(self) -> bool:
        return self.kind in SECRET_KINDS


def parse_env_spec(text: str) -> list[SpecEntry]:
    """The entries of an owl env spec (``.env.example``); lines without a ``# Kind`` comment are skipped."""
    out: list[SpecEntry] = []
    for line in text.splitlines():
        m = _SPEC_LINE.match(line)
        if m:
            kind = m.group("kind")
            kind = kind[:1].upper() + kind[1:] if kind.upper() != "JWT" else "JWT"
            description = m.group("description").strip().strip("\"'")
            out.append(SpecEntry(m.group("name"), description, kind, bool(m.group("required"))))
    return out


@dataclass(frozen=True)
class SecretNames:
    """The secret-name rule of one runbook (see the module docstring)."""

    declared: frozenset[str] = frozenset()  # names the frontmatter or the spec make secret
    globs: tuple[str, ...] = ()  # frontmatter globs
    plain: frozenset[str] = frozenset()  # names the spec says are not secret
    problems: tuple[str, ...] = ()  # what could not be read, as sentences

    def is_secret(self, name: str) -> bool:
        if name in self.declared or any(fnmatch.fnmatchcase(name, g) for g in self.globs):
            return True
        return name not in self.plain and secret_by_name(name)

    def of(self, names: Iterable[str]) -> list[str]:
        """The secret ones among `names`, in order."""
        return [n for n in names if self.is_secret(n)]


def frontmatter_secrets(fm: Frontmatter | None) -> tuple[list[str], list[str], list[str]]:
    """(names, globs, problems) from the frontmatter's ``secrets`` key."""
    if fm is None or not fm.valid or FRONTMATTER_KEY not in fm:
        return [], [], []
    value = fm.get(FRONTMATTER_KEY)
    if isinstance(value, str):
        items: list[object] = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return [], [], [f"The frontmatter's `{FRONTMATTER_KEY}` must be a list of variable names."]
    names: list[str] = []
    globs: list[str] = []
    bad: list[str] = []
    for item in items:
        text = str(item).strip() if isinstance(item, (str, int)) else ""
        if _NAME.match(text):
            names.append(text)
        elif text and _GLOB.match(text):
            globs.append(text)
        else:
            bad.append(repr(item))
    problems = [
        f"The frontmatter's `{FRONTMATTER_KEY}` has entries that are not variable names: {', '.join(bad)}."
    ]
    return names, globs, problems if bad else []


def secret_names(fm: Frontmatter | None, env_spec: str | None = None) -> SecretNames:
    """The rule for a runbook with frontmatter `fm` and, if its folder has one, the env spec's text."""
    names, globs, problems = frontmatter_secrets(fm)
    entries = parse_env_spec(env_spec) if env_spec else []
    declared = {e.name for e in entries if e.secret} | set(names)
    plain = {e.name for e in entries if e.kind == "Plain"} - declared
    return SecretNames(frozenset(declared), tuple(globs), frozenset(plain), tuple(problems))
