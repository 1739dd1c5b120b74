"""Shared pytest fixtures: the built app served statically, Chromium via Playwright, pages with Python ready.

Browser fixtures are session-scoped where they are expensive (build, server, browser) and function-scoped
where isolation matters (a fresh browser context, i.e. a fresh profile, per test). Every page collects
console errors and uncaught page errors; a test fails on any uncaught page error.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
FIXTURES = ROOT.parent / "shared" / "fixtures" / "runme"
CORPUS_MISSING = (
    f"Runme's fixtures are not at {FIXTURES} (the `shared/` folder next to this repository): the tests "
    "that read them are skipped (with CI set, they fail)"
)


def require_corpus() -> Path:
    """Runme's fixtures, read in place (never copied into the repository). Without them (a clone on its own)
    the calling test is skipped, every one with this same message; under CI a missing corpus is a failure."""
    if FIXTURES.is_dir():
        return FIXTURES
    if os.environ.get("CI"):
        pytest.fail(
            CORPUS_MISSING.replace("are skipped (with CI set, they fail)", "fail: CI is set"), pytrace=False
        )
    pytest.skip(CORPUS_MISSING)


@pytest.fixture
def runme_corpus() -> Path:
    """For a test that reads Runme's fixtures (see `require_corpus`)."""
    return require_corpus()


def pytest_report_header() -> str | None:
    return None if FIXTURES.is_dir() else CORPUS_MISSING


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """Every skip for the missing corpus reported at one place, so that `-ra` folds them into one line."""
    report = yield
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and longrepr[2].endswith(CORPUS_MISSING):
        report.longrepr = (__file__, _SKIP_LINE, longrepr[2])
    return report


_SKIP_LINE = require_corpus.__code__.co_firstlineno


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The browser to drive: $FENCED_CHROMIUM, else Debian's /usr/bin/chromium."""
    path = os.environ.get("FENCED_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path}. Install Debian's `chromium` (apt-get install chromium) "
            "or point FENCED_CHROMIUM at a Chromium binary."
        )
    return path


@pytest.fixture(scope="session")
def built_app() -> Path:
    """Build dist/ (a no-op when nothing changed) and return its path."""
    sys.path.insert(0, str(ROOT))
    try:
        import build  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT))
    return build.build(DIST)


@pytest.fixture(scope="session")
def app_url(built_app: Path) -> Iterator[str]:
    """Base URL (with trailing slash) of the built app on an ephemeral loopback port."""
    from fenced.static import serving

    with serving(built_app) as url:
        yield url


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture()
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    yield ctx
    ctx.close()


class PageErrors:
    """Console errors and uncaught exceptions seen by a page."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.uncaught: list[str] = []
        self.expected_uncaught = False

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.uncaught.append(str(e)))


@pytest.fixture()
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture()
def page(context: Any, page_errors: PageErrors) -> Iterator[Any]:
    """A fresh page; the test fails if the page raised an uncaught error (unless it declared it expected)."""
    pg = context.new_page()
    page_errors.attach(pg)
    yield pg
    if page_errors.uncaught and not page_errors.expected_uncaught:
        pytest.fail(f"uncaught page errors: {page_errors.uncaught}")


def wait_ready(page: Any, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector("body[data-app-state='ready']", timeout=timeout_ms)


def wait_until(page: Any, predicate: str, arg: Any = None, timeout_ms: int = 30_000) -> Any:
    """`page.wait_for_function` for a predicate that is async (the clipboard, IndexedDB, the origin
    private file system): Playwright takes the Promise such a predicate returns for a truthy value and
    returns at once, so it would not wait at all. This evaluates it (awaiting it) until it is truthy, and
    returns that value; polls every 50 ms, and fails after `timeout_ms`."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not (value := page.evaluate(predicate, arg)):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_ms} ms waiting for: {predicate}")
        page.wait_for_timeout(50)  # the poll interval; the loop waits on the predicate
    return value


@pytest.fixture()
def ready_page(page: Any, app_url: str) -> Any:
    """The app loaded with Python ready and the shell interactive."""
    page.goto(app_url)
    wait_ready(page)
    return page


def run_in_page(page: Any, src: str, timeout_ms: int = 60_000) -> Any:
    """Run Python `src` in the page's Pyodide (top-level await allowed); return its global `result`."""
    import json

    page.set_default_timeout(timeout_ms)
    return json.loads(page.evaluate("src => window.fencedPython(src)", src))
