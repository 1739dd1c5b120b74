"""Build-time only (run by web/build_steps_seed.py; never shipped): load the built app once in headless
Chromium, the way a first visitor does, and write what its boot compiled as the boot code cache's seed.

Usage: python seed-codecache.py DIST OUT_FILE CHROMIUM

The page records the code objects it compiled at boot in IndexedDB (fenced.app.codecache, web/codecache.js);
this reads them back and writes them as JSON, {"version": ..., "blobs": {key: base64}}, which codecache.js
fetches on a load that has nothing in IndexedDB yet. Exits non-zero (and the build ships no seed) when the
page does not boot or records nothing.
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "py"))

from fenced.static import serving  # noqa: E402

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READ = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('fenced-codecache', 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('boot').objectStore('boot').get('entries');
    get.onerror = () => reject(get.error);
    get.onsuccess = () => {
      const entry = get.result;
      open.result.close();
      if (!entry) return resolve(null);
      const text = (bytes) => { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };
      resolve({version: entry.version, blobs: Object.fromEntries(Object.entries(entry.blobs).map(([k, v]) => [k, text(v)]))});
    };
  };
})"""


def main(dist: Path, target: Path, chromium: str) -> int:
    from playwright.sync_api import sync_playwright

    with serving(dist) as url, sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium, args=FLAGS, headless=True
        )
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-app-state='ready']", timeout=120_000)
        page.wait_for_function("() => window.fencedCodeCache && window.fencedCodeCache.saved", timeout=60_000)
        entry = page.evaluate(READ)
        context.close()
    if not entry or not entry["blobs"]:
        print("the page recorded no code at boot", file=sys.stderr)
        return 1
    for blob in entry["blobs"].values():
        base64.b64decode(blob, validate=True)
    target.write_text(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
    print(json.dumps({"entries": len(entry["blobs"]), "bytes": target.stat().st_size}))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
