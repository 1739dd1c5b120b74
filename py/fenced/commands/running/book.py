"""Reading runbooks from disk for the CLI: one-line errors for files that cannot be read, and the
catalog of their cells (`fenced.document.catalog`, the rules the browser uses too)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fenced.document import Notebook, loads
from fenced.document.catalog import Entry, catalog
from fenced.document.secrets import ENV_SPEC_FILE, SecretNames, secret_names

from .errors import CliError

# What `fenced list DIR` looks at (the browser's folder panel lists the same kinds of file).
RUNBOOK_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdx"})
# Directories `fenced list DIR` does not go into: hidden ones (.git, .venv...) and installed packages.
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})


@dataclass(frozen=True)
class Runbook:
    """A runbook read from `path` (as the user typed it), with its cells."""

    path: Path
    notebook: Notebook
    entries: list[Entry]

    @property
    def shell(self) -> str:
        fm = self.notebook.frontmatter
        return fm.shell.strip() if fm is not None and fm.valid else ""

    @property
    def cwd(self) -> str:
        fm = self.notebook.frontmatter
        return fm.cwd.strip() if fm is not None and fm.valid else ""

    @property
    def skip_prompts(self) -> bool:
        fm = self.notebook.frontmatter
        return bool(fm is not None and fm.valid and fm.skip_prompts)

    def secret_names(self) -> SecretNames:
        """Which variables are secret: by name, the frontmatter's `secrets`, the .env.example beside it."""
        try:
            spec: str | None = (self.path.resolve().parent / ENV_SPEC_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            spec = None
        return secret_names(self.notebook.frontmatter, spec)


def read_text(path: Path) -> str:
    """The file's text, or a `CliError` that says in one line why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory (to see its runbooks: fenced list {path})") from None
    except PermissionError:
        raise CliError(f"{path}: permission denied") from None
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise CliError(
            f"{path}: not UTF-8 text (byte 0x{bad:02x} at offset {exc.start}); runbooks are UTF-8 Markdown"
        ) from None


def load(path: Path) -> Runbook:
    nb = loads(read_text(path))
    return Runbook(path, nb, catalog(nb))


def runbooks_in(root: Path) -> list[Path]:
    """Markdown files under `root` sorted by path, without hidden directories and installed packages."""
    found: list[Path] = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        found.extend(Path(directory) / n for n in files if Path(n).suffix.lower() in RUNBOOK_SUFFIXES)
    return sorted(found, key=lambda p: p.parts)


def shown(path: Path) -> str:
    """A path as `fenced run` takes it: relative to the working directory when below it."""
    text = os.path.relpath(path) if not path.is_absolute() or _below_cwd(path) else str(path)
    return text.removeprefix("./")


def _below_cwd(path: Path) -> bool:
    try:
        path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return False
    return True
