#!/usr/bin/env python3
"""Build the static Fenced app into `dist/`: a folder that can be copied to any static host as is.

What goes in, all vendored at build time with pinned versions and checked hashes (no CDN at run time):
- Pyodide core (npm `pyodide`) and PyScript (npm `@pyscript/core`), from `node_modules/`, which `npm ci`
  fills from `package-lock.json` (npm checks every tarball's sha512 integrity there);
- pure-Python wheels from PyPI, downloaded for Pyodide and checked against the sha256 pins below;
- the browser side of Fenced itself (`fenced.document`, `fenced.connect`, `fenced.app`) as a wheel;
- the app shell: `index.html`, `web/`, and `pyscript.json` next to `index.html`.

The loading recipe, and why it is the simplest robust one:
- PyScript in main-thread mode (worker mode needs COOP/COEP headers that a plain static host does not send,
  and a worker cannot call `preventDefault()` synchronously on a drop event).
- `pyscript.json` points `interpreter` at the vendored `pyodide.mjs`; Pyodide then takes its `indexURL`,
  and so its `pyodide-lock.json`, from that folder.
- The npm `pyodide` package ships a lock but no wheels, and the lock's hashes are of Pyodide's own rebuilds,
  so we write our own lock: Pyodide's `info` header plus exactly the wheels we vendor, each with a relative
  `file_name` and its real sha256. Pyodide verifies every wheel against it. Nothing else is listed, so a
  package we do not ship fails loudly instead of 404-ing on a CDN path.
- `packages_cache: "passthrough"` hands `packages` straight to `loadPyodide` (no micropip at boot, no
  IndexedDB copy that would go stale when a wheel changes). Only the `fenced` wheel loads at boot; the
  document libraries (markdown-it-py, ruamel.yaml, ...) are loaded lazily by `fenced.app` after the shell
  is interactive.

- Start-up: most of a cold start is CPython booting and compiling modules inside wasm. The build therefore
  boots Pyodide once in Node, imports what the app needs, and ships a gzip'd memory snapshot;
  `web/pyodide-boot.mjs` (PyScript's `interpreter`) restores it, and falls back to an ordinary boot if it
  is missing or does not restore (the step lives in web/build_steps_snapshot.py).

A second run with nothing changed does no downloads and little copying: every step compares inputs first.
Usage: `python build.py [--clean] [--out DIR]`.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
NODE_MODULES = ROOT / "node_modules"

# Pure-Python wheels for the browser, downloaded from PyPI for Pyodide (CPython 3.14, any platform).
# name -> (sha256 of the wheel, import names, dependencies by lock name). The version is the pin in
# pyproject.toml's [project] dependencies (one source for both sides), or BROWSER_ONLY_PINS for packages
# only the browser needs; bumping a pin means updating its sha256 here (the download checks it).
BROWSER_WHEELS: dict[str, tuple[str, list[str], list[str]]] = {
    "markdown-it-py": (
        "7aa1511a46c39138de78d9eba92ce47e63124d8003fc98b3a351909e04239efa",
        ["markdown_it"],
        ["mdurl"],
    ),
    "mdurl": ("84008a41e51615a49fc9966191ff91509e3c40b939176e643fd50a5c2196b8f8", ["mdurl"], []),
    "ruamel.yaml": ("27592957fedf6e0b62f281e96effd28043345e0e66001f97683aa9a40c667c93", ["ruamel"], []),
    "tomlkit": ("05562412163a3037b94497385fb7f9204c637bc605af7a48199e41cf2272f437", ["tomlkit"], []),
    "python-ulid": ("46992012f74638f286fcaff33904ba2510e51d9018b73af8c3f9b65014d52c1b", ["ulid"], []),
    "packaging": ("81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2", ["packaging"], []),
    "micropip": (
        "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3",
        ["micropip"],
        ["packaging"],
    ),
}
BROWSER_ONLY_PINS = {"packaging": "26.4", "micropip": "0.11.1"}


# Libraries `fenced.document` needs; the app loads them lazily after boot (see fenced.app.loader).
LAZY_PACKAGES = ["fenced", "markdown-it-py", "mdurl", "ruamel-yaml", "tomlkit", "python-ulid"]

# npm packages vendored into dist; their versions are package.json's pins (node_modules must match them).
NPM_VENDORED = ("pyodide", "@pyscript/core")
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]

# The subpackages of `fenced` that run in the browser (the runner and the CLI never ship).
BROWSER_SUBPACKAGES = ["document", "connect", "app"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FENCED_VERSION: str = PYPROJECT["project"]["version"]

_FIXED_ZIP_TIME = (1985, 10, 26, 8, 15, 0)  # deterministic wheel bytes: unchanged code, unchanged hash


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write only when the bytes differ, so unchanged outputs keep their mtime (and ETag)."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy when size or mtime differ (mtime is preserved, so a second build sees them equal)."""
    s = src.stat()
    if dst.exists():
        d = dst.stat()
        if d.st_size == s.st_size and int(d.st_mtime) == int(s.st_mtime):
            return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    os.utime(tmp, (s.st_atime, s.st_mtime))
    os.replace(tmp, dst)
    return True


# --- npm ------------------------------------------------------------------------------------------


def ensure_node_modules() -> None:
    """Run `npm ci` when node_modules is missing or older than package-lock.json."""
    marker = NODE_MODULES / ".package-lock.json"
    lock = ROOT / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if not npm:
        sys.exit("build: npm is not installed; install Node.js 20+ (which brings npm) and run again.")
    log("npm ci (package-lock.json changed or node_modules missing)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    marker.touch()


def check_npm_pins() -> None:
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    for name in NPM_VENDORED:
        version = pins[name]
        meta = json.loads((NODE_MODULES / name / "package.json").read_text())
        if meta["version"] != version:
            sys.exit(f"build: node_modules/{name} is {meta['version']}, expected {version}; run `npm ci`.")


def vendor_pyodide(out: Path) -> dict[str, Any]:
    """Copy Pyodide's core files; return the `info` header of its lock for ours."""
    src = NODE_MODULES / "pyodide"
    for name in PYODIDE_FILES:
        copy_if_changed(src / name, out / "vendor" / "pyodide" / name)
    info: dict[str, Any] = json.loads((src / "pyodide-lock.json").read_text())["info"]
    return info


def vendor_pyscript(out: Path) -> None:
    """Copy PyScript's dist (its lazily imported chunks included; source maps left out)."""
    src = NODE_MODULES / "@pyscript" / "core" / "dist"
    dst = out / "vendor" / "pyscript"
    wanted = {p.name for p in src.iterdir() if p.is_file() and not p.name.endswith(".map")}
    for name in sorted(wanted):
        copy_if_changed(src / name, dst / name)
    _remove_extras(dst, wanted)


def _remove_extras(folder: Path, wanted: set[str]) -> None:
    if folder.exists():
        for p in folder.iterdir():
            if p.is_file() and p.name not in wanted:
                p.unlink()


# --- wheels ---------------------------------------------------------------------------------------


def browser_pins() -> dict[str, str]:
    """Each browser wheel's version: pyproject.toml's `name==version` pin, else BROWSER_ONLY_PINS."""
    pinned = {canonical(name): version for name, version in BROWSER_ONLY_PINS.items()}
    for requirement in PYPROJECT["project"]["dependencies"]:
        name, exact, version = requirement.partition("==")
        if exact:
            pinned[canonical(name)] = version.strip()
    missing = [name for name in BROWSER_WHEELS if canonical(name) not in pinned]
    if missing:
        sys.exit(f"build: no exact pin (name==version) in pyproject.toml for {', '.join(missing)}")
    return {name: pinned[canonical(name)] for name in BROWSER_WHEELS}


def wheel_filename(name: str, version: str) -> str:
    return f"{name.replace('-', '_').replace('.', '_')}-{version}-py3-none-any.whl"


def fetch_wheels() -> dict[str, Path]:
    """Download the pinned wheels into .cache/wheels unless a copy with the right hash is there."""
    cache = CACHE / "wheels"
    cache.mkdir(parents=True, exist_ok=True)
    pins = browser_pins()
    paths = {name: cache / wheel_filename(name, pins[name]) for name in BROWSER_WHEELS}
    missing = [n for n, p in paths.items() if not (p.exists() and sha256_of(p) == BROWSER_WHEELS[n][0])]
    if missing:
        log(f"downloading wheels for Pyodide: {', '.join(missing)}")
        with tempfile.TemporaryDirectory() as tmp:
            req = Path(tmp) / "requirements.txt"
            req.write_text("".join(f"{n}=={pins[n]} --hash=sha256:{BROWSER_WHEELS[n][0]}\n" for n in missing))
            run_pip(
                [
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--require-hashes",
                    "--only-binary=:all:",
                    "--python-version",
                    "3.14",
                    "--implementation",
                    "py",
                    "--abi",
                    "none",
                    "--platform",
                    "any",
                    "-d",
                    tmp,
                    "-r",
                    str(req),
                ]
            )
            for n in missing:
                got = Path(tmp) / paths[n].name
                if sha256_of(got) != BROWSER_WHEELS[n][0]:
                    sys.exit(f"build: {got.name} does not match its sha256 in build.py's BROWSER_WHEELS")
                shutil.move(got, paths[n])
    return paths


# pip warns once per package about each configured file:// index that does not exist on this machine (a
# mirror in the pip config that is not mounted here); dozens of those would bury a real problem.
_PIP_NOISE = re.compile(
    r"WARNING: Location 'file://[^']*' is ignored: it is neither a file nor a directory\."
)


def run_pip(args: list[str]) -> None:
    """`python -m pip ARGS`, its output shown without the noise above; a failure stops the build."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if not _PIP_NOISE.fullmatch(line):
            print(line, file=sys.stderr, flush=True)
    if proc.returncode != 0:
        sys.exit(f"build: pip {args[0]} failed (exit status {proc.returncode}): see its output above")


def build_fenced_wheel(out_dir: Path) -> Path:
    """Package the browser subpackages of py/fenced as a deterministic wheel."""
    pkg = ROOT / "py" / "fenced"
    files: list[Path] = [pkg / "__init__.py"]
    for sub in BROWSER_SUBPACKAGES:
        if (pkg / sub).is_dir():
            files += sorted(p for p in (pkg / sub).rglob("*.py") if "__pycache__" not in p.parts)
    dist_info = f"fenced-{FENCED_VERSION}.dist-info"
    entries: list[tuple[str, bytes]] = [(p.relative_to(pkg.parent).as_posix(), p.read_bytes()) for p in files]
    # fenced/__init__.py takes its __version__ from here in the browser (and from pip's metadata elsewhere).
    entries.append(
        ("fenced/_version.py", f'__version__ = "{FENCED_VERSION}"  # from pyproject.toml\n'.encode())
    )
    entries.append(
        (
            f"{dist_info}/METADATA",
            f"Metadata-Version: 2.1\nName: fenced\nVersion: {FENCED_VERSION}\n".encode(),
        )
    )
    entries.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: fenced-build\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    entries.append((f"{dist_info}/top_level.txt", b"fenced\n"))
    record = "".join(f"{n},sha256={_urlsafe_b64_sha(d)},{len(d)}\n" for n, d in entries)
    record += f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))
    target = out_dir / wheel_filename("fenced", FENCED_VERSION)
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    write_if_changed(target, buf.getvalue())
    return target


def _urlsafe_b64_sha(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def canonical(name: str) -> str:
    """Pyodide looks packages up by their normalised name (PEP 503): `ruamel.yaml` -> `ruamel-yaml`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def write_lock(out: Path, info: dict[str, Any], wheels: dict[str, Path], fenced_wheel: Path) -> None:
    """Our pyodide-lock.json: Pyodide's header plus exactly the wheels in dist, with real hashes."""
    pyodide_dir = out / "vendor" / "pyodide"
    packages: dict[str, dict[str, Any]] = {}
    pins = browser_pins()
    for name, src in wheels.items():
        version, (_, imports, depends) = pins[name], BROWSER_WHEELS[name]
        copy_if_changed(src, pyodide_dir / src.name)
        packages[canonical(name)] = _lock_entry(
            canonical(name), version, src.name, sha256_of(src), imports, [canonical(d) for d in depends]
        )
    packages["fenced"] = _lock_entry(
        "fenced", FENCED_VERSION, fenced_wheel.name, sha256_of(fenced_wheel), ["fenced"], []
    )
    wanted = {p.name for p in wheels.values()} | {fenced_wheel.name}
    for p in pyodide_dir.glob("*.whl"):
        if p.name not in wanted:
            p.unlink()
    lock = {"info": info, "packages": dict(sorted(packages.items()))}
    write_if_changed(pyodide_dir / "pyodide-lock.json", (json.dumps(lock, indent=1) + "\n").encode())


def _lock_entry(
    name: str, version: str, file_name: str, sha: str, imports: list[str], depends: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "file_name": file_name,
        "install_dir": "site",
        "sha256": sha,
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
        "tool": {},
    }


# --- app shell ------------------------------------------------------------------------------------


def _build_only(rel: Path) -> bool:
    """Files under web/ that drive the build and are never served (build steps, Node tools, bundle sources)."""
    return (
        "__pycache__" in rel.parts
        or rel.parts[0] in ("tools", "editor", "terminal")
        or rel.name.startswith("build_steps")
    )


ENTRY_TAG = '<script type="py" src="./web/main.py" config="./pyscript.json"></script>'


def inline_entry(config: Mapping[str, object]) -> str:
    """index.html with PyScript's config and `web/main.py` written into its `<script type="py">`: each was
    one more request in a chain of requests that boot waits on (PyScript fetches the config before it
    loads the interpreter, and main.py once Python is ready): ~10 ms each on loopback, a round trip each
    behind a slow link. `pyscript.json` and `web/main.py` stay beside it for reading."""
    page = (ROOT / "index.html").read_text(encoding="utf-8")
    if ENTRY_TAG not in page:
        raise SystemExit(f"build: index.html has no {ENTRY_TAG}")
    code = (ROOT / "web" / "main.py").read_text(encoding="utf-8")
    if "</" in code:
        raise SystemExit("build: web/main.py cannot be inlined (it contains '</')")
    attr = html.escape(json.dumps(config, separators=(",", ":")), quote=False).replace("'", "&#x27;")
    return page.replace(ENTRY_TAG, f"<script type=\"py\" config='{attr}'>\n{code}</script>")


def copy_shell(out: Path) -> None:
    """index.html, pyscript.json and web/ (the app's own files)."""
    config = {
        # Our loader wraps vendor/pyodide/pyodide.mjs and restores the build's memory snapshot.
        "interpreter": "./web/pyodide-boot.mjs",
        "packages": ["fenced"],
        "packages_cache": "passthrough",
        # Setting index_urls keeps PyScript from importing its CDN package graph to warn about names.
        "index_urls": [],
        # No red `.py-error` blocks on the page for stderr lines: uncaught Python errors become one plain
        # message (fenced.app.errors), and boot failures the load-error panel (web/boot.js). The other
        # plugins serve tags and APIs the app does not use (<script type="py-editor">, "py-game", a
        # terminal attribute, the donkey worker API, warnings about PyScript's old tags); each was a
        # module to fetch and compile at every boot.
        "plugins": ["!error", "!deprecations-manager", "!donkey", "!py-editor", "!py-game", "!py-terminal"],
    }
    write_if_changed(out / "pyscript.json", (json.dumps(config, indent=2) + "\n").encode())
    write_if_changed(out / "index.html", inline_entry(config).encode())
    web = ROOT / "web"
    wanted: set[Path] = set()
    for src in web.rglob("*"):
        if src.is_file() and not _build_only(src.relative_to(web)):
            rel = src.relative_to(web)
            wanted.add(rel)
            copy_if_changed(src, out / "web" / rel)
    for dst in list((out / "web").rglob("*")) if (out / "web").exists() else []:
        if dst.is_file() and dst.relative_to(out / "web") not in wanted:
            dst.unlink()


# --- generated code -------------------------------------------------------------------------------


def generate_protos() -> None:
    """Regenerate py/fenced/_proto from proto/ when a .proto is newer than the output."""
    script = ROOT / "proto" / "generate.py"
    if not script.exists():
        return
    out = ROOT / "py" / "fenced" / "_proto"
    inputs = [script, *sorted((ROOT / "proto").rglob("*.proto"))]
    stamp = out / ".stamp"
    key = json.dumps([[str(p.relative_to(ROOT)), p.stat().st_mtime_ns, p.stat().st_size] for p in inputs])
    if stamp.exists() and stamp.read_text() == key:
        return
    log("generating Python code from proto/")
    spec = importlib.util.spec_from_file_location("fenced_proto_generate", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(out)
    stamp.write_text(key)


# --- extra steps (front-end bundles) ------------------------------------------------------------------


def run_extra_steps(out: Path) -> None:
    """Steps contributed by web/build_steps*.py (e.g. bundling CodeMirror or xterm.js with esbuild), in name
    order; each module has `build(root, out, log)` and must be a quick no-op when nothing changed."""
    for steps in sorted((ROOT / "web").glob("build_steps*.py")):
        spec = importlib.util.spec_from_file_location(f"fenced_web_{steps.stem}", steps)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.build(root=ROOT, out=out, log=log)


def build(out: Path, clean: bool = False) -> Path:
    started = time.perf_counter()
    if clean and out.exists():
        shutil.rmtree(out)
    ensure_node_modules()
    check_npm_pins()
    generate_protos()
    info = vendor_pyodide(out)
    vendor_pyscript(out)
    wheels = fetch_wheels()
    fenced_wheel = build_fenced_wheel(out / "vendor" / "pyodide")
    write_lock(out, info, wheels, fenced_wheel)
    copy_shell(out)
    run_extra_steps(out)  # web/build_steps*.py: editor and terminal bundles, the Python memory snapshot
    log(f"built {out} in {time.perf_counter() - started:.2f} s")
    return out


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the static Fenced app (vendored, offline) into a folder."
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--clean", action="store_true", help="delete the output folder first")
    args = parser.parse_args(list(argv) if argv is not None else None)
    build(args.out.resolve(), clean=args.clean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
