"""Regenerate the Python code of the runner's wire from `proto/` (the single source of truth).

Recipe: grpcio-tools' bundled `protoc` writes Google protobuf classes (`*_pb2.py` + `.pyi`) and the
`protoc-gen-connectrpc` plugin (run with `protobuf=google`) writes the Connect server/client stubs
(`*_connect.py`). Both ship as PyPI packages pinned in pyproject.toml, so no network or extra binary is
needed. Google protobuf rather than connectrpc's default protobuf-py because its codegen plugin
(`protoc-gen-py`) is not in the dependency set, while grpcio-tools and protobuf are.

Output layout: `proto/fenced/<pkg>/<ver>/x.proto` -> `OUT/<pkg>/<ver>/x_pb2.py`, so with
OUT = `py/fenced/_proto` the runner imports `fenced._proto.runner.v1.runner_pb2`. The stubs import
their messages relatively, so the tree works wherever it is placed. OUT is owned by this script: it is
replaced as a whole and marked with `GENERATED`; never edit or commit it.

    python proto/generate.py [OUT]          # default OUT: py/fenced/_proto next to this repo's proto/
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
DEFAULT_OUT = PROTO_ROOT.parent / "py" / "fenced" / "_proto"
PACKAGE_PREFIX = "fenced"  # proto packages are fenced.<pkg>.<ver>; the prefix is dropped in OUT
MARKER = "GENERATED"
INIT_TEXT = '"""Generated from proto/ by proto/generate.py. DO NOT EDIT."""\n'


def proto_files() -> list[str]:
    """The .proto files to compile, relative to `proto/` (sorted, so output is deterministic)."""
    return sorted(
        p.relative_to(PROTO_ROOT).as_posix() for p in (PROTO_ROOT / PACKAGE_PREFIX).rglob("*.proto")
    )


def _plugin_path() -> str:
    """protoc-gen-connectrpc next to this interpreter (a venv), else on PATH."""
    name = "protoc-gen-connectrpc"
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: pip install protoc-gen-connectrpc (see pyproject.toml)")
    return found


def _run_protoc(tmp: Path) -> None:
    import grpc_tools  # only to locate its bundled well-known .proto files

    include = Path(grpc_tools.__file__).parent / "_proto"
    tmp.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "grpc_tools.protoc",
        f"-I{PROTO_ROOT}", f"-I{include}",
        f"--python_out={tmp}", f"--pyi_out={tmp}",
        f"--plugin=protoc-gen-connectrpc={_plugin_path()}",
        f"--connectrpc_out=protobuf=google:{tmp}",
        *proto_files(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"protoc failed ({proc.returncode}):\n{proc.stderr}")


def generate(out_dir: Path) -> None:
    """Write the generated package tree for every .proto under `proto/fenced/` into `out_dir` (replaced)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise RuntimeError(f"refusing to replace {out_dir}: it exists and was not written by {__file__}")
    with tempfile.TemporaryDirectory(prefix="fenced-proto-") as raw:
        tmp = Path(raw)
        _run_protoc(tmp / "gen")
        src = tmp / "gen" / PACKAGE_PREFIX
        staged = tmp / "out"
        shutil.copytree(src, staged)
        for directory in [staged, *(p for p in staged.rglob("*") if p.is_dir())]:
            (directory / "__init__.py").write_text(INIT_TEXT)
        (staged / MARKER).write_text("Generated from proto/ by proto/generate.py; replaced on every build.\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staged, out_dir)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUT
    generate(out)
    print(f"generated {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
