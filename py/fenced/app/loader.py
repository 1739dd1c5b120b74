"""Lazy loading of the libraries that boot does not need.

Normally the app starts from the build's memory snapshot (see build.py `make_snapshot`), in which every
module of fenced and of the document libraries (markdown-it-py, ruamel.yaml, tomlkit, python-ulid) is
already imported: nothing needs loading, and `ensure_packages()` returns at once. Their wheels' files are
still installed, at idle time, so that tracebacks show source lines. They are unpacked by web/wheels.mjs
(native inflate, a few ms of main-thread time) rather than by `loadPackage`, whose unpacking in Python
blocked the main thread for ~300 ms just after boot, delaying the user's first drop by as much.

Without a snapshot (it failed to restore, or a build without Node), only the `fenced` wheel loads with
the interpreter and the libraries are fetched from the vendored lock right after the shell is
interactive; anything that needs them awaits `ensure_packages()`.
"""

from __future__ import annotations

import asyncio

LAZY_PACKAGES = [
    "fenced",
    "markdown-it-py",
    "mdurl",
    "ruamel-yaml",
    "tomlkit",
    "python-ulid",
]  # lock (PEP 503) names
IDLE_TIMEOUT_MS = 2_000  # install the files within this long even on a busy page

_task: asyncio.Future[None] | None = None
_files: asyncio.Future[None] | None = None  # the wheels' files being put in site-packages
_hurried = False  # web/wheels.mjs was told to unpack at once


def snapshot_restored() -> bool:
    """True when Python came from the build's memory snapshot (web/pyodide-boot.mjs marks it)."""
    import js

    marks = getattr(js.window, "fencedBoot", None)
    return bool(marks and getattr(marks.marks, "snapshot", None))


WHEELS_MODULE = "./web/wheels.mjs"


async def _load() -> None:
    import pyodide_js

    await pyodide_js.loadPackage(LAZY_PACKAGES, checkIntegrity=True)


async def _unpack_files() -> None:
    """After a snapshot boot: put the wheels' files in site-packages (web/wheels.mjs), else loadPackage."""
    import importlib
    import json
    import sysconfig

    import js
    import pyodide_js
    from pyodide.code import run_js
    from pyodide.ffi import to_js

    try:
        url = js.URL.new(WHEELS_MODULE, js.document.baseURI).href
        module = await run_js(f"import({json.dumps(url)})")
        done = await module.installWheels(pyodide_js, to_js(LAZY_PACKAGES), sysconfig.get_paths()["purelib"])
    except Exception as exc:
        js.console.warn(f"Fenced: {exc}")
        done = False
    if done:
        importlib.invalidate_caches()
    else:
        await _load()


def _unpack_once() -> asyncio.Future[None]:
    global _files
    if _files is None:
        _files = asyncio.ensure_future(_unpack_files())
    return _files


async def _load_when_idle() -> None:
    from fenced.app.idle import when_idle

    await when_idle(IDLE_TIMEOUT_MS, fallback_ms=1000)
    await _unpack_once()


def start_loading() -> asyncio.Future[None]:
    """Begin loading the lazy packages once (at idle time after a snapshot boot); later calls share it."""
    global _task
    if _task is None:
        _task = asyncio.ensure_future(_load_when_idle() if snapshot_restored() else _load())
    return _task


async def ensure_packages() -> None:
    """Return once fenced.document and its libraries can be imported."""
    if snapshot_restored():
        return
    await start_loading()


async def ensure_modules() -> None:
    """Return once every module of fenced can be imported, including those the boot snapshot leaves out
    (its heap is full: they are imported where first used). After a snapshot boot their files come with
    the wheels' files, unpacked now if idle time has not come yet."""
    if snapshot_restored():
        if _files is not None and _files.done():  # the common case: a run's first step, without a wait
            return
        await _hurry()
        await _unpack_once()
    else:
        await start_loading()


async def _hurry() -> None:
    """Tell web/wheels.mjs to unpack without waiting for idle time (also an unpacking under way)."""
    global _hurried
    if _hurried:
        return
    _hurried = True
    import json

    import js
    from pyodide.code import run_js

    try:
        url = js.URL.new(WHEELS_MODULE, js.document.baseURI).href
        module = await run_js(f"import({json.dumps(url)})")
        module.hurry()
    except Exception as exc:  # the unpacking still happens, at idle time
        js.console.warn(f"Fenced: {exc}")
