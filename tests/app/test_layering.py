"""The house plan's rooms, checked on the source (docs/architecture.md, "Rooms and what may import what" and
"Rooms of fenced.app"): no two fenced modules import each other, however indirectly, and no room imports
one it must not.

Imports are read with `ast` from every module under py/fenced, wherever they stand: at the top, inside a
function (a lazy import) or under `if TYPE_CHECKING:` (a type-only import still ties the two modules'
designs together; narrow Protocols declared where they are needed avoid it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PY = Path(__file__).resolve().parents[2] / "py"
FENCED = PY / "fenced"

# Composition roots of fenced.app: they know every room (boot composes them, page names them, testing
# reaches them for the tests).
APP_ROOTS = {"fenced.app.boot", "fenced.app.page", "fenced.app.testing"}
APP_ROOMS = ("fenced.app.view", "fenced.app.files", "fenced.app.run")

# (importer prefix, imported prefix, why it must not)
FORBIDDEN = [
    ("fenced.document", "fenced.app", "document is pure: it knows no UI"),
    ("fenced.document", "fenced.connect", "document is pure: it knows no wire"),
    ("fenced.document", "fenced.runner", "document is pure: it knows no runner"),
    ("fenced.connect", "fenced.app", "connect serves the app, not the other way round"),
    ("fenced.connect", "fenced.runner", "connect is the client side of the wire"),
    ("fenced.app", "fenced.runner", "the browser bundle carries no runner"),
    ("fenced.runner", "fenced.app", "the runner runs under CPython, the app in the browser"),
    ("fenced.app.view", "fenced.app.files", "the view knows no files: files plugs into the view"),
    ("fenced.app.view", "fenced.app.run", "the view knows no runner: run plugs into the view"),
    ("fenced.app.files", "fenced.app.run", "files and run meet only at the view's extension points"),
    ("fenced.app.run", "fenced.app.files", "files and run meet only at the view's extension points"),
]
JS_MODULES = ("js", "pyodide", "pyscript", "pyodide_js")
NO_JS = [
    ("fenced.document", "document runs under CPython and Pyodide alike"),
    ("fenced.runner", "the runner runs under CPython"),
]
CONNECT_JS_ALLOWED = {"fenced.connect.fetch_transport"}  # the browser's transport


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PY).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {
        module_name(p): p for p in sorted(FENCED.rglob("*.py")) if "_proto" not in p.relative_to(FENCED).parts
    }


def is_package(name: str, known: dict[str, Path]) -> bool:
    return name in known and known[name].name == "__init__.py"


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every module `name` imports (fenced modules resolved to the module, others by their top name)."""
    package = name if is_package(name, known) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield sub if sub in known else target


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) - {name} for name, path in known.items()}


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_fenced_modules() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_rooms_import_only_what_they_may() -> None:
    bad = [
        f"{importer} imports {target}: {why}"
        for importer, targets in sorted(graph().items())
        for target in sorted(targets)
        for src, dst, why in FORBIDDEN
        if under(importer, src) and under(target, dst) and not under(importer, dst)
    ]
    assert bad == []


def test_app_shared_helpers_import_no_room() -> None:
    """The modules of fenced.app outside its rooms (jsffi, notify, fsa, signals, loader, ...) are what every
    room may use: they must not lean on any room themselves."""
    shared = {
        name: targets
        for name, targets in graph().items()
        if under(name, "fenced.app")
        and name != "fenced.app"
        and name not in APP_ROOTS
        and not any(under(name, room) for room in APP_ROOMS)
    }
    assert "fenced.app.jsffi" in shared and "fenced.app.fsa" in shared
    bad = [
        f"{name} imports {target}"
        for name, targets in sorted(shared.items())
        for target in sorted(targets)
        if target in APP_ROOTS or any(under(target, room) for room in APP_ROOMS)
    ]
    assert bad == []


@pytest.mark.parametrize(("package", "why"), NO_JS)
def test_pure_packages_import_no_browser_modules(package: str, why: str) -> None:
    bad = [
        f"{name} imports {target}: {why}"
        for name, targets in sorted(graph().items())
        if under(name, package)
        for target in sorted(targets)
        if target.split(".")[0] in JS_MODULES
    ]
    assert bad == []


def test_connect_touches_js_only_in_its_fetch_transport() -> None:
    bad = [
        f"{name} imports {target}"
        for name, targets in sorted(graph().items())
        if under(name, "fenced.connect") and name not in CONNECT_JS_ALLOWED
        for target in sorted(targets)
        if target.split(".")[0] in JS_MODULES
    ]
    assert bad == []


def test_the_checker_sees_lazy_and_type_only_imports() -> None:
    """A sanity check of the parser on a module known to import lazily and for types only."""
    edges = graph()
    assert "fenced.app.run.ui" in edges["fenced.app.run"]  # inside install() and under TYPE_CHECKING
    assert "fenced.app.view.events" in edges["fenced.app.testing"]  # inside a function
