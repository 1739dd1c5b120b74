"""Build step: a Pyodide memory snapshot with CPython booted and the app's modules imported.

Most of a cold start is CPython booting and compiling modules inside wasm. This step boots Pyodide once in
Node (web/tools/make-snapshot.mjs), installs the vendored wheels into its in-memory file system, imports
SNAPSHOT_MODULES and writes `vendor/pyodide/snapshot.bin.gz`; web/pyodide-boot.mjs restores it in the
browser and falls back to an ordinary boot when it is missing or does not restore. It reruns only when
Pyodide, the lock (so any wheel, including fenced's own) or this list change.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]

# Modules imported before the snapshot is taken: what boot and the first document open need.
SNAPSHOT_MODULES = [
    "asyncio",
    "json",
    "re",
    "dataclasses",
    "typing",
    "enum",
    "functools",
    "collections",
    "html",
    "base64",
    "hashlib",
    "datetime",
    "textwrap",
    "string",
    "random",
    "pyodide.ffi",
    "pyodide.code",
    "pyodide.webloop",
    "pyodide.http",
    # What Pyodide's package loader runs when the lazy wheels are installed after boot.
    "pyodide._package_loader",
    "zipfile",
    "shutil",
    "tempfile",
    "pathlib",
    "sysconfig",
    "importlib.metadata",
    # ruamel.yaml.* too: loading YAML imports ruamel.yaml.mergevalue on first use, and the wheels' files
    # only arrive at idle time after boot (fenced.app.loader), too late for a file dropped at once.
    "markdown_it.*",
    "-markdown_it.cli.parse",  # markdown-it's command line (argparse: ~260 KiB of the heap), never used here
    "mdurl",
    "ruamel.yaml.*",
    "-ruamel.yaml.cyaml",
    "-ruamel.yaml.clibz.setup",
    "tomlkit",
    # Not python-ulid (~1 MiB of the heap with the importlib.metadata lookup of its own version, which is
    # also what left python314.zip open in the snapshot: issue 14): only "Save with outputs" makes ULIDs,
    # long after the wheels' files are there (fenced.app.loader.ensure_modules).
    "-ulid",
    "fenced.document.*",
    # The HTML export (File > Export HTML..., `fenced export`) is imported when it is used: with it in the
    # snapshot, import-time peaks grew the heap past what Pyodide restores.
    "-fenced.document.export",
    "-fenced.document.export_style",
    "-fenced.document.highlight",
    # So are the rest of the production work's modules (secrets, masking, outputs files, run history, the
    # report): the heap sits right at Pyodide's 30 MiB, and an arena that does not fit grows it by 6 MiB.
    "-fenced.document.inline",
    "-fenced.document.history",
    "-fenced.document.ansi",
    "-fenced.document.outputs",
    "-fenced.app.run.runlog",
    "-fenced.app.run.report",
    "-fenced.app.run.historypanel",
    "fenced.connect.*",
    "-fenced.connect.httpx_transport",  # CPython-only transport
    # The app's modules import `js` but touch no DOM at import time (keep it so: the snapshot is made in Node).
    "fenced.app.*",
]
# Pyodide sizes the restored heap at its compiled default (30 MiB) whatever the snapshot says, so a heap
# that grew past it cannot restore (pyodide#6254): such a snapshot is not shipped; the app boots the slow way.
SNAPSHOT_MAX_HEAP = 30 * 1024 * 1024


def build(root: Path, out: Path, log: Callable[[str], None]) -> None:
    """Write vendor/pyodide/snapshot.bin.gz (see web/pyodide-boot.mjs) when its inputs changed."""
    folder = out / "vendor" / "pyodide"
    target = folder / "snapshot.bin.gz"
    script = root / "web" / "tools" / "make-snapshot.mjs"
    cache = root / ".cache"
    node = shutil.which("node")
    if not node:
        log("node not found: no Python snapshot (the app still works, it only starts slower)")
        target.unlink(missing_ok=True)
        return
    h = hashlib.sha256()
    for path in (
        script,
        root / "web" / "wheels.mjs",
        folder / "pyodide-lock.json",
        *(folder / n for n in PYODIDE_FILES),
    ):
        st = path.stat()
        h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    h.update((folder / "pyodide-lock.json").read_bytes())
    h.update(",".join(SNAPSHOT_MODULES).encode())
    stamp = cache / "snapshot.stamp"
    skipped = cache / "snapshot.skipped"
    if stamp.exists() and stamp.read_text() == h.hexdigest() and (target.exists() or skipped.exists()):
        return
    cache.mkdir(exist_ok=True)
    stamp.unlink(missing_ok=True)
    skipped.unlink(missing_ok=True)
    log("making the Python memory snapshot (Node)")
    proc = subprocess.run(
        [
            node,
            str(script),
            str(root / "node_modules" / "pyodide"),
            str(folder),
            str(target),
            ",".join(SNAPSHOT_MODULES),
        ],
        capture_output=True,
        text=True,
        check=False,  # a failed snapshot is reported below and the app falls back to an ordinary boot
    )
    problem = ""
    if proc.returncode != 0:
        problem = f"snapshot failed:\n{proc.stderr[-2000:]}"
    else:
        if proc.stderr.strip():
            log(proc.stderr.strip())
        sizes = json.loads(proc.stdout.strip().splitlines()[-1])
        heap, used = sizes["heap"], sizes.get("used")
        if used:
            log(
                f"snapshot: Python has {used / 2**20:.1f} MiB allocated in the {SNAPSHOT_MAX_HEAP / 2**20:.0f} MiB heap Pyodide restores"
            )
        if heap > SNAPSHOT_MAX_HEAP:
            problem = (
                f"the snapshot's heap ({heap} bytes) exceeds what Pyodide restores; trim SNAPSHOT_MODULES"
            )
    if problem:
        log(f"{problem}\nthe app will start without a snapshot (slower)")
        target.unlink(missing_ok=True)
        skipped.write_text(problem)
    stamp.write_text(h.hexdigest())
