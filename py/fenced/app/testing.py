"""The app's one testing entry point: what the tests and benchmarks drive that a user does not.

Page hooks (installed by `install`, at boot):
- `window.fencedPython(src)`: run Python `src` in the page (top-level `await` allowed) and resolve with
  `json.dumps` of its global `result` (tests/conftest.py `run_in_page`);
- `window.fencedShowText(text, name)`: show a document from a string, without a file (the view tests,
  the deploy tests, bench/ui_run.py).
Python side: `fenced.app.testing.app` is the page's `App` (the view, the file controller, the running
UI), for the code those hooks run (`from fenced.app import testing; testing.app.view.text()`). Nothing
else of the app exists for tests: no class-level `instance`, no other global.

Why the hooks are installed in every page, not only in tests': they let no page script run Python it
could not run without them. PyScript, which boots the app, runs any `<script type="py">` a script adds to
the page and hands its interpreter to `whenDefined("py")` (tests/browser/test_boot.py shows both), so a
script that runs in the page (a sanitiser slip, say) can run Python either way; the line of defence is
that no such script runs (the sanitiser, DOMPurify, the Content-Security-Policy: docs/security.md). And
the tests, benchmarks and deploy checks open the app from many browser contexts of their own: hooks that
needed a flag set in each were a trap every new one fell into. Should PyScript ever stop running
injected scripts, gate the hooks (the guard test fails first, and says so).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import js

from fenced.app import loader
from fenced.app.jsffi import keep

if TYPE_CHECKING:
    from fenced.app.page import App

app: App | None = None  # the page's parts, set by `install` (fenced.app.boot)


def install(page: App) -> None:
    """Keep `page` for the tests' Python and install the page hooks."""
    global app  # the one module-level handle on the page, for the tests' Python
    app = page
    js.window.fencedPython = keep(_python)
    js.window.fencedShowText = keep(_show_text)


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
