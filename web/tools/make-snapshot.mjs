// Build-time only (run by build.py with Node; never shipped): boot Pyodide, install the vendored wheels into
// its in-memory file system, import the modules the app needs, and save a gzip'd memory snapshot.
// The browser restores it instead of booting CPython and compiling those modules from source.
// Usage: node make-snapshot.mjs PYODIDE_DIR WHEELS_DIR OUT_FILE MODULE[,MODULE...]
import { readFileSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { gzipSync, inflateRawSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [pyodideDir, wheelsDir, outFile, moduleList] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ _makeSnapshot: true, indexURL: pyodideDir + "/" });
// The wheels are unpacked here in Node, straight into Pyodide's file system (whose files live outside
// the Wasm heap): unpacking them with Python's zipfile grew the heap by its buffers, and the snapshot must
// stay within the 30 MiB heap Pyodide restores into (see web/build_steps_snapshot.py).
const site = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
for (const name of readdirSync(wheelsDir).filter((f) => f.endsWith(".whl")).sort()) {
  for (const entry of zipEntries(readFileSync(join(wheelsDir, name)))) {
    if (entry.name.endsWith("/") || entry.name.startsWith("/") || entry.name.split("/").includes("..")) continue;
    const dir = entry.name.split("/").slice(0, -1).join("/");
    if (dir) py.FS.mkdirTree(`${site}/${dir}`);
    py.FS.writeFile(`${site}/${entry.name}`, entry.method === 8 ? inflateRawSync(entry.data) : entry.data);
  }
}
py.globals.set("MODULES", moduleList);
const report = py.runPython(`
import importlib
importlib.invalidate_caches()
import pkgutil
failed = []
names = []
skip = {m[1:] for m in MODULES.split(",") if m.startswith("-")}
for module in MODULES.split(","):
    if module.startswith("-"):
        continue
    if module.endswith(".*"):  # a package and all its submodules
        package = importlib.import_module(module[:-2])
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    else:
        names.append(module)
for module in names:
    if module in skip:
        continue
    try:
        importlib.import_module(module)
    except Exception as exc:  # the app imports it later the ordinary way
        failed.append(f"{module}: {exc!r}")
del MODULES
import gc
gc.collect()  # run finalizers now, not in the browser (where this FS state is gone)
"\\n".join(failed)
`);
if (report) console.error("snapshot: not preloaded:\n" + report);
const snapshot = py.makeMemorySnapshot();
writeFileSync(outFile + ".tmp", gzipSync(snapshot, { level: 6 }));
renameSync(outFile + ".tmp", outFile);
// `used`: bytes the allocator has handed out (mallinfo's uordblks): the headroom left in `heap`.
function allocated(m) {
  if (typeof m._mallinfo !== "function") return null;
  const info = m._malloc(64);
  m._mallinfo(info);
  const used = m.HEAP32[(info >> 2) + 7] >>> 0;
  m._free(info);
  return used;
}
const used = allocated(py._module);
console.log(JSON.stringify({ bytes: snapshot.length, heap: py._module.HEAP8.length, used }));

/** The entries of a zip archive (no zip64: wheels this small never need it): {name, method, data}. */
function zipEntries(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error("not a zip archive");
  const out = [];
  let at = view.getUint32(end + 16, true);
  for (let n = view.getUint16(end + 10, true); n > 0; n--) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("bad zip central directory");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLen = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    out.push({ name, method, data: bytes.subarray(start, start + size) });
    at += 46 + nameLen + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}
