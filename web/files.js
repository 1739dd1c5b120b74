// JS glue for fenced.app.files, only what Python cannot do well: IndexedDB as promises, and a guard that
// keeps a file dropped before Python is ready from replacing the page (the browser's default).
"use strict";
window.fencedFiles = (() => {
  const DB_NAME = "fenced-files";
  // drafts keyed by "key", recents by "id", handles (files and folders Fenced has seen, for documents'
  // identities: fenced.app.files.handles) by "id".
  const STORES = ["drafts", "recents", "handles"];
  let opening = null;

  function db() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 2);
        req.onupgradeneeded = () => {
          const names = req.result.objectStoreNames;
          if (!names.contains("drafts")) req.result.createObjectStore("drafts", { keyPath: "key" });
          if (!names.contains("recents")) req.result.createObjectStore("recents", { keyPath: "id" });
          if (!names.contains("handles")) req.result.createObjectStore("handles", { keyPath: "id" });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => { opening = null; reject(req.error); };
      });
    }
    return opening;
  }

  // One request in its own transaction; resolves when the transaction commits (so a put is durable).
  async function run(store, mode, fn) {
    if (!STORES.includes(store)) throw new Error(`unknown store ${store}`);
    const tx = (await db()).transaction(store, mode);
    const req = fn(tx.objectStore(store));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => reject(tx.error || req.error);
    });
  }

  const get = (store, key) => run(store, "readonly", (s) => s.get(key));
  const all = (store) => run(store, "readonly", (s) => s.getAll());
  const put = (store, value) => run(store, "readwrite", (s) => s.put(value));
  const remove = (store, key) => run(store, "readwrite", (s) => s.delete(key));

  const hasFiles = (e) => !!e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  const notReady = () => !document.body || document.body.dataset.appState !== "ready";
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (e) => { if (notReady() && hasFiles(e)) e.preventDefault(); });
  }

  return { get, all, put, remove };
})();
