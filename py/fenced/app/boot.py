"""Start the app: compose its rooms, wire the shell, mark `<body data-app-state="ready">`.

The composition root of fenced.app: the one module that knows every room. The view comes first; the file
layer (fenced.app.files) and the running UI (fenced.app.run) plug into its extension points, never into
each other (docs/architecture.md, "Rooms of fenced.app").
"""

from __future__ import annotations

import gc

import js

from fenced.app import errors, loader, testing
from fenced.app.jsffi import log_error, obj, spawn
from fenced.app.page import App


def _compose() -> App:
    from fenced.app import run
    from fenced.app.files.controller import FilesController
    from fenced.app.view import NotebookView

    view = NotebookView(js.document.getElementById("notebook"))
    files = FilesController(view)
    files.install()
    try:  # running cells on a runner: Run buttons, the runner connection, terminals
        runner = run.install(view)
    except Exception:  # the editor stays usable without running
        log_error()
        runner = None
    return App(view, files, runner)


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
            await save(codecache.VERSION, to_js(used), obj(fresh))
        except Exception as exc:
            js.console.info(f"Fenced: boot code cache not saved: {exc}")

    spawn(write())


async def start() -> None:
    document = js.document
    errors.install()
    _reseed()
    try:
        page = _compose()
        testing.install(page)
    except Exception as exc:  # the watchdog's panel says so (PyScript's own error display is off)
        log_error()
        js.fencedBoot.fail("Python failed while starting the app.", errors.summary(exc))
        return
    page.view.shell.ready()  # Open, Open folder, the empty state's buttons (Save waits for a document)
    document.getElementById("loading").hidden = True
    document.body.dataset.appState = "ready"
    js.fencedBoot.mark("ready")
    _save_code_cache()
    loader.start_loading()
    # What exists now lives as long as the page: keep it out of later full GC passes (in Pyodide one
    # over the booted heap takes ~50 ms, e.g. the view's after showing a document; see NotebookView.show).
    gc.freeze()
