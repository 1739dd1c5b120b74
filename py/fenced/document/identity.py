"""Lifecycle identity: ULIDs for cells and documents, as Runme writes them.

``python-ulid`` is imported on first use only.
"""

from __future__ import annotations

import re

_ULID_RE = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def new_id() -> str:
    """A fresh ULID (26 characters, Crockford base32)."""
    from ulid import ULID

    return str(ULID())


def is_ulid(value: str | None) -> bool:
    """Is this a syntactically valid ULID (what Runme's ``ValidID`` accepts)?"""
    return bool(value) and _ULID_RE.match(value.upper() if value else "") is not None
