"""Start the app: wire the shell, expose test hooks, mark `<body data-app-state="ready">`."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

import js
from pyodide.ffi import create_proxy

from fenced.app import loader
from fenced.app.tasks import background

_proxies: list[Any] = []  # keep event-handler proxies alive for the page's lifetime


async def _run_python(src: str) -> str:
    """Test hook body: run `src` (top-level await allowed) and return json.dumps of its `result`."""
    from pyodide.code import eval_code_async

    await loader.ensure_packages()
    namespace: dict[str, Any] = {"__name__": "__fenced_eval__"}
    await eval_code_async(src, globals=namespace)
    return json.dumps(namespace.get("result"))


def _fenced_python(src: str) -> Any:
    return asyncio.ensure_future(_run_python(src))


def _start_files(document: Any) -> None:
    """The notebook view and the file controller that feeds it (open/save/drafts, fenced.app.files)."""
    from fenced.app.files.controller import FilesController
    from fenced.app.view import NotebookView

    files = FilesController.instance = FilesController()
    files.attach(NotebookView(document.getElementById("notebook"), files.on_change))
    files.install()


def _start_run() -> None:
    """Running cells on a runner (fenced.app.run): Run buttons, the runner connection, terminals."""
    from fenced.app import run
    from fenced.app.files.controller import FilesController

    files = FilesController.instance
    assert files is not None, "_start_files runs first"
    try:
        run.install(files.view, files)
    except Exception:  # the editor stays usable without running
        import traceback

        js.console.error(traceback.format_exc())


def _install_hooks() -> None:
    hook = create_proxy(_fenced_python)
    _proxies.append(hook)
    js.window.fencedPython = hook


def _reseed() -> None:
    """A memory snapshot restores the random module's state too: reseed so every page load differs."""
    import random

    random.seed()


def _save_code_cache() -> None:
    """Boot's compiling is over: hand what it compiled to the store for the next load (fenced.app.codecache)."""
    from fenced.app import codecache

    used, fresh = codecache.finish()
    store = getattr(js.window, "fencedCodeCache", None)  # web/codecache.js
    save = getattr(store, "save", None) if store is not None else None
    if save is None or not (used or fresh):
        return
    from pyodide.ffi import to_js

    async def write() -> None:
        try:
            await save(codecache.VERSION, to_js(used), to_js(fresh, dict_converter=js.Object.fromEntries))
        except Exception as exc:
            js.console.info(f"Fenced: boot code cache not saved: {exc}")

    background(write())


async def start() -> None:
    document = js.document
    _reseed()
    _install_hooks()
    _start_files(document)
    _start_run()
    for button in document.querySelectorAll(".file-actions button"):
        button.disabled = False
    document.getElementById("loading").hidden = True
    document.body.dataset.appState = "ready"
    js.fencedBoot.mark("ready")
    _save_code_cache()
    loader.start_loading()
    # What exists now lives as long as the page: keep it out of later full GC passes (in Pyodide one
    # over the booted heap takes ~50 ms, e.g. the view's after showing a document; see NotebookView.show).
    gc.freeze()
