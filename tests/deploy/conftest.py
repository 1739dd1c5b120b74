"""Fixtures for the deploy tests: the app and a runner behind the shipped nginx or Caddy recipe, and a
Chromium that trusts the test's self-signed certificate and resolves the test names to loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM_FLAGS, PageErrors, chromium_path
from tests.deploy.proxies import (
    APP_NAME,
    HOST_RULES,
    PROXIES,
    RUNNER_NAME,
    PortTaken,
    ReverseProxy,
    Site,
    free_port,
)
from tests.runner.support import RunnerProcess, ensure_proto

ensure_proto()

# Only these tests accept any certificate: the proxies serve one the test made a moment ago.
TLS_FLAGS = [*CHROMIUM_FLAGS, "--ignore-certificate-errors", f"--host-resolver-rules={HOST_RULES}"]


@dataclass
class Stack:
    """A runner behind a proxy, as deployed: `site` has the URLs the browser uses."""

    kind: str
    runner: RunnerProcess
    proxy: ReverseProxy

    @property
    def site(self) -> Site:
        return self.proxy.site


def runner_flags(app_origin: str) -> list[str]:
    """The flags the recipes document for a runner behind the proxy."""
    return ["--allow-origin", app_origin, "--allow-host", APP_NAME, "--allow-host", RUNNER_NAME]


def start_stack(
    kind: str, dist: Path, tmp: Path, *runner_args: str, read_timeout: str = "1h"
) -> tuple[RunnerProcess, ReverseProxy]:
    """A runner that allows the proxy's origin, and the proxy; the origin's port is chosen first (the
    runner must know it), so when another process takes it before the proxy binds, both start again."""
    for attempt in range(3):
        port = free_port()
        runner = RunnerProcess(
            *runner_flags(f"https://{APP_NAME}:{port}"), "--stop-grace", "0.5", *runner_args
        )
        try:
            proxy = PROXIES[kind](tmp, dist, runner.port, https_port=port, read_timeout=read_timeout)
        except PortTaken:
            runner.terminate()
            if attempt == 2:
                raise
            continue
        except BaseException:
            runner.terminate()
            raise
        return runner, proxy
    raise AssertionError("unreachable")


@pytest.fixture(scope="module", params=sorted(PROXIES))
def stack(request: Any, built_app: Path, tmp_path_factory: Any) -> Iterator[Stack]:
    kind = request.param
    runner, proxy = start_stack(kind, built_app, tmp_path_factory.mktemp(kind), "--quiet")
    with runner, proxy:
        yield Stack(kind, runner, proxy)


@pytest.fixture(scope="module")
def tls_browser(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(executable_path=chromium_path(), args=TLS_FLAGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture()
def tls_page(tls_browser: Any, page_errors: PageErrors) -> Iterator[Any]:
    context = tls_browser.new_context()
    page = context.new_page()
    page_errors.attach(page)
    yield page
    context.close()
    if page_errors.uncaught and not page_errors.expected_uncaught:
        pytest.fail(f"uncaught page errors: {page_errors.uncaught}")
