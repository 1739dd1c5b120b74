"""Helpers for the running-cells browser tests: a real runner on another loopback origin, a page connected
to it, and ways to look at a cell's output. Import the fixtures into a test module to use them."""

from __future__ import annotations

import contextlib
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
    """A runner that allows the app's origin (a different port, so a different origin).

    `--allow-host 127.0.0.1`: some tests reach it through a loopback TCP proxy on another port."""
    flags = ("--allow-origin", origin(app_url), "--allow-host", "127.0.0.1", "--stop-grace", "0.5", "--quiet")
    with RunnerProcess(*flags) as proc:
        assert origin(proc.url) != origin(app_url)
        yield proc


def connect(page: Any, app_url: str, runner: RunnerProcess) -> None:
    """Open the app with the runner in the address (`?runner=` and `#token=`) and wait until connected."""
    page.goto(f"{app_url}?runner={urllib.parse.quote(runner.url, safe=':/')}#token={runner.token}")
    wait_ready(page)
    wait_runner_state(page, "connected")


def open_runner_settings(page: Any) -> None:
    """Show the runner's URL and token fields (they are in the runner chip's popover in the header)."""
    if not page.get_by_label("Runner URL").is_visible():
        page.locator(".runner-settings [popovertarget]").first.click()
        page.get_by_label("Runner URL").wait_for()


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
        arg=[name, needle],
        timeout=timeout_ms,
    )


def wait_state(page: Any, name: str, state: str, timeout_ms: int = TIMEOUT_MS) -> Any:
    return page.wait_for_selector(
        f"#notebook .cell[data-cell-name='{name}'][data-state='{state}']", timeout=timeout_ms
    )


def wait_exit(page: Any, name: str, code: int, timeout_ms: int = TIMEOUT_MS) -> None:
    page.wait_for_selector(
        f"#notebook .cell[data-cell-name='{name}'][data-exit-code='{code}']", timeout=timeout_ms
    )


class TcpProxy:
    """A loopback TCP proxy in front of the runner whose connections the test can cut: a network loss
    that also breaks streams already open (browser offline emulation leaves those alone)."""

    def __init__(self, target_port: int) -> None:
        import socket
        import threading

        self.target_port = target_port
        self.refuse = False
        self._socks: list[Any] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if self.refuse:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:  # the runner behind it is down (as some tests make it): so is this connection
                client.close()
                continue
            with self._lock:
                self._socks += [client, upstream]
            done = threading.Barrier(2, action=lambda c=client, u=upstream: (c.close(), u.close()))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b, done), daemon=True).start()

    @staticmethod
    def _pump(src: Any, dst: Any, done: Any) -> None:
        """Copy one direction; pass a half-close on. Sockets are closed only when both directions are
        done (closing one under the other thread's blocked recv would let a new connection reuse its fd)."""
        import socket

        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
        done.wait()

    def cut(self) -> None:
        """Drop every open connection (and, while `refuse` is set, every new one)."""
        import socket

        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)  # wakes both pumps, which then close the pair

    def close(self) -> None:
        self._server.close()
        self.cut()


def terminal_lines(page: Any, name: str) -> list[str]:
    """What the cell's xterm.js buffer holds, line by line (after it parsed everything written)."""
    return page.evaluate(
        """async (name) => { const t = document.querySelector(
            `#notebook .cell[data-cell-name='${name}'] .run-terminal`).fencedTerminal;
            await t.flushed(); return t.lines(); }""",
        name,
    )
