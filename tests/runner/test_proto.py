"""The proto is the source of truth: generated code must match it, and buf's linter must accept it."""

from __future__ import annotations

import filecmp
import subprocess
from pathlib import Path

from tests.runner.support import ROOT


def _tree(root: Path) -> dict[str, bytes]:
    """Generated files by relative path (the build's own bookkeeping, e.g. a .stamp, is not compared)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }


def test_generated_code_is_not_stale(proto_generate, tmp_path: Path) -> None:
    fresh = tmp_path / "_proto"
    proto_generate.generate(fresh)
    current = ROOT / "py" / "fenced" / "_proto"
    stale = _tree(current) != _tree(fresh)
    assert not stale, f"{current} is stale: run `python proto/generate.py` (or build.py)"
    assert filecmp.cmp(current / "runner" / "v1" / "runner_pb2.py", fresh / "runner" / "v1" / "runner_pb2.py")


def test_generate_refuses_to_clobber_a_foreign_directory(proto_generate, tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    try:
        proto_generate.generate(tmp_path)
    except RuntimeError as exc:
        assert "refusing" in str(exc)
    else:
        raise AssertionError("generate() replaced a directory it did not write")
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_buf_lint() -> None:
    buf = ROOT / "node_modules" / ".bin" / "buf"
    result = subprocess.run(
        [str(buf), "lint", "proto"], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
