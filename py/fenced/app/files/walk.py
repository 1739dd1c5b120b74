"""Listing a folder's Markdown files for the side panel.

The walk is written against a tiny async interface (`entries(dir) -> async iterator of (kind, name,
handle)`), so the filtering and limits are tested under CPython with fake directories and the browser
passes FileSystemDirectoryHandle.values().
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from fenced.app.files.kinds import is_listed

SKIP_DIRS = frozenset({".git", "node_modules", ".hg", ".svn", "__pycache__", ".venv", ".tox"})
MAX_DEPTH = 12
MAX_FILES = 2000

Entries = Callable[[Any], AsyncIterator[tuple[str, str, Any]]]


@dataclass
class FoundFile:
    """A Markdown file in the folder: its path from the root and its handle."""

    path: str
    handle: Any


def should_descend(name: str) -> bool:
    """Skip VCS metadata, dependency trees and caches; hidden folders other than those are walked."""
    return name not in SKIP_DIRS


async def walk(root: Any, entries: Entries, max_files: int = MAX_FILES) -> tuple[list[FoundFile], bool]:
    """Markdown files under `root` in panel order (see `sort_key`); returns (files, truncated)."""
    found: list[FoundFile] = []
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    truncated = False
    while stack:
        directory, prefix, depth = stack.pop()
        subdirs: list[tuple[str, Any]] = []
        async for kind, name, handle in entries(directory):
            if kind == "directory":
                if should_descend(name) and depth < MAX_DEPTH:
                    subdirs.append((name, handle))
            elif is_listed(name):
                if len(found) >= max_files:
                    truncated = True
                    break
                found.append(FoundFile(prefix + name, handle))
        if truncated:
            break
        for name, handle in sorted(subdirs, key=lambda s: s[0].lower(), reverse=True):
            stack.append((handle, f"{prefix}{name}/", depth + 1))
    found.sort(key=lambda f: sort_key(f.path))
    return found, truncated


def sort_key(path: str) -> tuple[Any, ...]:
    """Files of a folder before its subfolders, README first, then case-insensitive by name."""
    parts = path.split("/")
    key: list[Any] = []
    for i, part in enumerate(parts):
        is_file = i == len(parts) - 1
        key.append(
            (
                1 if not is_file else 0,
                0 if (is_file and part.lower().startswith("readme")) else 1,
                part.lower(),
            )
        )
    return tuple(key)
