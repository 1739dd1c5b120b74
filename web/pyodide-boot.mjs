// Fenced's Pyodide loader, named as PyScript's `interpreter` in pyscript.json.
// It starts Python from a memory snapshot that build.py made with the same Pyodide build: CPython already
// initialised and the stdlib/document modules already imported, which cuts start-up several-fold (Python's
// own boot is most of a cold start). If the snapshot is missing or does not restore, Python starts the
// ordinary way: slower, never broken.
import * as pyodide from "../vendor/pyodide/pyodide.mjs";

export const version = pyodide.version;
const indexURL = new URL("../vendor/pyodide/", import.meta.url).href;
const snapshotURL = new URL("snapshot.bin.gz", indexURL).href;

async function fetchSnapshot() {
  const response = await fetch(snapshotURL);
  if (!response.ok) throw new Error(`${response.status} for ${snapshotURL}`);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Start downloading as soon as PyScript imports this module (index.html also preloads it).
const snapshot = fetchSnapshot().catch((error) => {
  console.info("Fenced: no Python snapshot, starting Python from scratch:", String(error));
  return null;
});

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
  const bytes = await snapshot;
  if (bytes) {
    try {
      // Every fenced module is already imported in the snapshot, so boot installs no wheel at all;
      // fenced.app.loader installs the wheels' files in the background once the shell is interactive.
      const { packages, ...rest } = options;
      const py = await pyodide.loadPyodide({ ...rest, indexURL, _loadSnapshot: bytes });
      window.fencedBoot?.mark("snapshot");
      await installCodeCache(py);
      return py;
    } catch (error) {
      console.warn("Fenced: the Python snapshot did not restore; starting Python from scratch.", error);
    }
  }
  return pyodide.loadPyodide({ ...options, indexURL });
}
