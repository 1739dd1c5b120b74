"""A document's identity: what its state outside the file is kept under (issue 11, item 2).

Run state, runner sessions, outputs and drafts are keyed by it, so two different files never share them
and the same file opened again finds them. Keyed by the file's *name* (as before), `projA/README.md` and
`projB/README.md` shared a session and each other's outputs. In order of preference:

- **a file in an opened folder**: the folder (recognised with `isSameEntry` among the folders Fenced has
  seen: `handles.HandleBook`) and the path inside it: `folder:<folder id>:docs/index.md`;
- **a file opened through a handle** (the Open picker, a recent file, a dropped file that came with one):
  the handle, recognised the same way: `file:<file id>`;
- **Runme's frontmatter id** (`runme: {id: ...}`, a ULID Runme writes) of a file that came without a
  handle: `runme:<id>`;
- **a dropped file** otherwise: its name and a fingerprint of its content: `drop:<name>:<sha256 prefix>`.

Pure (no `js`): the handle lookups happen in `handles`, which hands the ids in.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple


class Source(NamedTuple):
    """Where an identity came from, parsed back (`parse`): its kind and the registry id it names."""

    kind: str  # "folder", "file", "runme", "drop", or "" (not an identity of this module)
    handle_id: str = ""  # the HandleBook id of a folder or file identity
    path: str = ""  # a folder identity's path inside the folder


def in_folder(folder_id: str, path: str) -> str:
    return f"folder:{folder_id}:{path}"


def of_file(file_id: str) -> str:
    return f"file:{file_id}"


def of_runme(runme_id: str) -> str:
    return f"runme:{runme_id}"


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def of_drop(name: str, data: bytes) -> str:
    return f"drop:{name}:{fingerprint(data)}"


def choose(
    *,
    name: str,
    data: bytes,
    folder_id: str = "",
    path: str | None = None,
    file_id: str = "",
    runme_id: str = "",
) -> str:
    """The identity of a document, from what is known about where it came from (see the module)."""
    if folder_id and path:
        return in_folder(folder_id, path)
    if file_id:
        return of_file(file_id)
    if runme_id:
        return of_runme(runme_id)
    return of_drop(name, data)


def parse(identity: str) -> Source:
    """The parts of an identity made here (a stored draft names its file through them)."""
    kind, _, rest = identity.partition(":")
    if kind == "folder":
        handle_id, _, path = rest.partition(":")
        return Source(kind, handle_id, path)
    if kind == "file":
        return Source(kind, rest)
    if kind in ("runme", "drop"):
        return Source(kind)
    return Source("")


def runme_id(text: str) -> str:
    """Runme's document id from the frontmatter (`runme.id`), or "" (none, or it does not parse)."""
    from fenced.document.frontmatter import Frontmatter, locate

    where = locate(text)
    if where.format is None:
        return ""
    try:
        return str(Frontmatter(text[where.start : where.end], where.format).runme_id or "")
    except Exception:  # a frontmatter that does not read has no id (the view says what is wrong)
        return ""
