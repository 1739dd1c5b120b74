// The store of fenced.app.codecache: code objects that the last page load compiled at boot, kept in
// IndexedDB so that this load need not compile them. A classic script so that its read starts at once
// (it takes a few hundred ms while the page loads, about as long as Python's restore). Any failure only
// means compiling as usual.
"use strict";
window.fencedCodeCache = (() => {
  const DB = "fenced-codecache";
  const STORE = "boot";
  const KEY = "entries";

  function request(mode, use) {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onblocked = () => reject(new Error("code cache blocked"));
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction(STORE, mode);
        const result = use(tx.objectStore(STORE));
        tx.oncomplete = () => { db.close(); resolve(result.result); };
        tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
      };
    });
  }

  // {version, blobs: {key: Uint8Array}} or null
  const stored = (async () => {
    try { return (await request("readonly", (store) => store.get(KEY))) || null; } catch (_) { return null; }
  })().finally(() => window.fencedBoot && window.fencedBoot.mark("codecache"));

  /** Keep the entries this boot used and add the ones it compiled (anything else is from older builds).
   *  `fresh` is an object of Uint8Arrays that belong to Python: copied before anything else. */
  async function save(version, used, fresh) {
    const blobs = {};
    for (const [key, value] of Object.entries(fresh)) blobs[key] = new Uint8Array(value);
    const old = await stored;
    if (old && old.version === version) for (const key of used) if (old.blobs[key]) blobs[key] = old.blobs[key];
    await request("readwrite", (store) => store.put({ version, blobs }, KEY));
    api.saved = true;  // for tests
  }

  const api = { stored, save, saved: false };
  return api;
})();
