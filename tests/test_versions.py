"""One source for the version and the pins: pyproject.toml. The CPython package, the browser wheel (and so
the app's version check) and build.py's wheel pins all read it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import fenced

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

sys.path.remove(str(ROOT))


def test_the_package_reports_pyprojects_version() -> None:
    assert fenced.__version__ == PROJECT["version"]
    assert PROJECT["version"] == build.FENCED_VERSION


def test_the_browser_wheel_reports_the_same_version(tmp_path: Path) -> None:
    """The app compares this with the runner's GetInfo version: the wheel as Pyodide installs it, with no
    other `fenced` on the path (-S: no site-packages, no editable install)."""
    wheel = build.build_fenced_wheel(tmp_path)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = "import sys; sys.path.insert(0, sys.argv[1]); import fenced; print(fenced.__file__, fenced.__version__)"
    out = subprocess.run(
        [sys.executable, "-S", "-c", code, str(site)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    where, version = out.stdout.split()
    assert Path(where).is_relative_to(site)
    assert version == PROJECT["version"]


def test_browser_wheels_use_pyprojects_pins() -> None:
    pins = {}
    for requirement in PROJECT["dependencies"]:
        name, exact, version = requirement.partition("==")
        if exact:
            pins[build.canonical(name)] = version
    browser = build.browser_pins()
    shared = {name for name in browser if build.canonical(name) in pins}
    assert shared >= {"markdown-it-py", "mdurl", "ruamel.yaml", "tomlkit", "python-ulid"}
    assert all(browser[name] == pins[build.canonical(name)] for name in shared)
