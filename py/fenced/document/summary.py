"""A compact, JSON-serialisable view of a notebook's cells.

Used to compare results across runtimes (CPython and Pyodide) and in tests: two
parsers agree on a document when their summaries are equal.
"""

from __future__ import annotations

from typing import Any

from .cell import CODE
from .notebook import Notebook


def summary(nb: Notebook) -> list[dict[str, Any]]:
    """One dict per cell: kind, language, name, name_generated, attributes, source."""
    out: list[dict[str, Any]] = []
    for c in nb.cells:
        if c.kind == CODE:
            out.append(
                {
                    "kind": CODE,
                    "language": c.language,
                    "name": c.name,
                    "name_generated": c.name_generated,
                    "attributes": dict(c.current_attributes()),
                    "source": c.source,
                }
            )
        else:
            out.append(
                {
                    "kind": c.kind,
                    "language": "",
                    "name": "",
                    "name_generated": False,
                    "attributes": {},
                    "source": c.source,
                }
            )
    return out
