"""Lazy loading of the libraries that boot does not need.

Only the `fenced` wheel loads with the interpreter; the document libraries (markdown-it-py, ruamel.yaml,
tomlkit, python-ulid) are fetched from the vendored lock right after the shell is interactive, in the
background, so the first paint does not wait for them. Anything that needs them awaits `ensure_packages()`.
"""

from __future__ import annotations

import asyncio

LAZY_PACKAGES = ["fenced", "markdown-it-py", "mdurl", "ruamel-yaml", "tomlkit", "python-ulid"]  # lock (PEP 503) names

_task: asyncio.Future[None] | None = None


async def _load() -> None:
    import pyodide_js  # type: ignore[import-not-found]

    await pyodide_js.loadPackage(LAZY_PACKAGES, checkIntegrity=True)


def start_loading() -> asyncio.Future[None]:
    """Begin loading the lazy packages once; later calls return the same future."""
    global _task
    if _task is None:
        _task = asyncio.ensure_future(_load())
    return _task


async def ensure_packages() -> None:
    await start_loading()
