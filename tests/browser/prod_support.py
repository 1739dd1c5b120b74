"""Helpers for the production-work browser tests (issue 15): everything a page keeps, as text to search."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# Every storage API of the page, each value as text: localStorage, sessionStorage, every IndexedDB
# database's every store (strings, bytes, Blobs and objects walked), Cache Storage (every response's
# body), the origin private file system (every file: the tests' "disk", saved files included), cookies,
# and the DOM (markup and every form field's value).
DUMP_STORAGE_JS = """
async () => {
  const out = [];
  const dec = new TextDecoder('utf-8', { fatal: false });
  const seen = new Set();
  async function text(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v !== 'object') return String(v);
    if (seen.has(v)) return '';
    seen.add(v);
    if (v instanceof Blob) return await v.text();
    if (v instanceof ArrayBuffer) return dec.decode(new Uint8Array(v));
    if (ArrayBuffer.isView(v)) return dec.decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    if (typeof FileSystemHandle !== 'undefined' && v instanceof FileSystemHandle) return v.name;
    const parts = [];
    for (const k of Object.keys(v)) parts.push(k, await text(v[k]));
    if (v instanceof Map) for (const [k, x] of v) parts.push(await text(k), await text(x));
    if (Array.isArray(v) || v instanceof Set) for (const x of v) parts.push(await text(x));
    return parts.join('\\n');
  }
  for (const [label, st] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]]) {
    for (let i = 0; i < st.length; i++) { const k = st.key(i); out.push([label + ':' + k, k + '\\n' + st.getItem(k)]); }
  }
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, bad) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => bad(r.error); });
    for (const store of Array.from(db.objectStoreNames)) {
      const [keys, values] = await new Promise((ok, bad) => {
        const tx = db.transaction(store, 'readonly'); const s = tx.objectStore(store);
        const k = s.getAllKeys(); const v = s.getAll();
        tx.oncomplete = () => ok([k.result, v.result]); tx.onerror = () => bad(tx.error);
      });
      out.push(['indexedDB:' + info.name + '/' + store, (await text(keys)) + '\\n' + (await text(values))]);
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      const res = await cache.match(req);
      out.push(['cache:' + name + ':' + req.url, res ? await res.text() : '']);
    }
  }
  async function walk(dir, path) {
    for await (const [name, h] of dir.entries()) {
      if (h.kind === 'directory') await walk(h, path + name + '/');
      else out.push(['opfs:' + path + name, await (await h.getFile()).text()]);
    }
  }
  await walk(await navigator.storage.getDirectory(), '');
  out.push(['cookies', document.cookie]);
  const fields = Array.from(document.querySelectorAll('input, textarea')).map(e => e.value).join('\\n');
  out.push(['dom', document.documentElement.outerHTML + '\\n' + fields]);
  return out;
}
"""


def storage_dump(page: Any) -> list[tuple[str, str]]:
    """(where, text) for everything the page stores or shows (see DUMP_STORAGE_JS)."""
    return [(str(w), str(t)) for w, t in page.evaluate(DUMP_STORAGE_JS)]


def places_holding(page: Any, *needles: str) -> list[str]:
    """Where any of `needles` occurs in what the page stores or shows."""
    return [w for w, text in storage_dump(page) if any(n in text for n in needles)]


def outputs_in_file(page: Any, on: bool) -> None:
    """Set the File menu's "Outputs in this file" mode (Save with outputs then writes into the runbook)."""
    page.locator(".app-header").get_by_role("button", name="File", exact=True).click()
    box = page.locator("#file-menu").get_by_label("Outputs in this file")
    box.set_checked(on)
    page.keyboard.press("Escape")


def wait_for_file(page: Any, path: str, ready: Callable[[str], bool], timeout_s: float = 30) -> str:
    """The file's text (in the origin private file system) once `ready` holds for it. "Save with outputs"
    in the runbook itself edits the document and then saves it: the document is clean before the edits as
    after the save, so its dirty mark cannot say when the save is done; the file can."""
    from tests.browser.files_support import opfs_read

    deadline = time.monotonic() + timeout_s
    while True:
        text = opfs_read(page, path).decode()
        if ready(text) or time.monotonic() > deadline:
            return text
        page.wait_for_timeout(50)  # poll interval; the loop waits on the file's content
