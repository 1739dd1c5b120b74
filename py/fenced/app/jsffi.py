"""The app's one bridge to JavaScript: what every room needs when Python talks to the page.

Pyodide's foreign-function interface has a few sharp edges that each room of `fenced.app` used to file
down on its own: JS `null` arrives as `jsnull` (not None), a Python callable handed to JS must be a proxy
that someone keeps alive, an exception raised into a JS event handler shows only as an unreadable
`PythonError`, a task nobody awaits loses its exception, and `localStorage` may be missing or throw. Each
of those is answered once, here.

Nothing here touches the DOM or creates a proxy at import time (the app boots from a memory snapshot made
in Node): proxies are made when a function is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import traceback
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull, to_js

from fenced.app import tasks

__all__ = [
    "JsException",
    "LocalStorage",
    "closest",
    "guarded",
    "is_abort",
    "js_list",
    "js_message",
    "js_object",
    "keep",
    "listen",
    "log_error",
    "obj",
    "opt",
    "spawn",
]

_kept: list[Any] = []  # proxies that live as long as the page (event handlers, callbacks held by JS)


# --- values -------------------------------------------------------------------------------------------


def opt(value: Any) -> Any:
    """None for JS `null`/`undefined` (Pyodide gives `jsnull` or None), else the value: so that `is None`
    checks work on what the DOM returns (`getElementById`, `closest`, `querySelector`...)."""
    return None if value is None or value is jsnull else value


def closest(target: Any, selector: str) -> Any:
    """`target.closest(selector)` or None (also for targets that are not elements, e.g. the document)."""
    if target is None or not hasattr(target, "closest"):
        return None
    return opt(target.closest(selector))


def obj(entries: Mapping[str, Any] | None = None, /, **more: Any) -> Any:
    """A plain JS object from a mapping and/or keywords (nested dicts become objects too; JS values inside
    stay themselves): options for `scrollIntoView`, `addEventListener`, pickers, IndexedDB records..."""
    return to_js({**(entries or {}), **more}, dict_converter=js.Object.fromEntries)


def js_list(items: list[Any]) -> Any:
    """A JS array (nested lists too)."""
    return to_js(items)


def js_object(entries: Mapping[str, Any]) -> Any:
    """A plain JS object whose Python callables become proxies kept alive for the page's lifetime (a set
    of callbacks handed to a JS module once, e.g. the editor bundle's)."""
    return obj({k: keep(v) if callable(v) else v for k, v in entries.items()})


def js_message(exc: BaseException) -> str:
    """The readable part of a JS error (its `message`), or the exception's text."""
    return str(getattr(exc, "message", "") or exc)


def is_abort(exc: BaseException) -> bool:
    """The user closed a picker or dialog (an `AbortError`): not an error worth telling them about."""
    return isinstance(exc, JsException) and getattr(exc, "name", "") == "AbortError"


# --- callables handed to JS ---------------------------------------------------------------------------


def keep(fn: Callable[..., Any]) -> Any:
    """A proxy of `fn` that lives as long as the page. For handlers of elements that stay (the page's
    chrome, the notebook root, dialogs made once); short-lived ones use `create_proxy` and `destroy()`."""
    proxy = create_proxy(fn)
    _kept.append(proxy)
    return proxy


def log_error() -> None:
    """Log the exception being handled, with its traceback, to the browser console."""
    js.console.error(traceback.format_exc())


def guarded(handler: Callable[[Any], Any]) -> Any:
    """A kept proxy of an event handler that logs a failing handler's traceback to the console (raised into
    JS it would only show as an unreadable `PythonError`, and the next handlers would not run)."""

    def safe(event: Any) -> None:
        try:
            handler(event)
        except Exception:
            log_error()

    return keep(safe)


def listen(target: Any, name: str, handler: Callable[[Any], Any], capture: bool = False) -> Any:
    """`target.addEventListener(name, ...)` with a `guarded` proxy of `handler`; returns the proxy."""
    proxy = guarded(handler)
    target.addEventListener(name, proxy, capture)
    return proxy


# --- tasks --------------------------------------------------------------------------------------------

Report = Callable[[BaseException], None]


def spawn(
    coro: Coroutine[Any, Any, Any], report: Report | None = None, eager: bool = False
) -> asyncio.Future[Any]:
    """Run an async handler nobody awaits; a failure is logged to the console with its traceback and, with
    `report`, told to the user, instead of vanishing; the task is held until it is done (`tasks.keep`). `eager`: run it now, up to its first real wait (a
    click's request leaves at once instead of after a timer tick; Python 3.12+, else as usual)."""
    task: asyncio.Future[Any]
    if eager and sys.version_info >= (3, 12):
        task = asyncio.Task(coro, loop=asyncio.get_event_loop(), eager_start=True)
    else:
        task = asyncio.ensure_future(coro)

    def done(t: asyncio.Future[Any]) -> None:
        exc = None if t.cancelled() else t.exception()
        if exc is None:
            return
        js.console.error("".join(traceback.format_exception(exc)))
        if report is not None:
            report(exc)

    task.add_done_callback(done)
    return tasks.keep(task)  # the loop holds tasks only weakly


# --- storage ------------------------------------------------------------------------------------------


class LocalStorage:
    """`localStorage`, guarded: some privacy modes have none, or throw on access or when it is full. Reads
    then find nothing and writes are dropped (the app works, it only forgets across reloads)."""

    @staticmethod
    def _store() -> Any:
        try:
            return opt(js.window.localStorage)
        except Exception:
            return None

    def get(self, key: str) -> str | None:
        store = self._store()
        if store is None:
            return None
        try:
            value = opt(store.getItem(key))
        except Exception:
            return None
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        store = self._store()
        if store is not None:
            try:
                store.setItem(key, value)
            except Exception:
                js.console.warn(f"Fenced: could not store {key} (localStorage refused it)")

    def remove(self, key: str) -> None:
        store = self._store()
        if store is not None:
            with contextlib.suppress(Exception):
                store.removeItem(key)
