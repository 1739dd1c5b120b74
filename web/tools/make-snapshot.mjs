// Build-time only (run by build.py with Node; never shipped): boot Pyodide, install the vendored wheels into
// its in-memory file system, import the modules the app needs, and save a gzip'd memory snapshot.
// The browser restores it instead of booting CPython and compiling those modules from source.
// Usage: node make-snapshot.mjs PYODIDE_DIR WHEELS_DIR OUT_FILE MODULE[,MODULE...]
import { readFileSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { gzipSync, inflateRawSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { entries as zipEntries, writeEntry } from "../wheels.mjs";

const [pyodideDir, wheelsDir, outFile, moduleList] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ _makeSnapshot: true, indexURL: pyodideDir + "/" });
// The wheels are unpacked here in Node, straight into Pyodide's file system (whose files live outside
// the Wasm heap): unpacking them with Python's zipfile grew the heap by its buffers, and the snapshot must
// stay within the 30 MiB heap Pyodide restores into (see web/build_steps_snapshot.py).
const site = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
for (const name of readdirSync(wheelsDir).filter((f) => f.endsWith(".whl")).sort()) {
  for (const entry of zipEntries(readFileSync(join(wheelsDir, name)))) {
    writeEntry(py.FS, site, entry.name, entry.method === 8 ? inflateRawSync(entry.data) : entry.data);
  }
}
py.globals.set("MODULES", moduleList);
const report = py.runPython(`
import importlib
import sys
importlib.invalidate_caches()
import gc
import pkgutil
failed = []
skip = {m[1:] for m in MODULES.split(",") if m.startswith("-")}


def load(module):
    try:
        importlib.import_module(module)
    except Exception as exc:  # the app imports it later the ordinary way
        failed.append(f"{module}: {exc!r}")
    gc.collect()  # the import machinery leaves cycles: freed now, they never push the heap past 30 MiB


# In the listed order, a package's submodules right after it: what is imported early has the most room
# for the transient memory of compiling it, so big modules come first in the list.
for module in MODULES.split(","):
    if module.startswith("-") or module in skip:
        continue
    if module.endswith(".*"):  # a package and all its submodules
        load(module[:-2])
        package = sys.modules.get(module[:-2])
        if package is not None:
            for sub in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                if sub.name not in skip:
                    load(sub.name)
    else:
        load(module)
del MODULES, load
# Nothing open may be captured: a file descriptor in the snapshot is invalid in the browser, and closing
# it there fails ("Exception ignored ... ZipFile.__del__ ... Bad file descriptor", issue 14). The one
# known holder: importlib.metadata caches a zip reader of python314.zip per sys.path entry (FastPath),
# filled when python-ulid asks for its own version at import. invalidate_caches() clears that cache.
importlib.invalidate_caches()
gc.collect()  # run finalizers now, not in the browser (where this FS state is gone)
"\\n".join(failed)
`);
if (report) console.error("snapshot: not preloaded:\n" + report);
// Open file descriptors, as Emscripten's file system sees them (read in JS: walking Python's objects for
// them would grow the very heap being measured). 0-2 are the standard streams.
const openFiles = (py.FS.streams || []).flatMap((s, fd) => (s && fd > 2 ? [`fd ${fd}: ${s.path}`] : []));
if (openFiles.length) {
  console.error("snapshot: refused, files left open (their descriptors would be invalid in the browser):\n" + openFiles.join("\n"));
  process.exit(3);
}
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
