"""Fixtures for runner tests: generated proto code present, a shared real runner, a client factory."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROTO_OUT = ROOT / "py" / "fenced" / "_proto"


def _load_generate():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("fenced_proto_generate", ROOT / "proto" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


if not (PROTO_OUT / "GENERATED").exists():  # a fresh checkout before `build.py`: generate as the build would
    _load_generate().generate(PROTO_OUT)

from tests.runner.support import RunnerProcess  # noqa: E402


@pytest.fixture(scope="session")
def proto_generate():  # type: ignore[no-untyped-def]
    return _load_generate()


@pytest.fixture(scope="session")
def runner() -> Iterator[RunnerProcess]:
    """One runner for the tests that do not need special settings."""
    with RunnerProcess("--stop-grace", "0.5", "--quiet") as proc:
        yield proc


@pytest.fixture()
def client(runner: RunnerProcess):  # type: ignore[no-untyped-def]
    from fenced.connect import RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    def make() -> RunnerClient:
        return RunnerClient(runner.url, runner.token, transport=HttpxTransport())

    return make
