// Fenced's Pyodide loader, named as PyScript's `interpreter` in pyscript.json.
// It starts Python from a memory snapshot that build.py made with the same Pyodide build: CPython already
// initialised and the stdlib/document modules already imported, which cuts start-up several-fold (Python's
// own boot is most of a cold start). If the snapshot is missing or does not restore, Python starts the
// ordinary way: slower, never broken.
import * as pyodide from "../vendor/pyodide/pyodide.mjs";

export const version = pyodide.version;
const indexURL = new URL("../vendor/pyodide/", import.meta.url).href;
// web/snapshot.js has been fetching it (in a worker) since the page began to load.
const snapshot = window.fencedSnapshot || Promise.resolve(null);

// The boot compile cache (fenced.app.codecache, store in web/codecache.js): installed before PyScript runs
// any Python. Its read usually ends before the restore does; it is waited for a little at most.
const CODE_CACHE_WAIT_MS = 150;

async function installCodeCache(py) {
  const store = window.fencedCodeCache;
  if (!store) return;
  const late = new Promise((resolve) => setTimeout(() => resolve(null), CODE_CACHE_WAIT_MS));
  const cache = await Promise.race([store.stored, late]);
  try {
    const blobs = new Map(Object.entries((cache && cache.blobs) || {}));
    py.pyimport("fenced.app.codecache").install((cache && cache.version) || "", blobs);
  } catch (error) {
    console.info("Fenced: no boot code cache:", String(error));
  }
}

export async function loadPyodide(options = {}) {
  // The bytes are handed over as a promise: Pyodide loads its JavaScript while they are still on their
  // way, and waits for them only where it needs the memory's size.
  const bytes = snapshot.then((b) => b || Promise.reject(new Error("no snapshot")));
  try {
    // Every fenced module is already imported in the snapshot, so boot installs no wheel at all;
    // fenced.app.loader installs the wheels' files in the background once the shell is interactive.
    const { packages, ...rest } = options;
    const py = await pyodide.loadPyodide({ ...rest, indexURL, _loadSnapshot: bytes });
    window.fencedBoot?.mark("snapshot");
    await installCodeCache(py);
    return py;
  } catch (error) {
    if (await snapshot) {
      console.warn("Fenced: the Python snapshot did not restore; starting Python from scratch.", error);
      window.fencedForgetSnapshot?.();
    }
  }
  return pyodide.loadPyodide({ ...options, indexURL });
}
