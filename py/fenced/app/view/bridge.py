"""Loading the editor bundle (CodeMirror + the view's JS half) and handing it Python callbacks.

The bundle is ~650 kB and takes 20-80 ms of main-thread time to evaluate, so it is not part of boot: its
import starts when the view is created (late in boot, once Python is up), so it downloads while boot
finishes and is evaluated just after the shell is interactive; a document dropped then does not wait for
it. `show` awaits the same import.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import create_proxy, jsnull, to_js

from fenced.app.jsbundle import JsBundle

BUNDLE = "./vendor/editor/editor.js"

_bundle = JsBundle(BUNDLE)
start_loading = _bundle.start_loading  # start importing the bundle (once); an awaitable for the module
load = _bundle.load  # the bundle's module (awaits the same import)


def opt(value: Any) -> Any:
    """JS `null` arrives as `pyodide.ffi.jsnull`, not None: normalise it so `is None` checks work."""
    return None if value is None or value is jsnull else value


def closest(target: Any, selector: str) -> Any:
    """`target.closest(selector)` or None (also for targets that are not elements, e.g. the document)."""
    if target is None or not hasattr(target, "closest"):
        return None
    return opt(target.closest(selector))


def obj(**entries: Any) -> Any:
    """A plain JS object (e.g. options for scrollIntoView/focus)."""
    return to_js(entries, dict_converter=js.Object.fromEntries)


def js_object(entries: dict[str, Any]) -> tuple[Any, list[Any]]:
    """A plain JS object and its proxies: Python callables become persistent proxies that the
    caller must keep alive as long as JS may call them."""
    converted = {k: create_proxy(v) if callable(v) else v for k, v in entries.items()}
    return to_js(converted, dict_converter=js.Object.fromEntries), [
        v for v in converted.values() if callable(v)
    ]


def guarded(handler: Callable[[Any], None], keep: list[Any]) -> Any:
    """A persistent proxy for an event handler that logs a failing handler's traceback to the console
    (an exception raised into JS would only show as an unreadable PythonError). It is appended to `keep`,
    the owner's proxies, so it lives as long as the listener."""

    def safe(event: Any) -> None:
        try:
            handler(event)
        except Exception:
            js.console.error(traceback.format_exc())

    proxy = create_proxy(safe)
    keep.append(proxy)
    return proxy


def listen(
    target: Any, name: str, handler: Callable[[Any], None], keep: list[Any], capture: bool = False
) -> None:
    """`target.addEventListener(name, ...)` with a `guarded` proxy of `handler` kept in `keep`."""
    target.addEventListener(name, guarded(handler, keep), capture)


def js_list(items: list[Any]) -> Any:
    return to_js(items)
