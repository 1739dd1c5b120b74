// Unpacks the vendored pure-Python wheels into Pyodide's site-packages from JS, used by fenced.app.loader
// after a memory-snapshot boot (the modules are already imported from the snapshot; their files are only
// needed for tracebacks' source lines and for a module imported later).
//
// Why not `pyodide.loadPackage`: it unpacks each wheel in Python (zipfile + shutil inside wasm), which costs
// ~300 ms of main-thread time for our six wheels, right when the user is likely to drop their first file.
// Here the browser checks each wheel against the lock's sha256 (fetch `integrity`), inflates the entries
// with the native DecompressionStream and writes them with FS.writeFile, one file at a time in slices of
// idle time (~40 ms of main-thread work in all, none of it while the page has anything else to do, such
// as rendering a document dropped just after boot). Any failure (old browser, odd archive) returns false
// and the caller falls back to loadPackage.

/** Hex sha256 (the lock's format) -> the `sha256-<base64>` form fetch's `integrity` option takes. */
function integrity(hex) {
  let bin = "";
  for (let i = 0; i < hex.length; i += 2) bin += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return "sha256-" + btoa(bin);
}

/** The file entries of a zip archive with a safe relative name (no directory entries, no absolute path,
 *  no `..`), as {name, method, data}; no zip64: wheels this small never need it. web/tools/make-snapshot.mjs
 *  uses it too. */
export function entries(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error("not a zip archive");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  const out = [];
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("bad zip central directory");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error("bad zip local header");
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (!name.endsWith("/") && !name.startsWith("/") && !name.split("/").includes("..")) {
      out.push({name, method, data: bytes.subarray(start, start + size)});
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

async function inflate(entry) {
  if (entry.method === 0) return entry.data;
  if (entry.method !== 8) throw new Error(`zip method ${entry.method} in ${entry.name}`);
  // A stream over the bytes in place (a Blob would first copy them to the browser process).
  const source = new ReadableStream({start(c) { c.enqueue(entry.data); c.close(); }});
  const stream = source.pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const SLICE_MS = 8;  // main-thread time per idle slice

const PATIENCE_MS = 10000;  // after this long, unpack even on a page that is never idle

/** A moment when the page has a slice of idle time to spare: not the short gaps between the frames
 *  and tasks of a document being rendered (a file is often dropped just after boot). */
function idle() {
  if (!window.requestIdleCallback) return new Promise((resolve) => setTimeout(resolve, 50));
  const since = performance.now();
  return new Promise((resolve) => {
    const wait = (deadline) => {
      if (deadline.timeRemaining() >= SLICE_MS || performance.now() - since > PATIENCE_MS) resolve();
      else requestIdleCallback(wait, {timeout: PATIENCE_MS});
    };
    requestIdleCallback(wait, {timeout: PATIENCE_MS});
  });
}

async function fetchWheel(pyodide, pkg) {
  const url = new URL(pkg.file_name, pyodide.lockfileBaseUrl || location.href).href;
  const response = await fetch(url, {integrity: integrity(pkg.sha256)});
  if (!response.ok) throw new Error(`${response.status} for ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Write `data` as `target/name` in Pyodide's file system `FS`, making its folders. */
export function writeEntry(FS, target, name, data) {
  const dir = name.split("/").slice(0, -1).join("/");
  if (dir) FS.mkdirTree(`${target}/${dir}`);
  FS.writeFile(`${target}/${name}`, data);
}

let hurried = false;

/** Someone waits for the files (a cell about to run needs a module the snapshot left out): unpack the rest
 * at once, not in idle slices (a busy page may not be idle for seconds). */
export function hurry() {
  hurried = true;
}

/** Unpack the lock's wheels for `names` into `target` (site-packages); true when all of them were. */
export async function installWheels(pyodide, names, target) {
  if (typeof DecompressionStream === "undefined") return false;
  try {
    const lock = pyodide.lockfile.packages;
    for (const name of names) if (!lock[name]) throw new Error(`${name} is not in the lock`);
    const wheels = names.map((name) => fetchWheel(pyodide, lock[name]));  // downloads in parallel
    wheels.forEach((p) => p.catch(() => {}));  // a failure surfaces when that wheel is awaited below
    const FS = pyodide.FS;
    let sliceEnd = 0;
    for (let w = 0; w < names.length; w++) {
      for (const entry of entries(await wheels[w])) {
        if (!hurried && performance.now() > sliceEnd) sliceEnd = (await idle(), performance.now() + SLICE_MS);
        writeEntry(FS, target, entry.name, await inflate(entry));
      }
      try { pyodide.loadedPackages[names[w]] = "default channel"; } catch (_) { /* informational only */ }
    }
    return true;
  } catch (error) {
    console.warn("Fenced: unpacking the wheels in JS failed; using loadPackage.", error);
    return false;
  }
}
