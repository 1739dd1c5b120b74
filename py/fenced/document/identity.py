"""Lifecycle identity: ULIDs for cells and documents, as Runme writes them.

``python-ulid`` is imported on first use only.
"""

from __future__ import annotations


def new_id() -> str:
    """A fresh ULID (26 characters, Crockford base32)."""
    from ulid import ULID

    return str(ULID())
