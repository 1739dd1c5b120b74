"""Reviewed-only runners (`fenced runner --allow-runbooks DIR`): run a command only if a runbook has it.

A production runner can be limited to the cells of runbooks that went through review: DIR is a folder or
a git checkout (`.git` and other hidden folders, `node_modules` skipped) and every runnable code cell of
its Markdown files is allowed, read with `fenced.document` (the browser's and the CLI's rules: the
script is what `run_spec` sends, `$ ` prompts stripped). A `Start` (or `Execute`) runs only when its
script, normalised (line ends, leading and trailing blank lines), is such a cell's, with the cell's
interpreter and arguments, a language of the same kind (any shell for a shell cell) and the cell's
`cwd`. Answers to the cell's prompts may differ: a promptEnv line (`export NAME=` or a placeholder, or
any literal value with `promptEnv: yes`) may carry any single quoted literal, exactly as the clients
write answers (`export NAME='answer'`), never an expansion. Anything else is refused with
`permission_denied` and "this runner only runs reviewed runbooks: this cell differs from <file>#<cell>",
naming the most similar reviewed cell.

The files are looked at again on every check (a stat of each, bounded by `max_files`; only changed
files are read again), so an edit, an added file or a `git pull` counts at once, and a cell removed
from review is refused at once.

What it does not limit, by design (docs/production.md): input to a running cell (`SendInput`), since
reviewed runbooks legitimately ask for confirmations and passwords -- so a reviewed cell that opens a
shell or a REPL opens it to whoever runs it; the session's starting directory. A session's shell must
be a POSIX shell (a session shell is the program that runs every cell), and the environment a client
gives (`CreateSession`, `ProgramConfig.env`) may only set variables the reviewed runbooks ask for
(their promptEnv names, and the entries of an env spec next to them): anything else could change what
a reviewed command does (`BASH_ENV`, `LD_PRELOAD`, `BASH_FUNC_*`...). DIR should not be writable by the
runner's user, or a reviewed cell that writes files could write new "reviewed" runbooks.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fenced.document import loads
from fenced.document.catalog import catalog
from fenced.document.prompts import ALWAYS, EMPTY, LITERAL, PLACEHOLDER, find_exports, parse_mode
from fenced.document.runnable import INTERPRETED_LANGUAGES, Role, is_shell, run_spec
from fenced.document.secrets import ENV_SPEC_FILE, parse_env_spec

log = logging.getLogger("fenced.runner")

PREFIX = "this runner only runs reviewed runbooks"
RUNBOOK_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdx"})
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})
POSIX_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"})
MAX_FILES = 10_000
MAX_FILE_BYTES = 2 * 1024 * 1024
_EXPORT = re.compile(r"^(?P<lead>[ \t]*(?:\$[ \t]+)?)export[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)=")
# What shlex.quote writes: a safe bare word, or single-quoted text with ' written as '"'"'.
_QUOTED = re.compile(r"^(?:[\w@%+=:,./-]+|'[^']*(?:'\"'\"'[^']*)*')$")
_INTERPRETER_FAMILY = {
    "python": "python",
    "py": "python",
    "python3": "python",
    "js": "node",
    "javascript": "node",
    "node": "node",
    "ruby": "ruby",
    "rb": "ruby",
    "perl": "perl",
}


def normalize(script: str) -> str:
    """A script as compared: ``\\n`` line ends, no blank lines at its start or end."""
    lines = script.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def family(language: str) -> str:
    """Languages that run the same way: every shell is "shell", python/py/python3 are "python"..."""
    lang = language.strip().lower()
    if is_shell(lang):
        return "shell"
    return _INTERPRETER_FAMILY.get(lang, lang if lang in INTERPRETED_LANGUAGES else f"other:{lang}")


@dataclass(frozen=True)
class Request:
    """What a Start asks to run (the parts of `ProgramConfig` that decide what runs)."""

    script: str
    language: str = ""
    program_name: str = ""
    arguments: tuple[str, ...] = ()
    directory: str = ""
    env_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewedCell:
    where: str  # file#cell, as the refusal shows it
    script: str  # normalised
    language: str
    program_name: str
    arguments: tuple[str, ...]
    directory: str
    promptable: dict[int, tuple[str, str]]  # line -> (lead, name) of a promptEnv line

    def runs_like(self, request: Request) -> bool:
        return (
            self.program_name == request.program_name
            and self.arguments == tuple(request.arguments)
            and self.directory == request.directory.strip()
            and (bool(self.program_name) or family(self.language) == family(request.language))
        )

    def answers_of(self, lines: Sequence[str]) -> bool:
        """Whether `lines` are this cell's script with some of its promptEnv lines answered."""
        mine = self.script.split("\n")
        if len(mine) != len(lines):
            return False
        for i, (a, b) in enumerate(zip(mine, lines, strict=True)):
            if a == b:
                continue
            slot = self.promptable.get(i)
            if slot is None:
                return False
            head = f"{slot[0]}export {slot[1]}="
            if not (b.startswith(head) and _QUOTED.match(b[len(head) :])):
                return False
        return True


@dataclass
class _File:
    stamp: tuple[int, int, int]
    cells: list[ReviewedCell] = field(default_factory=list)
    env_names: frozenset[str] = frozenset()


def _cells_of(text: str, where: str) -> tuple[list[ReviewedCell], set[str]]:
    nb = loads(text)
    fm = nb.frontmatter
    skip = bool(fm is not None and fm.valid and fm.skip_prompts)
    out: list[ReviewedCell] = []
    names: set[str] = set()
    for entry in catalog(nb):
        if entry.role is not Role.RUNNABLE:
            continue
        cell = entry.cell
        attrs = cell.current_attributes()
        spec = run_spec(cell.source, cell.language, attrs, name=entry.name)
        script = normalize(spec.script)
        promptable: dict[int, tuple[str, str]] = {}
        if is_shell(cell.language) and not cell.interpreter.strip():
            mode = parse_mode(attrs.get("promptEnv"))
            kinds = {EMPTY, PLACEHOLDER} | ({LITERAL} if mode == ALWAYS else set())
            lines = script.split("\n")
            for export in find_exports(script):
                m = _EXPORT.match(lines[export.line])
                if m and (export.kind in kinds):
                    promptable[export.line] = (m.group("lead"), export.name)
                    names.add(export.name)
            if skip:
                promptable = {}
        out.append(
            ReviewedCell(
                f"{where}#{entry.name}",
                script,
                cell.language,
                spec.program_name,
                spec.arguments,
                spec.directory,
                promptable,
            )
        )
    return out, names


class ReviewedRunbooks:
    """The cells of the runbooks under some folders, kept in step with the files."""

    def __init__(
        self, roots: Iterable[Path | str], *, max_files: int = MAX_FILES, max_file_bytes: int = MAX_FILE_BYTES
    ) -> None:
        self.roots = [Path(r).resolve() for r in roots]
        self.max_files = max_files
        self.max_file_bytes = max_file_bytes
        self._files: dict[Path, _File] = {}
        self._exact: dict[str, list[ReviewedCell]] = {}
        self._by_lines: dict[int, list[ReviewedCell]] = {}
        self._env_names: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    # -- the files --------------------------------------------------------------------------------
    def _label(self, root: Path, path: Path) -> str:
        rel = path.relative_to(root).as_posix()
        return f"{root.name}/{rel}" if len(self.roots) > 1 else rel

    def _walk(self) -> dict[Path, tuple[Path, os.stat_result]]:
        found: dict[Path, tuple[Path, os.stat_result]] = {}
        for root in self.roots:
            for directory, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
                for name in sorted(files):
                    path = Path(directory) / name
                    if path.suffix.lower() not in RUNBOOK_SUFFIXES and name != ENV_SPEC_FILE:
                        continue
                    if len(found) >= self.max_files:
                        self._warn_once(
                            "files",
                            f"--allow-runbooks: more than {self.max_files} files; the rest are not reviewed",
                        )
                        return found
                    try:
                        if path.is_symlink() and not path.resolve().is_relative_to(root):
                            continue  # a link out of the reviewed folder is not reviewed
                        found[path] = (root, path.stat())
                    except OSError:
                        continue
        return found

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)

    def refresh(self) -> None:
        """Look at the files again: read the new and changed ones, forget the removed ones."""
        found = self._walk()
        changed = False
        for path in [p for p in self._files if p not in found]:
            del self._files[path]
            changed = True
        for path, (root, st) in found.items():
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            old = self._files.get(path)
            if old is not None and old.stamp == stamp:
                continue
            changed = True
            self._files[path] = self._read(root, path, stamp, st.st_size)
        if changed:
            self._index()

    def _read(self, root: Path, path: Path, stamp: tuple[int, int, int], size: int) -> _File:
        if size > self.max_file_bytes:
            self._warn_once(
                str(path), f"--allow-runbooks: {path} is over {self.max_file_bytes} bytes: not reviewed"
            )
            return _File(stamp)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return _File(stamp)
        if path.name == ENV_SPEC_FILE:
            return _File(stamp, env_names=frozenset(e.name for e in parse_env_spec(text)))
        cells, names = _cells_of(text, self._label(root, path))
        return _File(stamp, cells, frozenset(names))

    def _index(self) -> None:
        exact: dict[str, list[ReviewedCell]] = {}
        by_lines: dict[int, list[ReviewedCell]] = {}
        names: set[str] = set()
        for path in sorted(self._files):
            f = self._files[path]
            names |= f.env_names
            for cell in f.cells:
                exact.setdefault(cell.script, []).append(cell)
                if cell.promptable:
                    by_lines.setdefault(cell.script.count("\n") + 1, []).append(cell)
        self._exact, self._by_lines, self._env_names = exact, by_lines, frozenset(names)

    @property
    def cells(self) -> list[ReviewedCell]:
        return [c for cells in self._exact.values() for c in cells]

    # -- checks -----------------------------------------------------------------------------------
    def check(self, request: Request) -> str | None:
        """None when `request` may run, else why not (the refusal's message)."""
        with self._lock:
            self.refresh()
            return self._check(request)

    def _check(self, request: Request) -> str | None:
        bad_env = [n for n in request.env_names if n not in self._env_names]
        if bad_env:
            return self._env_refusal(bad_env)
        script = normalize(request.script)
        candidates = self._exact.get(script, [])
        if any(c.runs_like(request) for c in candidates):
            return None
        lines = script.split("\n")
        for cell in self._by_lines.get(len(lines), ()):
            if cell.runs_like(request) and cell.answers_of(lines):
                return None
        if candidates:
            cell = candidates[0]
            how = cell.program_name or cell.language or "sh"
            got = request.program_name or request.language or "sh"
            return f"{PREFIX}: this cell differs from {cell.where} (reviewed to run with {how}, not {got})"
        nearest = self._nearest(script)
        if nearest is None:
            return (
                f"{PREFIX}: no reviewed runbook has a cell to run (under {', '.join(map(str, self.roots))})"
            )
        return f"{PREFIX}: this cell differs from {nearest.where}"

    def _nearest(self, script: str) -> ReviewedCell | None:
        cells = self.cells
        if not cells:
            return None
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(script)
        scored = []
        for cell in cells:
            matcher.set_seq1(cell.script)
            scored.append((matcher.quick_ratio(), cell))
        scored.sort(key=lambda x: -x[0])
        best: tuple[float, ReviewedCell] | None = None
        for _, cell in scored[:50]:
            matcher.set_seq1(cell.script)
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, cell)
        return best[1] if best else None

    def _env_refusal(self, names: Sequence[str]) -> str:
        listed = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        return f"{PREFIX}: environment variables no reviewed runbook asks for: {listed}"

    def check_session(self, shell: str, env_names: Iterable[str]) -> str | None:
        """None when a session with this shell and these variables may be created, else why not."""
        if shell and not is_posix_shell_path(shell):
            return f"{PREFIX}: the session's shell must be a POSIX shell (sh, bash, zsh...), not {shell!r}"
        names = list(env_names)
        if not names:
            return None
        with self._lock:
            self.refresh()
            bad = [n for n in names if n not in self._env_names]
        return self._env_refusal(bad) if bad else None


def is_posix_shell_path(shell: str) -> bool:
    """A shell name (`bash`) or the path the runner would find for it (`/bin/bash`, `/usr/bin/bash`)."""
    name = os.path.basename(shell)
    if name not in POSIX_SHELLS:
        return False
    if "/" not in shell:
        return True
    found = shutil.which(name)
    return found is not None and os.path.realpath(found) == os.path.realpath(shell)
