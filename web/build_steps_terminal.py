"""Front-end bundle for cell output: xterm.js + its fit addon + Fenced's glue (web/terminal/index.js).

Called by build.py as `build(root, out, log)`. esbuild (an exact-pinned npm devDependency) writes
`dist/vendor/terminal/terminal.js` (ESM, minified) and, from the CSS the entry imports,
`dist/vendor/terminal/terminal.css`. A stamp of every input's size and mtime (the entry's folder,
package-lock.json, this file) makes an unchanged build skip esbuild entirely (a few stat calls).
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

ENTRY = "web/terminal/index.js"
TARGET = "vendor/terminal/terminal.js"  # relative to dist/; terminal.css lands next to it


def _key(root: Path, entry: Path) -> str:
    paths = [*sorted(p for p in entry.parent.rglob("*") if p.is_file()), root / "package-lock.json", Path(__file__)]
    h = hashlib.sha256()
    for p in paths:
        st = p.stat()
        h.update(f"{p.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def build(root: Path, out: Path, log: Callable[[str], None]) -> None:
    entry, target = root / ENTRY, out / TARGET
    stamp = target.with_name(target.name + ".stamp")
    key = _key(root, entry)
    css = target.with_suffix(".css")
    if target.exists() and css.exists() and stamp.exists() and stamp.read_text() == key:
        return
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise SystemExit("build: node_modules/.bin/esbuild is missing; run `npm ci`.")
    log(f"bundling {ENTRY} -> {TARGET}")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(esbuild), str(entry), "--bundle", "--format=esm", "--minify", "--target=es2020",
         "--legal-comments=none", "--log-level=warning", f"--outfile={target}"],
        cwd=root, check=True,
    )  # fmt: skip
    stamp.write_text(key)
