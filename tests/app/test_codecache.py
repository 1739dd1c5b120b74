"""The boot compile cache: a module compiled at one boot is not compiled at the next, and nothing stale,
damaged or from another interpreter is ever served (fenced.app.codecache; the browser side is in
tests/browser/test_boot.py)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fenced.app import codecache


@pytest.fixture()
def package(tmp_path: Path, monkeypatch: Any) -> Iterator[Path]:
    """A fresh importable module `cc_probe` (no bytecode files, so its source is compiled on import)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "cc_probe.py").write_text("def answer():\n    return 42\n")
    importlib.invalidate_caches()
    yield tmp_path
    sys.modules.pop("cc_probe", None)
    codecache.finish()


def boot(blobs: dict[str, bytes], version: str = codecache.VERSION) -> Any:
    """One 'page load': install the store, import the module afresh."""
    sys.modules.pop("cc_probe", None)
    before = codecache.hits
    codecache.install(version, blobs)
    module = importlib.import_module("cc_probe")
    return module, codecache.hits - before


def test_a_module_compiled_at_one_boot_is_served_at_the_next(package: Path) -> None:
    module, hits = boot({})
    assert module.answer() == 42 and hits == 0
    used, fresh = codecache.finish()
    assert used == [] and len(fresh) == 1
    module, hits = boot(fresh)
    assert module.answer() == 42 and hits == 1
    used, again = codecache.finish()
    assert used == list(fresh) and again == {}  # the store keeps what was used, nothing new to add


def test_a_changed_source_another_interpreter_or_damage_means_compiling(package: Path) -> None:
    boot({})
    _, fresh = codecache.finish()
    (package / "cc_probe.py").write_text("def answer():\n    return 7\n")
    module, hits = boot(fresh)
    assert module.answer() == 7 and hits == 0
    codecache.finish()
    (package / "cc_probe.py").write_text("def answer():\n    return 42\n")
    module, hits = boot(fresh, version="another CPython")
    assert module.answer() == 42 and hits == 0
    codecache.finish()
    module, hits = boot(dict.fromkeys(fresh, b"\x00garbage"))
    assert module.answer() == 42 and hits == 0


def test_after_boot_nothing_is_served_or_recorded(package: Path) -> None:
    boot({})
    codecache.finish()
    sys.modules.pop("cc_probe", None)
    module = importlib.import_module("cc_probe")  # not booting: compiled as usual
    assert module.answer() == 42
    assert codecache.finish() == ([], {})


def test_keys_cover_every_input() -> None:
    base = codecache.key("module", "/a.py", -1, b"x = 1\n")
    assert base == codecache.key("module", "/a.py", -1, b"x = 1\n")
    assert (
        len(
            {
                base,
                codecache.key("module", "/b.py", -1, b"x = 1\n"),
                codecache.key("module", "/a.py", 2, b"x = 1\n"),
                codecache.key("module", "/a.py", -1, b"x = 2\n"),
                codecache.key("eval", "/a.py", -1, b"x = 1\n"),
            }
        )
        == 5
    )
