"""The static app boots Python offline, shows its shell, and fails loudly when the runtime is missing."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_in_page, wait_ready

pytestmark = pytest.mark.browser


def test_boots_and_shows_shell(ready_page: Any) -> None:
    page = ready_page
    assert page.locator("h1.brand").inner_text() == "Fenced"
    assert page.locator("#runner-status").is_visible()  # the runner chip; its fields are in its popover
    assert page.get_by_label("Drop zone").is_hidden()  # an overlay, only while a file is dragged
    assert page.get_by_role("button", name="Try a sample runbook").is_enabled()
    assert page.locator("#loading").is_hidden()
    assert page.get_by_role("button", name="Open", exact=True).is_enabled()
    # Python really runs: evaluate something only CPython-in-wasm can answer.
    assert run_in_page(page, "import sys\nresult = [sys.implementation.name, sys.platform]") == [
        "cpython",
        "emscripten",
    ]


def test_the_test_hooks_give_page_scripts_no_python_they_lack(ready_page: Any) -> None:
    """fenced.app.testing installs `window.fencedPython`/`fencedShowText` in every page because a script in
    the page can run Python without them: PyScript runs a `<script type="py">` it adds, and hands out its
    interpreter. If this stops being true, the hooks must be gated (see fenced.app.testing)."""
    page = ready_page
    assert page.evaluate("() => [typeof window.fencedPython, typeof window.fencedShowText]") == [
        "function",
        "function",
    ]
    page.evaluate(
        """() => { const s = document.createElement('script'); s.type = 'py';
        s.textContent = 'import js\\njs.window.pyFromScript = 6 * 7'; document.body.append(s); }"""
    )
    page.wait_for_function("() => window.pyFromScript === 42")
    assert (
        page.evaluate(
            """async () => { const core = await import('./vendor/pyscript/core.js');
        const py = await core.whenDefined('py');
        return py.interpreter.runPython('import sys; sys.implementation.name'); }"""
        )
        == "cpython"
    )
    assert run_in_page(page, "from fenced.app import testing\nresult = testing.app.view.name") == ""


def test_no_request_leaves_the_serving_host(page: Any, app_url: str) -> None:
    origin = urllib.parse.urlsplit(app_url).netloc
    foreign: list[str] = []
    seen: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        seen.append(url)
        if urllib.parse.urlsplit(url).netloc != origin and not url.startswith(("data:", "blob:")):
            foreign.append(url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.goto(app_url)
    wait_ready(page)
    # Also exercise the lazily loaded document libraries, which fetch more wheels.
    assert run_in_page(page, "import markdown_it\nresult = markdown_it.__name__") == "markdown_it"
    assert foreign == []
    assert any(u.endswith("pyodide.asm.wasm") for u in seen)


SAMPLE = """---
shell: bash  # comment kept
---

# Deploy

```sh {"name":"build"}
make build
```

1. List item with code:

   ```python
   print("hi")
   ```
"""


def test_same_answer_in_pyodide_and_cpython(ready_page: Any) -> None:
    """The same fenced code, given the same text, answers the same in the page and under CPython."""
    import fenced.document as document

    expected = document.summary(document.loads(SAMPLE))
    src = f"import fenced.document as d\ntext = {SAMPLE!r}\nresult = [d.summary(d.loads(text)), d.dumps(d.loads(text)) == text]"
    got, identical = run_in_page(ready_page, src)
    assert got == json.loads(json.dumps(expected))
    assert identical is True
    assert [c["kind"] for c in got].count("code") == 2


def test_missing_pyodide_shows_load_error(
    page: Any, page_errors: Any, built_app: Path, tmp_path: Path
) -> None:
    from fenced.static import serving

    broken = tmp_path / "dist"
    shutil.copytree(built_app, broken, ignore=shutil.ignore_patterns("pyodide.asm.wasm", "pyodide.mjs"))
    page_errors.expected_uncaught = True
    with serving(broken) as url:
        page.goto(url)
        page.wait_for_selector("body[data-app-state='error']", timeout=60_000)
        box = page.get_by_role("alert")
        assert box.is_visible()
        assert "could not" in box.inner_text().lower()
        assert page.locator("#loading").is_hidden()


def test_boots_from_the_memory_snapshot_with_fresh_randomness(context: Any, app_url: str) -> None:
    """The build's snapshot restores (fast path), and each load still gets its own random state."""
    values = []
    for _ in range(2):
        page = context.new_page()
        page.goto(app_url)
        wait_ready(page)
        assert page.evaluate("() => window.fencedBoot.marks.snapshot") is not None
        values.append(run_in_page(page, "import random\nresult = random.random()"))
        page.close()
    assert values[0] != values[1]


KEPT_JS = """async () => {
  const dir = await navigator.storage.getDirectory();
  const names = [];
  for await (const name of dir.keys()) names.push(name);
  return names.filter((n) => n.startsWith('snapshot-'));
}"""


def _damage_kept(page: Any, how: str) -> None:
    """Rewrite the kept snapshot: 'short' cuts it (its size no longer matches its name), 'zeros' keeps the
    size but not one byte of the content."""
    page.evaluate(
        """async (how) => {
          const dir = await navigator.storage.getDirectory();
          for await (const name of dir.keys()) {
            if (!name.startsWith('snapshot-')) continue;
            const handle = await dir.getFileHandle(name);
            const size = (await handle.getFile()).size;
            const out = await handle.createWritable();
            if (how === 'short') await out.write(new Uint8Array(1000));
            else await out.write(new Uint8Array(size));
            await out.close();
          }
        }""",
        how,
    )


def test_the_unzipped_snapshot_is_kept_for_the_next_load(context: Any, app_url: str) -> None:
    """The first load unzips the snapshot (in a worker) and keeps the bytes in the origin-private file
    system; the next load of the same build reads them instead of unzipping. A kept copy that is damaged
    never breaks a load: one of the wrong size is not used, one that does not restore is removed (Python
    then starts the ordinary way), and a later load unzips and keeps it again."""

    def load() -> Any:
        page = context.new_page()
        page.goto(app_url)
        wait_ready(page, 120_000)
        return page

    page = load()
    assert page.evaluate("() => window.fencedBoot.snapshotFrom") == "unzipped"
    page.wait_for_function("() => window.fencedBoot.snapshotKept !== undefined")
    assert page.evaluate("() => window.fencedBoot.snapshotKept") is True
    names = page.evaluate(KEPT_JS)
    assert len(names) == 1 and names[0].endswith(".bin"), names
    # Scrambled: the app's own heap is not in the origin's storage as plain text (a storage-wide search
    # for a leaked secret must not match its docstrings).
    assert (
        page.evaluate(
            """async () => { const dir = await navigator.storage.getDirectory();
          for await (const [name, h] of dir.entries()) if (name.startsWith('snapshot-'))
            return (await (await h.getFile()).text()).includes('fenced.app'); }"""
        )
        is False
    )
    page.close()

    page = load()
    assert page.evaluate("() => window.fencedBoot.snapshotFrom") == "kept"
    assert page.evaluate("() => window.fencedBoot.marks.snapshot") is not None  # it restored
    assert run_in_page(page, "import fenced.document as d\nresult = len(d.loads('# a\\n').cells)") == 1
    _damage_kept(page, "short")
    page.close()

    page = load()
    assert page.evaluate("() => window.fencedBoot.snapshotFrom") == "unzipped"
    assert page.evaluate("() => window.fencedBoot.marks.snapshot") is not None
    page.wait_for_function("() => window.fencedBoot.snapshotKept !== undefined")  # kept whole again
    assert page.evaluate("() => window.fencedBoot.snapshotKept") is True
    _damage_kept(page, "zeros")
    page.close()

    page = load()  # the zeroed copy is read and does not restore: Python boots from scratch
    assert page.evaluate("() => window.fencedBoot.snapshotFrom") == "kept"
    assert page.evaluate("() => window.fencedBoot.marks.snapshot") is None
    assert run_in_page(page, "import fenced.document as d\nresult = len(d.loads('# a\\n').cells)") == 1
    page.wait_for_function("() => window.fencedBoot.snapshotForgotten === true")
    assert page.evaluate(KEPT_JS) == []
    page.close()


def test_boots_without_a_snapshot(page: Any, built_app: Path, tmp_path: Path) -> None:
    """A missing snapshot only costs time: Python starts the ordinary way and the app works."""
    from fenced.static import serving

    copy = tmp_path / "dist"
    shutil.copytree(built_app, copy, ignore=shutil.ignore_patterns("snapshot.bin.gz"))
    with serving(copy) as url:
        page.goto(url)
        wait_ready(page)
        assert page.evaluate("() => window.fencedBoot.marks.snapshot") is None
        assert run_in_page(page, "import fenced.document as d\nresult = len(d.loads('# a\\n').cells)") == 1


def test_wheel_files_are_installed_after_a_snapshot_boot(ready_page: Any) -> None:
    """The snapshot holds the libraries' modules but not their files: fenced.app.loader unpacks the wheels
    (in JS, at idle time) so that tracebacks show source lines and a later import finds its module."""
    src = (
        "import inspect, sysconfig, pathlib\n"
        "from fenced.app import loader\n"
        "await loader.start_loading()\n"
        "import markdown_it.main\n"
        "site = pathlib.Path(sysconfig.get_paths()['purelib'])\n"
        "result = [loader.snapshot_restored(), (site / 'ruamel' / 'yaml' / '__init__.py').is_file(),\n"
        "          'def render' in inspect.getsource(markdown_it.main.MarkdownIt)]"
    )
    assert run_in_page(ready_page, src) == [True, True, True]


def test_a_second_load_compiles_nothing_at_boot(context: Any, app_url: str) -> None:
    """What the first load compiled at boot (PyScript's bootstrap and package, main.py) is kept in
    IndexedDB (fenced.app.codecache), and the next load takes it instead of compiling; a damaged store
    costs only the compiling."""
    hits = "from fenced.app import codecache\nresult = codecache.hits"
    page = context.new_page()
    page.goto(app_url)
    wait_ready(page)
    assert run_in_page(page, hits) == 0
    page.wait_for_function("() => window.fencedCodeCache.saved", timeout=20_000)
    page.close()

    page = context.new_page()
    page.goto(app_url)
    wait_ready(page)
    assert run_in_page(page, hits) >= 5  # the bootstrap, pyscript and its modules, main.py
    assert run_in_page(page, "import pyscript, sys\nresult = 'pyscript.display' in sys.modules") is True
    # Damage every stored entry: the next load compiles as before and works.
    page.evaluate("""() => new Promise((resolve, reject) => {
      const open = indexedDB.open('fenced-codecache', 1);
      open.onsuccess = () => {
        const tx = open.result.transaction('boot', 'readwrite'), store = tx.objectStore('boot');
        const get = store.get('entries');
        get.onsuccess = () => {
          const value = get.result;
          for (const key of Object.keys(value.blobs)) value.blobs[key] = new Uint8Array([0, 1, 2, 3]);
          store.put(value, 'entries');
        };
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    })""")
    page.close()

    page = context.new_page()
    page.goto(app_url)
    wait_ready(page)
    assert run_in_page(page, hits) == 0
    assert run_in_page(page, "import fenced.document as d\nresult = len(d.loads('# a\\n').cells)") == 1
