"""The files and folders Fenced has seen, each under a stable id (IndexedDB store `handles`).

A FileSystemHandle has no path and no id, only `isSameEntry`: to know that the file opened now is the
one opened yesterday (and give it the same run state and draft: files/identity.py), the handles seen
are stored (they are structured-cloneable) and a new one is compared with them. Names are compared first
(the same entry has the same name), so a lookup costs one `isSameEntry` per stored handle of that name.
"""

from __future__ import annotations

from typing import Any

import js

from fenced.app.jsffi import JsException

from . import idb

MAX_HANDLES = 500  # the oldest-seen beyond this are forgotten (their documents get new identities)


class HandleBook:
    def __init__(self) -> None:
        self._records: list[Any] | None = None  # the store's records, read once per page

    async def _all(self) -> list[Any]:
        if self._records is None:
            try:
                self._records = await idb.all_records("handles")
            except JsException:
                self._records = []
        return self._records

    async def id_of(self, handle: Any) -> str:
        """The id of `handle` (a file or a folder): the stored one when it is the same entry as a handle
        seen before, else a new one (stored). "" when the browser cannot store handles."""
        kind, name = str(handle.kind), str(handle.name)
        records = await self._all()
        for rec in records:
            if str(rec.kind) != kind or str(rec.name) != name:
                continue
            try:
                same = bool(await rec.handle.isSameEntry(handle))
            except JsException:
                same = False
            if same:
                return str(rec.id)
        import secrets  # (hmac and more: kept out of the boot snapshot's heap)

        new_id = secrets.token_hex(8)
        record = {"id": new_id, "kind": kind, "name": name, "handle": handle, "seen": js.Date.now()}
        try:
            await idb.put("handles", record)
        except JsException:
            return ""
        self._records = None  # re-read (with the stored record) on the next lookup
        if len(records) + 1 > MAX_HANDLES:
            for old in sorted(records, key=lambda r: float(r.seen))[: len(records) + 1 - MAX_HANDLES]:
                await idb.delete("handles", str(old.id))
        return new_id

    async def handle(self, handle_id: str) -> Any | None:
        """The stored handle with this id, or None."""
        if not handle_id:
            return None
        try:
            rec = await idb.get("handles", handle_id)
        except JsException:
            return None
        return idb.field(rec, "handle") if rec is not None else None
