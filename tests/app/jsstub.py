"""Importing fenced.app's browser modules under CPython, for tests that only need what they declare.

The browser modules import `js` and `pyodide` at the top but touch nothing at import time (the boot
snapshot is made in Node, with no DOM), so stand-ins that hand out inert objects are enough to import
them and call their pure parts (e.g. the command tables). Nothing that needs a page works with them.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Inert:
    """Any attribute, any call: another Inert."""

    def __getattr__(self, name: str) -> Any:
        return Inert()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return Inert()


def _stubs() -> dict[str, types.ModuleType]:
    js = types.ModuleType("js")
    js.__getattr__ = lambda name: Inert()  # type: ignore[method-assign]
    pyodide = types.ModuleType("pyodide")
    pyodide.__path__ = []
    ffi = types.ModuleType("pyodide.ffi")

    class JsException(Exception):
        pass

    ffi.JsException = JsException  # type: ignore[attr-defined]
    for name in ("create_proxy", "create_once_callable", "to_js"):
        setattr(ffi, name, lambda *a, **k: Inert())
    ffi.jsnull = object()  # type: ignore[attr-defined]
    code = types.ModuleType("pyodide.code")
    code.run_js = lambda *a, **k: Inert()  # type: ignore[attr-defined]
    code.eval_code_async = lambda *a, **k: None  # type: ignore[attr-defined]
    return {"js": js, "pyodide": pyodide, "pyodide.ffi": ffi, "pyodide.code": code}


@contextmanager
def browser_modules() -> Iterator[None]:
    """Within: `js` and `pyodide` import. After: they, and every fenced.app module imported meanwhile, are
    gone again (other tests check that the pure modules import without a browser)."""
    before = set(sys.modules)
    sys.modules.update(_stubs())
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            del sys.modules[name]
        for name in ("js", "pyodide", "pyodide.ffi", "pyodide.code"):
            sys.modules.pop(name, None)
