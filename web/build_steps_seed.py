"""Build step, after all the others: the boot code cache's seed, `vendor/pyodide/codecache-seed.json`.

At boot PyScript compiles its bootstrap, its `pyscript` package and `main.py` from source, and V8 compiles
CPython's parser and compiler to machine code on their first use: ~350 ms of a first visit's start on this
machine (1.13 → 0.78 s to interactive, measured with the store filled by hand). fenced.app.codecache keeps
those code objects in IndexedDB for the next load; this seed is what a load with nothing stored takes
instead: the same entries, recorded by loading the built app once in headless Chromium
(web/tools/seed-codecache.py). An entry is only ever used for the exact source, file name and options it
was compiled from, so a seed that does not match the page simply misses.

Needs Playwright and Chromium (`./dev test` installs both; $FENCED_CHROMIUM names another browser).
Without them the build ships no seed and says so: a first visit then compiles, as before. Reruns only
when what the page boots from changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

LAST = True  # build.py runs it after the other steps: it boots what they built
SEED = Path("vendor") / "pyodide" / "codecache-seed.json"


def _chromium() -> str | None:
    path = os.environ.get("FENCED_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


def _stamp(out: Path) -> str:
    """What a boot compiles depends on: the page, the app's scripts, PyScript, Pyodide and the snapshot."""
    h = hashlib.sha256()
    for folder in ("web", "vendor/pyscript", "vendor/pyodide"):
        for path in sorted((out / folder).rglob("*")):
            if path.is_file() and path.name != SEED.name:
                st = path.stat()
                h.update(f"{path.relative_to(out)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    h.update((out / "index.html").read_bytes())
    return h.hexdigest()


def build(root: Path, out: Path, log: Callable[[str], None]) -> None:
    target = out / SEED
    stamp_file = root / ".cache" / "codecache-seed.stamp"
    stamp = _stamp(out)
    if target.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    target.unlink(missing_ok=True)  # the seeding load must compile everything itself
    chromium = _chromium()
    try:
        import playwright  # noqa: F401
    except ImportError:
        chromium = None
    if chromium is None:
        log("no Playwright or Chromium: no boot code cache seed (a first visit compiles at boot)")
        return
    log("recording the boot code cache seed (headless Chromium)")
    proc = subprocess.run(
        [sys.executable, str(root / "web" / "tools" / "seed-codecache.py"), str(out), str(target), chromium],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if proc.returncode != 0 or not target.exists():
        target.unlink(missing_ok=True)
        log(f"no boot code cache seed: {(proc.stderr or proc.stdout).strip()[-1500:]}")
        return
    log(f"boot code cache seed: {proc.stdout.strip()}")
    stamp_file.parent.mkdir(exist_ok=True)
    stamp_file.write_text(stamp)
