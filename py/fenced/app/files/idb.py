"""IndexedDB stores of the file layer (via web/files.js): `drafts` keyed by draft key, `recents` by id.

FileSystemHandles are structured-cloneable, so a stored handle survives a reload; the browser asks for
permission again before it can be read or written.
"""

from __future__ import annotations

from typing import Any

import js

from fenced.app.jsffi import JsException, obj, opt

MAX_RECENTS = 10


async def get(store: str, key: str) -> Any | None:
    return opt(await js.fencedFiles.get(store, key))


async def all_records(store: str) -> list[Any]:
    return list(await js.fencedFiles.all(store))


async def put(store: str, record: dict[str, Any]) -> None:
    await js.fencedFiles.put(store, obj({k: v for k, v in record.items() if v is not None}))


async def delete(store: str, key: str) -> None:
    await js.fencedFiles.remove(store, key)


def field(record: Any, name: str) -> Any:
    """A record's field, None when missing (JS undefined/null)."""
    return opt(getattr(record, name, None))


async def same_entry(a: Any, b: Any) -> bool:
    try:
        return bool(await a.isSameEntry(b))
    except JsException:
        return False


async def remember(kind: str, name: str, handle: Any, new_id: str) -> None:
    """Put `handle` first in the recents (same entry -> same record), keeping MAX_RECENTS."""
    records = await all_records("recents")
    rid = new_id
    for rec in records:
        if rec.kind == kind and await same_entry(rec.handle, handle):
            rid = rec.id
            break
    await put("recents", {"id": rid, "kind": kind, "name": name, "handle": handle, "opened": js.Date.now()})
    records = sorted(await all_records("recents"), key=lambda r: -float(r.opened))
    for rec in records[MAX_RECENTS:]:
        await delete("recents", rec.id)
