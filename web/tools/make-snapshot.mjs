// Build-time only (run by build.py with Node; never shipped): boot Pyodide, install the vendored wheels into
// its in-memory file system, import the modules the app needs, and save a gzip'd memory snapshot.
// The browser restores it instead of booting CPython and compiling those modules from source.
// Usage: node make-snapshot.mjs PYODIDE_DIR WHEELS_DIR OUT_FILE MODULE[,MODULE...]
import { readFileSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [pyodideDir, wheelsDir, outFile, moduleList] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ _makeSnapshot: true, indexURL: pyodideDir + "/" });
py.FS.mkdirTree("/tmp/wheels");
for (const name of readdirSync(wheelsDir).filter((f) => f.endsWith(".whl"))) {
  py.FS.writeFile(`/tmp/wheels/${name}`, new Uint8Array(readFileSync(join(wheelsDir, name))));
}
py.globals.set("MODULES", moduleList);
const report = py.runPython(`
import importlib, os, shutil, sysconfig, zipfile
site = sysconfig.get_paths()["purelib"]
for name in sorted(os.listdir("/tmp/wheels")):
    with zipfile.ZipFile("/tmp/wheels/" + name) as wheel:  # closed: no file descriptor may be in the heap
        wheel.extractall(site)
shutil.rmtree("/tmp/wheels")
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
console.log(JSON.stringify({ bytes: snapshot.length, heap: py._module.HEAP8.length }));
