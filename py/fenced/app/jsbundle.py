"""A front-end bundle of dist/ (CodeMirror for the view, xterm.js for run output), imported on first need.

The bundles are large, so neither is part of boot: callers start the import early (`start_loading`, e.g.
while boot finishes) and await the same import where they need the module (`load`). Nothing happens at
construction, so module-level instances are safe in the build's memory snapshot (made in Node, no DOM).
"""

from __future__ import annotations

import json
from typing import Any

import js
from pyodide.code import run_js


class JsBundle:
    """One ES module, by URL relative to the page; imported once and cached."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._loading: Any = None
        self._module: Any = None

    def start_loading(self) -> Any:
        """Start importing the bundle (once); returns an awaitable for the module."""
        if self._loading is None:
            href = js.URL.new(self.url, js.document.baseURI).href
            self._loading = run_js(f"import({json.dumps(href)})")
        return self._loading

    @property
    def loaded(self) -> Any:
        """The bundle's module if it was imported, else None (for code that must not wait)."""
        return self._module

    async def load(self) -> Any:
        """The bundle's module, importing it first if need be."""
        if self._module is None:
            self._module = await self.start_loading()
        return self._module
