"""The container image's layout, built here and run: container engines cannot run on these machines, so
the test makes what deploy/container/Containerfile makes (a venv at <root>/opt/fenced from the wheel the
project builds, HOME and the working directory at <root>/work) and runs its ENTRYPOINT with its CMD.

What differs from the image, and why: the root is a temporary directory; the venv gets the wheel's
dependencies from this checkout's virtualenv (a .pth line) instead of from PyPI, and the runner binds an
ephemeral loopback port instead of 0.0.0.0:8765 (tests bind nothing else). The `fenced` package itself
comes from the wheel, which the test checks.
"""

from __future__ import annotations

import base64
import json
import shutil
import site
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.deploy.recipes import containerfile, env_of, exec_form, single
from tests.runner.support import RunnerProcess, ensure_proto

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(out: Path) -> Path:
    """`pip wheel` of this checkout (a copy of it: setuptools writes build files next to the sources)."""
    ensure_proto()  # the wheel packs the generated wire code, as after build.py
    src = out / "src"
    shutil.copytree(ROOT / "py", src / "py", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("fenced-*.whl")
    return wheel


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """<root>/opt/fenced: `python -m venv` + `pip install` of the wheel, as the Containerfile's RUN does."""
    root = tmp_path_factory.mktemp("image")
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    venv = root / "opt" / "fenced"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    packages = next(venv.glob("lib/python*/site-packages"))
    (packages / "fenced-test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    (root / "work").mkdir()
    yield root


def in_root(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def test_the_entrypoint_with_its_cmd_serves_cells_from_the_wheel(image_root: Path) -> None:
    instructions = containerfile()
    entrypoint, cmd = exec_form(instructions, "ENTRYPOINT"), exec_form(instructions, "CMD")
    env = env_of(instructions)
    program = in_root(image_root, entrypoint[0])
    assert program.exists(), f"the venv has no {entrypoint[0]}"
    # the package is the wheel's, not this checkout's
    where = subprocess.run(
        [str(program.with_name("python")), "-c", "import fenced, fenced.runner; print(fenced.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(image_root / "opt" / "fenced" / "lib")), where
    # CMD as is, but on an ephemeral loopback port (the image binds 0.0.0.0:8765 in its own netns)
    args = list(cmd)
    args[args.index("--host") + 1] = "127.0.0.1"
    args[args.index("--port") + 1] = "0"
    home = in_root(image_root, env["HOME"])
    workdir = in_root(image_root, single(instructions, "WORKDIR"))
    token = "container-token-" + "x" * 20
    assert entrypoint[1:] == ["runner"]  # RunnerProcess runs `<command> runner <args>`
    runner = RunnerProcess(
        *args,
        command=[str(program)],
        with_token=False,
        token=token,
        env={"FENCED_RUNNER_TOKEN": token, "HOME": str(home)},  # the token from the environment
        cwd=workdir,
    )
    with runner:
        assert httpx.get(runner.url + "/healthz", timeout=10).text == "ok\n"
        script = 'echo "$HOME|$(pwd)|${BASH_VERSION%%.*}"; ls --version | head -1'
        reply = httpx.post(
            runner.url + "/fenced.runner.v1.RunnerService/Execute",
            content=_envelope({"config": {"script": script, "programName": "bash"}}),
            headers={"content-type": "application/connect+json", "authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert reply.status_code == 200
        output = _stdout(reply.content)
    first, second = output.splitlines()[:2]
    assert first == f"{home}|{workdir}|5"  # bash, in the image's WORKDIR with its HOME
    assert second.startswith("ls (GNU coreutils)")


def _envelope(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"\0" + len(body).to_bytes(4, "big") + body


def _stdout(stream: bytes) -> str:
    out = b""
    while stream:
        size = int.from_bytes(stream[1:5], "big")
        message, stream = json.loads(stream[5 : 5 + size]), stream[5 + size :]
        for event in message.get("events", ()):
            if (
                event.get("output", {}).get("stream", "STREAM_STDOUT") == "STREAM_STDOUT"
                and "output" in event
            ):
                out += base64.b64decode(event["output"]["data"])
    return out.decode()
