"""Helpers for the file tests: OPFS files standing in for the user's disk, picker stubs, synthetic drops.

Playwright cannot answer the browser's file pickers, so the tests replace `showOpenFilePicker` & co. with
stubs that return handles from the origin private file system (OPFS), which support the same calls
(`getFile`, `createWritable`, `isSameEntry`, permissions) as handles to real files.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, require_corpus

# A Runme example with frontmatter, named and unnamed sh cells, js/go/python cells.
README = FIXTURES / "runmedev-runme" / "examples" / "README.md"

_JS_HELPERS = """
window.__t = {
  bytes(b64) { return Uint8Array.from(atob(b64), c => c.charCodeAt(0)); },
  b64(buf) { let s = ""; const u = new Uint8Array(buf); for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode(...u.subarray(i, i + 8192)); return btoa(s); },
  async handle(path, create) {
    const parts = path.split("/");
    let dir = await navigator.storage.getDirectory();
    for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
    return dir.getFileHandle(parts[parts.length - 1], { create });
  },
  async dir(path) {
    let dir = await navigator.storage.getDirectory();
    for (const p of path.split("/").filter(Boolean)) dir = await dir.getDirectoryHandle(p, { create: true });
    return dir;
  },
};
"""


def fixture_bytes(path: Path = README) -> bytes:
    """Fixtures are read at test time from the shared folder, never copied into the repo."""
    require_corpus()
    return path.read_bytes()


def install_helpers(page: Any) -> None:
    page.evaluate(f"() => {{ {_JS_HELPERS} }}")


def opfs_write(page: Any, path: str, data: bytes) -> None:
    install_helpers(page)
    page.evaluate(
        """async ([path, b64]) => {
            const w = await (await __t.handle(path, true)).createWritable();
            await w.write(__t.bytes(b64)); await w.close();
        }""",
        [path, base64.b64encode(data).decode()],
    )


def opfs_read(page: Any, path: str) -> bytes:
    install_helpers(page)
    b64 = page.evaluate(
        "async (path) => __t.b64(await (await (await __t.handle(path, false)).getFile()).arrayBuffer())", path
    )
    return base64.b64decode(b64)


def opfs_modified(page: Any, path: str) -> float:
    install_helpers(page)
    return page.evaluate(
        "async (path) => (await (await __t.handle(path, false)).getFile()).lastModified", path
    )


def stub_open_picker(page: Any, path: str) -> None:
    """The next "Open" picks the OPFS file at `path` (and records that the real API was asked)."""
    install_helpers(page)
    page.evaluate(
        """(path) => { window.showOpenFilePicker = async (opts) => { window.__pickerOpts = opts;
            return [await __t.handle(path, false)]; }; }""",
        path,
    )


def stub_save_picker(page: Any, path: str) -> None:
    install_helpers(page)
    page.evaluate(
        """(path) => { window.showSaveFilePicker = async (opts) => { window.__saveOpts = opts;
            return __t.handle(path, true); }; }""",
        path,
    )


def stub_folder_picker(page: Any, path: str) -> None:
    install_helpers(page)
    page.evaluate("(path) => { window.showDirectoryPicker = async () => __t.dir(path); }", path)


def drop_file(
    page: Any, name: str, data: bytes, mime: str = "text/markdown", target: str = "#notebook"
) -> dict:
    """Drag a file over the page and drop it on `target`, as a user would; returns what the page saw:
    whether dragover and drop were default-prevented and whether the drop zone was highlighted."""
    install_helpers(page)
    return page.evaluate(
        """([name, b64, mime, target]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([__t.bytes(b64)], name, { type: mime, lastModified: 1700000000000 }));
            const el = document.querySelector(target) || document.body;
            const opts = { dataTransfer: dt, bubbles: true, cancelable: true };
            el.dispatchEvent(new DragEvent("dragenter", opts));
            const over = new DragEvent("dragover", opts);
            el.dispatchEvent(over);
            const highlighted = document.getElementById("drop-zone").classList.contains("dragover");
            const drop = new DragEvent("drop", opts);
            el.dispatchEvent(drop);
            return { overPrevented: over.defaultPrevented, dropPrevented: drop.defaultPrevented, highlighted,
                     stillHighlighted: document.getElementById("drop-zone").classList.contains("dragover") };
        }""",
        [name, base64.b64encode(data).decode(), mime, target],
    )


def drop_big_file(page: Any, name: str, size: int) -> None:
    """A file of `size` bytes made in the page (no 20 MB string crosses the wire)."""
    page.evaluate(
        """([name, size]) => {
            const dt = new DataTransfer();
            const data = new Uint8Array(size); data.fill(0x61);
            dt.items.add(new File([data], name, { type: "text/markdown" }));
            document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
        }""",
        [name, size],
    )


def cells(page: Any) -> list[tuple[str, str | None]]:
    """(kind, name) of every rendered cell, in order."""
    rows = page.eval_on_selector_all(
        "[data-cell-index]",
        "els => els.sort((a, b) => a.dataset.cellIndex - b.dataset.cellIndex)"
        ".map(e => [e.dataset.cellKind, e.dataset.cellName ?? null])",
    )
    return [(kind, name) for kind, name in rows]


def expected_cells(text: str) -> list[tuple[str, str | None]]:
    """The same summary computed by fenced.document under CPython."""
    import fenced.document as fd

    return [(c.kind, c.name if c.kind == "code" else None) for c in fd.loads(text).cells]


def wait_cells(page: Any, n: int, timeout_ms: int = 20_000) -> None:
    """Wait for `n` rendered cells; on timeout say what the page showed instead (messages, count)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "n => document.querySelectorAll('[data-cell-index]').length === n", arg=n, timeout=timeout_ms
        )
    except PlaywrightTimeout:
        got = page.locator("[data-cell-index]").count()
        msgs = page.locator(".message").all_inner_texts()
        raise AssertionError(f"expected {n} cells, page shows {got}; messages: {msgs}") from None


def code_cell(page: Any, name: str) -> Any:
    return page.locator(f'[data-cell-kind="code"][data-cell-name="{name}"]')


def append_to_cell(page: Any, name: str, text: str) -> None:
    """Click into the named code cell's editor, go to its end and type."""
    content = code_cell(page, name).locator(".cm-content")
    content.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def wait_dirty(page: Any, dirty: bool) -> None:
    page.wait_for_selector(f"body[data-dirty='{'true' if dirty else 'false'}']", state="attached")


def wait_draft_saved(page: Any) -> None:
    page.wait_for_selector("body[data-dirty='true'][data-draft-state='saved']", state="attached")


def message(page: Any, kind: str) -> Any:
    return page.locator(f".message[data-message-kind='{kind}']")


def view_text(page: Any) -> str:
    """What Save would write now: the view's text of the open notebook."""
    from tests.conftest import run_in_page

    return run_in_page(
        page,
        "from fenced.app import testing\nresult = testing.app.view.text()",
    )
