"""Where a link between documents points, inside the opened folder (pure, no `js`; issue 14, item 3).

Documentation repositories link their pages three ways, and a static-site generator resolves all three:

- relative to the page: `03-compute-resources.md`, `./linux.md#prerequisites`, `../index.md`;
- relative, without an extension: `../installation/windows` (the generator adds `.md`, or serves a
  folder's `index.md`);
- site-absolute: `/installation`, `/reference/cli` (from the site's root, which is the repository's root
  or its docs folder, `docs/`).

`candidates` lists, in order, the files such a link may mean; the first one that exists in the folder
wins (`resolve`). Nothing found: the link is not in this folder, and the page says so.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container
from typing import NamedTuple
from urllib.parse import unquote

from .kinds import LISTED_EXTENSIONS, extension

DOCS_ROOTS = ("docs/", "doc/", "documentation/", "content/", "website/docs/", "src/content/docs/")
INDEX_NAMES = ("index.md", "index.mdx", "README.md", "readme.md", "_index.md")


class Target(NamedTuple):
    """A link taken apart: the path as written (decoded, without query), and its `#fragment`."""

    path: str
    fragment: str
    absolute: bool  # site-absolute (`/installation`)


def split(href: str) -> Target:
    """`../install/windows.md?x=1#winget` -> Target("../install/windows.md", "winget", False)."""
    rest, _, fragment = href.strip().partition("#")
    rest = rest.split("?", 1)[0]
    path = unquote(rest).replace("\\", "/")
    return Target(path, unquote(fragment), path.startswith("/"))


def _with_extensions(base: str) -> list[str]:
    """`docs/install` -> docs/install.md, .mdx, docs/install/index.md... (as site generators try)."""
    if base.endswith("/") or base == "":
        stem = base
        return [f"{stem}{name}" for name in INDEX_NAMES]
    if extension(base) in LISTED_EXTENSIONS:
        return [base]
    out = [f"{base}.md", f"{base}.mdx", f"{base}.markdown"]
    out += [f"{base}/{name}" for name in INDEX_NAMES]
    return out


def _normal(path: str) -> str | None:
    """A path inside the folder, normalised; None when it climbs out of it."""
    trailing = path.endswith("/")
    joined = posixpath.normpath(path) if path.strip("/") else ""
    if joined in (".", ""):
        return "" if path.strip("/") == "" or joined == "." else None
    if joined == ".." or joined.startswith(("../", "/")):
        return None
    return joined + ("/" if trailing else "")


def candidates(doc_path: str | None, href: str) -> list[str]:
    """The folder paths `href` (written in the document at `doc_path`) may mean, in the order to try."""
    target = split(href)
    if not target.path:
        return []
    out: list[str] = []
    if target.absolute:
        rest = target.path.lstrip("/")
        roots = ["", *DOCS_ROOTS]
        # The doc's own ancestors too (shallowest first): a docs root under another name (`site/`).
        parts = (doc_path or "").split("/")[:-1]
        roots += ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        for root in roots:
            base = _normal(root + rest + ("/" if target.path.endswith("/") else ""))
            if base is not None:
                out += _with_extensions(base)
    else:
        here = posixpath.dirname(doc_path or "")
        base = _normal(posixpath.join(here, target.path) + ("/" if target.path.endswith("/") else ""))
        if base is not None:
            out += _with_extensions(base)
    return list(dict.fromkeys(out))  # without repeats, in order


def resolve(doc_path: str | None, href: str, paths: Container[str]) -> str | None:
    """The first of `candidates` that is one of `paths` (the folder's Markdown files), or None."""
    for path in candidates(doc_path, href):
        if path in paths:
            return path
    return None


def not_found(href: str, folder: str) -> str:
    """What the page says when a link's target is not in the opened folder."""
    target = split(href)
    if target.path and extension(target.path.rstrip("/")) not in LISTED_EXTENSIONS | {""}:
        return (
            f"{target.path} is not a Markdown document, so Fenced does not open it. "
            "Open it from your file manager."
        )
    return f"{href} is not in this folder ({folder}): no Markdown file there matches it."
