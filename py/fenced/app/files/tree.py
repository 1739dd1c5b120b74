"""The opened folder as a tree, its filter, quick open's fuzzy match and search across files (pure, no
`js`: tested under CPython; `folderpanel` and `quickopen` render what these decide).

A repository of runbooks has dozens of files in nested folders, nine of them called `index.md`: a flat
list of full paths wrapped mid-word in a narrow column (issue 14, item 4). The tree shows each folder
once, collapsible; the filter keeps the files whose path contains what is typed (and their folders,
opened); quick open ranks every path by a fuzzy match, as editors do (`Ctrl+P`, `gsidx` finds
`docs/getting-started/index.md`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass
class Folder:
    """A folder of the tree: `path` ends with `/` ("" for the root)."""

    name: str
    path: str
    folders: list[Folder] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # paths of the Markdown files directly in it


def build(paths: Iterable[str]) -> Folder:
    """The tree of `paths` (already in panel order: `walk.sort_key`, files before subfolders)."""
    root = Folder("", "")
    index: dict[str, Folder] = {"": root}
    for path in paths:
        parts = path.split("/")
        parent = root
        for i in range(len(parts) - 1):
            prefix = "/".join(parts[: i + 1]) + "/"
            folder = index.get(prefix)
            if folder is None:
                folder = Folder(parts[i], prefix)
                index[prefix] = folder
                parent.folders.append(folder)
            parent = folder
        parent.files.append(path)
    return root


def basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def matches_filter(path: str, query: str) -> bool:
    """The filter: every word of `query` occurs in the path (case-insensitive)."""
    low = path.lower()
    return all(word in low for word in query.lower().split())


def folders_of(path: str) -> list[str]:
    """`docs/a/b.md` -> ["docs/", "docs/a/"]: the folders to open to show the file."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Ranked(NamedTuple):
    path: str
    score: float
    positions: tuple[int, ...]  # matched character positions (to highlight)


def fuzzy(query: str, path: str) -> Ranked | None:
    """Does `query`'s every character occur in `path`, in order (case-insensitive)? Scored higher for
    matches in the file name, at word starts (after `/`, `-`, `_`, `.`) and in runs; None: no match.
    A small dynamic programme (query length x path length) finds the best placement."""
    q = query.lower().replace(" ", "")
    if not q:
        return Ranked(path, 0.0, ())
    low = path.lower()
    n, m = len(q), len(low)
    if n > m:
        return None
    name_start = low.rfind("/") + 1
    neg = float("-inf")
    bonus = [
        1.0 + (2.0 if j == 0 or low[j - 1] in "/-_. " else 0.0) + (1.5 if j >= name_start else 0.0)
        for j in range(m)
    ]
    prev = [neg] * m  # best score with q[:i] matched and q[i-1] at position j
    back: list[list[int]] = []
    for i in range(n):
        cur = [neg] * m
        came = [-1] * m
        best, best_at = neg, -1  # best of prev[k] for k < j - 1
        for j in range(m):
            if j >= 2 and prev[j - 2] > best:
                best, best_at = prev[j - 2], j - 2
            if low[j] != q[i]:
                continue
            if i == 0:
                cur[j] = bonus[j] - 0.01 * j
                continue
            run = prev[j - 1] + 2.0 if j >= 1 else neg  # right after the previous match
            if run >= best and run > neg:
                cur[j], came[j] = run + bonus[j], j - 1
            elif best > neg:
                cur[j], came[j] = best + bonus[j], best_at
        back.append(came)
        prev = cur
    end = max(range(m), key=prev.__getitem__)
    if prev[end] == neg:
        return None
    positions = [end]
    for i in range(n - 1, 0, -1):
        positions.append(back[i][positions[-1]])
    positions.reverse()
    return Ranked(path, prev[end] - 0.005 * m, tuple(positions))


def quick_open(query: str, paths: Sequence[str], limit: int = 50) -> list[Ranked]:
    """The best `limit` paths for `query`, best first (all paths, in order, for an empty query)."""
    if not query.strip():
        return [Ranked(p, 0.0, ()) for p in paths[:limit]]
    ranked = [r for r in (fuzzy(query, p) for p in paths) if r is not None]
    ranked.sort(key=lambda r: (-r.score, r.path))
    return ranked[:limit]


class Hit(NamedTuple):
    """One search result: a file, where in it (line number, 1-based: a cell's first line for a cell
    name) and what."""

    path: str
    line: int
    text: str
    kind: str  # "text" or "cell" (a code cell's name)


def search(
    query: str, files: Iterable[tuple[str, str, Sequence[tuple[str, int]]]], limit: int = 200
) -> list[Hit]:
    """Search the folder's files: `files` gives (path, text, its runnable cells' (name, line)).
    Case-insensitive; a cell name that matches is listed before the file's matching lines."""
    q = query.strip().lower()
    if not q:
        return []
    hits: list[Hit] = []
    for path, text, cells in files:
        for name, first in cells:
            if q in name.lower():
                hits.append(Hit(path, first, name, "cell"))
        for number, line in enumerate(text.split("\n"), start=1):
            if q in line.lower():
                hits.append(Hit(path, number, line.strip()[:160], "text"))
                if len(hits) >= limit:
                    return hits
        if len(hits) >= limit:
            break
    return hits[:limit]


# --- markup (pure: one innerHTML per render, not a DOM call per entry) -----------------------------------


class FileMarks(NamedTuple):
    """What the panel shows about the files: the one shown, the dirty ones, runnable cells per file."""

    current: str | None = None
    dirty: frozenset[str] = frozenset()
    runnable: dict[str, tuple[str, ...]] | None = None  # path -> names of its runnable cells, once known


def file_html(path: str, marks: FileMarks, focusable: bool) -> str:
    from html import escape

    attrs = [
        'role="treeitem"',
        'class="folder-file"',
        f'data-path="{escape(path)}"',
        f'aria-label="{escape(path)}"',
        f'title="{escape(path)}"',
        f'tabindex="{0 if focusable else -1}"',
    ]
    extra = ""
    if path == marks.current:
        attrs += ['aria-current="true"', 'aria-selected="true"']
    else:
        attrs.append('aria-selected="false"')
    if path in marks.dirty:
        attrs.append('data-dirty="true"')
        extra += '<span class="file-dirty" aria-hidden="true" title="Unsaved changes">\u25cf</span>'
    names = (marks.runnable or {}).get(path)
    if names is not None:
        n = len(names)
        what = f"{n} runnable cell{'s' if n != 1 else ''}"
        attrs.append(f'data-runnable="{n}"')
        attrs.append(f'aria-description="{escape(what)}"')
        if n:
            shown = ", ".join(names[:12]) + (" \u2026" if n > 12 else "")
            extra += f'<span class="runnable-count" title="{escape(what)}: {escape(shown)}">{n}</span>'
    name = escape(basename(path))
    # The name is also a button named by the path (as the flat list's entries were): scripts and
    # assistive tools that look for "the button docs/guide.md" still find it; a click on it is the item's.
    return (
        f'<li {" ".join(attrs)}><span class="entry-name" role="button"'
        f' aria-label="{escape(path)}">{name}</span>{extra}</li>'
    )


def tree_html(
    root: Folder, marks: FileMarks, collapsed: frozenset[str] = frozenset(), query: str = ""
) -> tuple[str, int]:
    """The tree's items (inside a `role=tree` list) and how many files it shows. Folders are open unless
    in `collapsed`; with a filter `query`, only matching files and their folders are shown, all open.
    The file shown (else the first entry) is the one that takes the focus (roving tabindex)."""
    from html import escape

    shown = 0
    focus_path = marks.current
    first = True

    def files_of(folder: Folder) -> list[str]:
        return [p for p in folder.files if not query or matches_filter(p, query)]

    def has_any(folder: Folder) -> bool:
        return bool(files_of(folder)) or any(has_any(f) for f in folder.folders)

    def render(folder: Folder) -> str:
        nonlocal shown, first
        out: list[str] = []
        for path in files_of(folder):  # a folder's files first, README first (walk.sort_key), as listed
            focusable = (path == focus_path) or (first and focus_path is None)
            first = False
            shown += 1
            out.append(file_html(path, marks, focusable))
        for sub in folder.folders:
            if query and not has_any(sub):
                continue
            is_open = bool(query) or sub.path not in collapsed
            focusable = first and focus_path is None
            first = False
            children = render(sub)
            out.append(
                f'<li role="treeitem" class="folder-dir" data-dir="{escape(sub.path)}"'
                f' aria-label="{escape(sub.path)}" aria-expanded="{"true" if is_open else "false"}"'
                f' tabindex="{0 if focusable else -1}"><span class="entry-name dir-name">{escape(sub.name)}</span>'
                f'<ul role="group"{"" if is_open else " hidden"}>{children}</ul></li>'
            )
        return "".join(out)

    return render(root), shown
