"""Helpers for the running-cells browser tests: a real runner on another loopback origin, a page connected
to it, and ways to look at a cell's output. Import the fixtures into a test module to use them."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.view_support import show
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess, ensure_proto

ensure_proto()
TIMEOUT_MS = 30_000  # generous: other test suites share the two cores


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def runner(app_url: str) -> Iterator[RunnerProcess]:
    """A runner that allows the app's origin (a different port, so a different origin)."""
    with RunnerProcess("--allow-origin", origin(app_url), "--stop-grace", "0.5", "--quiet") as proc:
        assert origin(proc.url) != origin(app_url)
        yield proc


def connect(page: Any, app_url: str, runner: RunnerProcess) -> None:
    """Open the app with the runner in the address (`?runner=` and `#token=`) and wait until connected."""
    page.goto(f"{app_url}?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}")
    wait_ready(page)
    wait_runner_state(page, "connected")


def wait_runner_state(page: Any, state: str, timeout_ms: int = TIMEOUT_MS) -> Any:
    return page.wait_for_selector(f"#runner-status[data-runner-state='{state}']", timeout=timeout_ms)


def open_doc(page: Any, text: str, name: str = "run.md") -> None:
    show(page, text, name, timeout_ms=TIMEOUT_MS)


def cells_md(*cells: tuple[str, str] | tuple[str, str, dict[str, str]], frontmatter: str = "") -> str:
    """A runbook of sh cells: (name, script[, extra attributes])."""
    parts = [frontmatter] if frontmatter else []
    for spec in cells:
        name, script = spec[0], spec[1]
        attrs = {"name": name, **(spec[2] if len(spec) > 2 else {})}  # type: ignore[misc]
        parts.append(f"```sh {json.dumps(attrs, separators=(',', ':'))}\n{script}\n```\n")
    return "\n".join(parts)


def cell(page: Any, name: str) -> Any:
    return page.locator(f"#notebook .cell[data-cell-name='{name}']")


def run(page: Any, name: str) -> None:
    cell(page, name).get_by_role("button", name="Run cell").click()


def output_text(page: Any, name: str) -> str:
    return cell(page, name).locator("[data-output-text]").text_content() or ""


def wait_output(page: Any, name: str, needle: str, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until the cell's plain-text output contains `needle`."""
    page.wait_for_function(
        "([name, needle]) => { const el = document.querySelector("
        "`#notebook .cell[data-cell-name='${name}'] [data-output-text]`);"
        " return !!el && el.textContent.includes(needle); }",
        arg=[name, needle], timeout=timeout_ms,
    )  # fmt: skip


def wait_state(page: Any, name: str, state: str, timeout_ms: int = TIMEOUT_MS) -> Any:
    return page.wait_for_selector(f"#notebook .cell[data-cell-name='{name}'][data-state='{state}']", timeout=timeout_ms)


def wait_exit(page: Any, name: str, code: int, timeout_ms: int = TIMEOUT_MS) -> None:
    page.wait_for_selector(f"#notebook .cell[data-cell-name='{name}'][data-exit-code='{code}']", timeout=timeout_ms)


def terminal_lines(page: Any, name: str) -> list[str]:
    """What the cell's xterm.js buffer holds, line by line (after it parsed everything written)."""
    return page.evaluate(
        """async (name) => { const t = document.querySelector(
            `#notebook .cell[data-cell-name='${name}'] .run-terminal`).fencedTerminal;
            await t.flushed(); return t.lines(); }""",
        name,
    )
