"""The app's one testing entry point: what the tests and benchmarks drive that a user does not.

Page hooks (installed by `install`, only when the page asked for them before the app started):
- `window.fencedPython(src)`: run Python `src` in the page (top-level `await` allowed) and resolve with
  `json.dumps` of its global `result` (tests/conftest.py `run_in_page`);
- `window.fencedShowText(text, name)`: show a document from a string, without a file (the view tests,
  bench/ui_run.py).
Python side: `fenced.app.testing.app` is the page's `App` (the view, the file controller, the running
UI), for the code those hooks run (`from fenced.app import testing; testing.app.view.text()`).

The page asks for the hooks by setting `window.fencedTestHooks = true` before the app boots: the tests'
and benchmarks' browser contexts do it with a Playwright init script (`TEST_HOOKS_INIT` in
tests/conftest.py). Nothing a user can click, no address (`?…`, `#…`) and no document content can: a
runbook's HTML arrives after boot and is sanitised, and the flag is read once, at boot. The hooks add no
power to a script already running in the page anyway: PyScript runs any `<script type="py">` added to the
page and hands its interpreter to `whenDefined("py")`, so such a script can run Python without them.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import js

from fenced.app import loader
from fenced.app.jsffi import keep, opt

if TYPE_CHECKING:
    from fenced.app.page import App

FLAG = "fencedTestHooks"  # window.fencedTestHooks = true, set before boot

app: App | None = None  # the page's parts, set by `install` (fenced.app.boot)


def requested() -> bool:
    """Did the page ask for the test hooks (before boot)?"""
    return opt(getattr(js.window, FLAG, None)) is True


def install(page: App) -> bool:
    """Keep `page` for the tests' Python; install the page hooks if they were asked for (True then)."""
    global app
    app = page
    if not requested():
        return False
    js.window.fencedPython = keep(_python)
    js.window.fencedShowText = keep(_show_text)
    return True


async def run_python(src: str) -> str:
    """Run `src` (top-level await allowed) and return json.dumps of its `result`."""
    from pyodide.code import eval_code_async

    await loader.ensure_packages()
    namespace: dict[str, Any] = {"__name__": "__fenced_eval__"}
    await eval_code_async(src, globals=namespace)
    return json.dumps(namespace.get("result"))


def _python(src: str) -> Any:
    return asyncio.ensure_future(run_python(str(src)))


def _show_text(text: str, name: str = "untitled.md") -> Any:
    from fenced.app.view.events import DocumentRef

    assert app is not None
    return asyncio.ensure_future(app.view.show(str(text), DocumentRef(str(name))))
