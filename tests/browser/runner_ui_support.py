"""Helpers for the runner-choice browser tests: the runner chip and its popover, the switch dialog, what the
page keeps in localStorage, and which token went to which runner."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from playwright.sync_api import expect

from tests.browser.run_support import TIMEOUT_MS, origin
from tests.runner.support import RunnerProcess

MARK_CELL = "mark"  # a cell that prints the runner's marker: which runner ran it
MARK_SCRIPT = 'echo "ran-on:$FENCED_TEST_MARK"'


def address(app_url: str, runner: RunnerProcess, token: str | None = None) -> str:
    """The app's URL naming `runner` (and its token) the way `fenced serve` does."""
    quoted = urllib.parse.quote(runner.url, safe=":/")
    return f"{app_url}?runner={quoted}#token={token or runner.token}"


def status(page: Any) -> Any:
    return page.locator("#runner-status")


def storage(page: Any) -> dict[str, str]:
    """Everything the page keeps in localStorage."""
    return page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")


def switch_dialog(page: Any) -> Any:
    return page.get_by_role("dialog")


def open_chip(page: Any) -> Any:
    """Open the runner chip's popover (if it is not open) and return it."""
    popover = page.locator("#runner-popover")
    if not popover.is_visible():
        page.locator("#runner-chip").click()
    expect(popover).to_be_visible()
    return popover


def wait_connected_to(page: Any, runner_url: str, timeout_ms: int = TIMEOUT_MS) -> None:
    """Connected, and the status names this runner's origin."""
    page.wait_for_function(
        "(o) => { const s = document.querySelector('#runner-status');"
        " return s && s.dataset.runnerState === 'connected' && s.textContent.includes(o); }",
        arg=origin(runner_url),
        timeout=timeout_ms,
    )


class TokenLog:
    """Every request the page sends with an Authorization header: (origin, token)."""

    def __init__(self, page: Any) -> None:
        self.sent: list[tuple[str, str]] = []
        self.origins: set[str] = set()  # every origin the page sent anything to
        page.on("request", self._seen)

    def _seen(self, request: Any) -> None:
        self.origins.add(origin(request.url))
        value = request.headers.get("authorization")
        if value:
            self.sent.append((origin(request.url), value.removeprefix("Bearer ")))

    def tokens_sent_to(self, runner: RunnerProcess) -> set[str]:
        return {token for where, token in self.sent if where == origin(runner.url)}


def elapsed_seconds(text: str) -> float | None:
    """The elapsed time a cell's status line shows ("pid 12 · 2.05 s", "850 ms", "1 min 3 s")."""
    if m := re.search(r"(\d+) min (\d+) s", text):
        return int(m[1]) * 60 + int(m[2])
    if m := re.search(r"(\d+(?:\.\d+)?) s\b", text):
        return float(m[1])
    if m := re.search(r"(\d+) ms\b", text):
        return int(m[1]) / 1000
    return None
