// Unpacks the vendored pure-Python wheels into Pyodide's site-packages from JS, used by fenced.app.loader
// after a memory-snapshot boot (the modules are already imported from the snapshot; their files are only
// needed for tracebacks' source lines and for a module imported later).
//
// Why not `pyodide.loadPackage`: it unpacks each wheel in Python (zipfile + shutil inside wasm), which costs
// ~300 ms of main-thread time for our six wheels, right when the user is likely to drop their first file.
// Here the browser checks each wheel against the lock's sha256 (fetch `integrity`), inflates the entries
// with the native DecompressionStream and writes them with FS.writeFile: a few ms of main-thread work,
// cut into small tasks. Any failure (old browser, odd archive) returns false and the caller falls back
// to loadPackage.

/** Hex sha256 (the lock's format) -> the `sha256-<base64>` form fetch's `integrity` option takes. */
function integrity(hex) {
  let bin = "";
  for (let i = 0; i < hex.length; i += 2) bin += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return "sha256-" + btoa(bin);
}

/** The entries of a zip archive (no zip64: wheels this small never need it). */
function entries(bytes) {
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
    out.push({name, method, data: bytes.subarray(start, start + size)});
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

async function inflate(entry) {
  if (entry.method === 0) return entry.data;
  if (entry.method !== 8) throw new Error(`zip method ${entry.method} in ${entry.name}`);
  const stream = new Blob([entry.data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function installOne(pyodide, pkg, target) {
  const url = new URL(pkg.file_name, pyodide.lockfileBaseUrl || location.href).href;
  const response = await fetch(url, {integrity: integrity(pkg.sha256)});
  if (!response.ok) throw new Error(`${response.status} for ${url}`);
  const files = entries(new Uint8Array(await response.arrayBuffer()));
  const contents = await Promise.all(files.map((e) => (e.name.endsWith("/") ? null : inflate(e))));
  const FS = pyodide.FS;
  files.forEach((e, i) => {
    const parts = e.name.split("/");
    if (contents[i] === null || e.name.startsWith("/") || parts.includes("..")) return;
    if (parts.length > 1) FS.mkdirTree(`${target}/${parts.slice(0, -1).join("/")}`);
    FS.writeFile(`${target}/${e.name}`, contents[i]);
  });
  try { pyodide.loadedPackages[pkg.name] = "default channel"; } catch (_) { /* informational only */ }
}

/** Unpack the lock's wheels for `names` into `target` (site-packages); true when all of them were. */
export async function installWheels(pyodide, names, target) {
  if (typeof DecompressionStream === "undefined") return false;
  try {
    const lock = pyodide.lockfile.packages;
    for (const name of names) {
      if (!lock[name]) throw new Error(`${name} is not in the lock`);
      await installOne(pyodide, lock[name], target);
      await new Promise((resolve) => setTimeout(resolve, 0));  // one wheel per task: input stays responsive
    }
    return true;
  } catch (error) {
    console.warn("Fenced: unpacking the wheels in JS failed; using loadPackage.", error);
    return false;
  }
}
