"""Fixtures for runner tests: generated proto code present, a shared real runner, a client factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.runner.support import RunnerProcess, ensure_proto, load_generate

ensure_proto()


@pytest.fixture(scope="session")
def proto_generate() -> Any:
    return load_generate()


@pytest.fixture(scope="session")
def runner() -> Iterator[RunnerProcess]:
    """One runner for the tests that do not need special settings."""
    # Stop's grace before SIGTERM: long enough that bash's EXIT trap (which spawns `env`) finishes after a
    # SIGINT even on a loaded machine (0.5 s made "exit 130" tests see 143 there), short for escalation tests.
    with RunnerProcess("--stop-grace", "3", "--quiet") as proc:
        yield proc


@pytest.fixture()
def client(runner: RunnerProcess) -> Callable[[], Any]:
    """A factory: each test's event loop needs its own httpx client."""
    from fenced.connect import RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    def make() -> RunnerClient:
        return RunnerClient(runner.url, runner.token, transport=HttpxTransport())

    return make
