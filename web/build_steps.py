"""Front-end bundles for the static build, one ESM file each, made by esbuild (an exact-pinned npm devDependency):
- CodeMirror 6 plus Fenced's editor glue (`web/editor/index.js`), with DOMPurify for rendered Markdown
  (`web/editor/sanitize.js`) -> `dist/vendor/editor/editor.js`;
- xterm.js, its fit addon and Fenced's glue for cell output (`web/terminal/index.js`) ->
  `dist/vendor/terminal/terminal.js`, and `terminal.css` next to it from the CSS the entry imports.

Called by build.py as `build(root, out, log)`. Each entry is bundled with everything it imports from
node_modules, minified, no source map. The step is incremental: a stamp next to each output records the size
and mtime of every input (the entry's folder, package-lock.json, this file); when they match and the outputs
exist, esbuild is not run at all, so an unchanged build stays well under a second.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

BUNDLES = {
    # output (relative to dist/) -> entry (relative to the repo root), and whether esbuild writes a .css beside it
    "vendor/editor/editor.js": ("web/editor/index.js", False),
    "vendor/terminal/terminal.js": ("web/terminal/index.js", True),
}


def _inputs(root: Path, entry: Path) -> list[Path]:
    files = sorted(p for p in entry.parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [*files, root / "package-lock.json", Path(__file__)]


def _key(root: Path, paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        st = p.stat()
        h.update(
            f"{p.relative_to(root) if p.is_relative_to(root) else p}|{st.st_size}|{st.st_mtime_ns}\n".encode()
        )
    return h.hexdigest()


def bundle(root: Path, entry: Path, target: Path, log: Callable[[str], None], css: bool = False) -> bool:
    """Bundle `entry` into `target` (and its CSS, if `css`, beside it) unless the stamp says nothing changed;
    True when esbuild ran."""
    stamp = target.with_name(target.name + ".stamp")
    key = _key(root, _inputs(root, entry))
    outputs = [target, target.with_suffix(".css")] if css else [target]
    if all(p.exists() for p in outputs) and stamp.exists() and stamp.read_text() == key:
        return False
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise SystemExit("build: node_modules/.bin/esbuild is missing; run `npm ci`.")
    log(f"bundling {entry.relative_to(root)} -> {target.relative_to(target.parents[2])}")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(esbuild),
            str(entry),
            "--bundle",
            "--format=esm",
            "--minify",
            "--target=es2020",
            "--legal-comments=none",
            "--log-level=warning",
            f"--outfile={target}",
        ],
        cwd=root,
        check=True,
    )
    stamp.write_text(key)
    return True


def build(root: Path, out: Path, log: Callable[[str], None]) -> None:
    for rel_out, (rel_entry, css) in BUNDLES.items():
        bundle(root, root / rel_entry, out / rel_out, log, css)
