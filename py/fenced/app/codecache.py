"""Boot compile cache: the code objects a page load compiles at boot, kept for the next load.

Every load, PyScript compiles its bootstrap code, its `pyscript` package and `main.py` from source (~60 ms
of compiling in Pyodide) and, because nothing else at boot compiles, V8 also compiles CPython's parser
and compiler to machine code lazily on first use, on every load (~100 ms more: its code cache does not
keep those functions). None of those sources changes between loads of a build, so their code objects are
kept, marshalled, in IndexedDB under the interpreter's version, and the next load takes them instead of
compiling anything.

web/pyodide-boot.mjs reads the store while the snapshot restores and calls `install` before PyScript runs
any Python; `fenced.app.boot` calls `finish` once the shell is interactive and hands what was compiled to
the store. Only boot is served and recorded: afterwards both hooks pass straight through. A stale or
damaged entry is a miss (the source is compiled as usual); the keys cover the source, the file name and
every compile option, so a hit is the code the compiler would have produced.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import sys
from collections.abc import Callable, Generator
from typing import Any

VERSION = f"{sys.version} marshal {marshal.version}"  # marshalled code is only valid for the same CPython

_blobs: dict[str, bytes] = {}  # key -> marshalled code, from the store
_new: dict[str, bytes] = {}  # compiled during this boot
_used: set[str] = set()  # keys served from the store during this boot
_booting = False
_installed = False
hits = 0  # how many compiles this boot skipped (tests and the console look at it)


def key(kind: str, *parts: object) -> str:
    """A stable key for one compile: its kind, then every input (sources hashed whole)."""
    h = hashlib.sha256()
    for part in (kind, *parts):
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def lookup(k: str) -> Any:
    """The cached code for key `k` during boot, or None."""
    global hits
    blob = _blobs.get(k) if _booting else None
    if blob is None:
        return None
    try:
        code = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    hits += 1
    _used.add(k)
    return code


def record(k: str, code: Any) -> None:
    if _booting and k not in _blobs:
        with contextlib.suppress(ValueError):  # not marshallable: simply not cached
            _new[k] = marshal.dumps(code)


def install(version: str, blobs: Any) -> None:
    """Serve `blobs` (key -> marshalled code: the store's, if written by this same CPython; a dict, or
    a JS Map of Uint8Arrays) and record misses, until `finish`."""
    global _booting
    _blobs.clear()
    _new.clear()
    _used.clear()
    if version == VERSION and blobs is not None:
        items = blobs.to_py().items() if hasattr(blobs, "to_py") else dict(blobs).items()
        _blobs.update({str(k): _as_bytes(v) for k, v in items})
    _booting = True
    _install_hooks()


def finish() -> tuple[list[str], dict[str, bytes]]:
    """Boot is over: stop serving and recording. Returns what the store should keep: the keys served
    from it, and the code compiled during boot (key -> marshalled); anything else in it is stale."""
    global _booting
    _booting = False
    used, new = sorted(_used), dict(_new)
    _blobs.clear()
    _new.clear()
    _used.clear()
    return used, new


def _as_bytes(value: Any) -> bytes:
    if hasattr(value, "to_bytes") and not isinstance(value, int):  # a JS Uint8Array
        return bytes(value.to_bytes())
    return bytes(value)


def _install_hooks() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    import importlib._bootstrap_external as bootstrap_external

    loader = bootstrap_external.SourceLoader
    loader.source_to_code = _cached_source_to_code(loader.source_to_code)  # type: ignore[method-assign]  # the cache hook, on purpose
    try:
        import _pyodide._base as base
    except ImportError:  # CPython (tests): only imports go through the cache
        return
    base._parse_and_compile_gen = _cached_compile_gen(base._parse_and_compile_gen)


def _cached_source_to_code(original: Callable[..., Any]) -> Callable[..., Any]:
    """Imports: `SourceLoader.source_to_code(data, path)` compiles a module's source."""

    def source_to_code(self: Any, data: Any, path: Any, *, _optimize: int = -1) -> Any:
        if not _booting:
            return original(self, data, path, _optimize=_optimize)
        k = key("module", path, _optimize, data)
        code = lookup(k)
        if code is None:
            code = original(self, data, path, _optimize=_optimize)
            record(k, code)
        return code

    return source_to_code


def _cached_compile_gen(original: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Any]:
    """`runPython` and friends: Pyodide's CodeRunner drives this generator (parse, yield the tree,
    compile what is sent back). A hit yields an empty tree; should a caller send back anything else
    (nothing in Pyodide or PyScript does), that source is compiled from scratch after all."""

    def compile_gen(source: str, **options: Any) -> Generator[Any, Any, Any]:
        if not _booting:
            return (yield from original(source, **options))
        k = key("eval", source, sorted(options.items()))
        code = lookup(k)
        if code is not None:
            import ast

            placeholder = ast.Module(body=[], type_ignores=[])
            sent = yield placeholder
            if sent is placeholder:
                return code
            inner = original(source, **options)
            next(inner)
            return _compile_sent(inner, sent)
        inner = original(source, **options)
        tree = next(inner)
        sent = yield tree
        code = _compile_sent(inner, sent)
        if sent is tree:
            record(k, code)
        return code

    return compile_gen


def _compile_sent(inner: Generator[Any, Any, Any], tree: Any) -> Any:
    """Send `tree` into a started compile generator and return what it compiles."""
    try:
        inner.send(tree)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the compile generator yielded twice")
