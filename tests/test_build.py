"""build.py: the output is self-contained (lock names exactly the vendored wheels with their real hashes),
and a second run with nothing changed downloads nothing (no pip, no npm) and rewrites nothing."""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

sys.path.remove(str(ROOT))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dist")
    build.build(target)
    return target


def test_lock_names_exactly_the_vendored_wheels_with_real_hashes(out: Path) -> None:
    folder = out / "vendor" / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    assert lock["info"]["python"].startswith("3.14")
    wheels = {p.name for p in folder.glob("*.whl")}
    assert {e["file_name"] for e in lock["packages"].values()} == wheels
    for entry in lock["packages"].values():
        data = (folder / entry["file_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
        assert "/" not in entry["file_name"]  # relative: the folder can be hosted anywhere
    for name in ("fenced", "markdown-it-py", "mdurl", "micropip", "packaging"):
        assert name in lock["packages"]
    config = json.loads((out / "pyscript.json").read_text())
    assert config["packages_cache"] in ("never", "passthrough")
    for name in build.PYODIDE_FILES:
        assert (folder / name).stat().st_size > 0
    # The memory snapshot was made (a module that touches the DOM at import time would break it).
    assert (folder / "snapshot.bin.gz").stat().st_size > 1_000_000
    assert config["interpreter"] == "./web/pyodide-boot.mjs"
    # The config and main.py are written into the page: no request for either in the chain boot waits on.
    page = (out / "index.html").read_text()
    entry = re.search(r"<script type=\"py\" config='([^']*)'>\n(.*?)</script>", page, re.S)
    assert entry is not None and "pyscript.json" not in page and 'src="./web/main.py"' not in page
    assert json.loads(html.unescape(entry.group(1))) == config
    assert entry.group(2) == (build.ROOT / "web" / "main.py").read_text()


def test_fenced_wheel_carries_only_browser_packages(out: Path) -> None:
    import zipfile

    wheel = out / "vendor" / "pyodide" / build.wheel_filename("fenced", build.FENCED_VERSION)
    names = zipfile.ZipFile(wheel).namelist()
    assert "fenced/__init__.py" in names
    assert any(n.startswith("fenced/app/") for n in names)
    assert not any(n.startswith(("fenced/runner/", "fenced/commands/", "fenced/_proto/")) for n in names)
    assert not any("__pycache__" in n for n in names)


def test_second_build_downloads_and_rewrites_nothing(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a no-change build must not run {args!r}")

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(subprocess, "run", no_subprocess)
    build.build(out)
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert after == before
