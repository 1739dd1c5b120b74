"""Reading a notebook: cells with their test hooks, CodeMirror with highlighting, safe Markdown."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.view_support import cell, cells_summary, show, view_eval, view_text

pytestmark = pytest.mark.browser

README = """---
shell: bash
---

# Demo

Intro with a [link](https://example.com/docs) and ~~old~~ text.

| tool | version |
|:-----|--------:|
| foo  | 1.2     |

```sh {"name":"install"}
brew install foo
```

```python
import os
print(os.getcwd())
```

## More

```bash
echo "$HOME"
```
"""


# The editor bundle is not part of boot: its download starts once Python is up (NotebookView), and it is
# evaluated once the shell is interactive. null while not fetched yet, else whether the fetch started after.
LOADED_EDITOR = """() => {
  const e = performance.getEntriesByType('resource').find(e => e.name.endsWith('/vendor/editor/editor.js'));
  return e ? e.startTime >= window.fencedBoot.marks.python : null;
}"""


def test_cells_hooks_editors_and_markdown(ready_page: Any) -> None:
    page = ready_page
    assert page.evaluate(LOADED_EDITOR) in (None, True)  # CodeMirror is not part of boot
    show(page, README)
    assert page.evaluate(LOADED_EDITOR) is True
    assert cells_summary(page) == [
        ["0", "markdown", None],
        ["1", "code", "install"],
        ["2", "code", "import-os"],
        ["3", "markdown", None],
        ["4", "code", "echo-home"],
    ]
    # Every code cell's source is reachable as CodeMirror's content element.
    for i in (1, 2, 4):
        assert cell(page, i).locator(".cm-content").count() == 1
    assert cell(page, 1).locator(".cm-content").inner_text() == "brew install foo"
    assert cell(page, 2).locator(".tok-keyword").first.inner_text() == "import"
    header = cell(page, 1).locator(".cell-header")
    assert "sh" in header.inner_text() and "install" in header.inner_text()
    md = cell(page, 0)
    assert md.locator("h1").inner_text() == "Demo"
    assert md.locator("table th").first.inner_text() == "tool"
    assert md.locator("s").inner_text() == "old"
    link = md.locator("a", has_text="link")
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")
    # Room for running cells (issue 6).
    assert cell(page, 1).locator(".cell-toolbar").count() == 1
    assert cell(page, 1).locator(".cell-output").count() == 1
    assert view_text(page) == README


LANGS = {
    "sh": "if true; then echo 'x'; fi",
    "bash": 'for f in *; do echo "$f"; done',
    "zsh": "export A=1 # note",
    "python": "def f():\n    return 1",
    "javascript": "const a = 1; // c",
    "typescript": "let a: number = 1;",
    "json": '{"a": 1, "b": true}',
    "yaml": "key: value # c\nlist:\n  - 1",
    "sql": "SELECT a FROM t WHERE b = 1;",
    "go": "package main\nfunc main() {}",
    "dockerfile": "FROM alpine:3\nRUN echo hi",
}


def test_highlighting_for_runbook_languages(ready_page: Any) -> None:
    page = ready_page
    doc = "\n".join(f"```{lang}\n{code}\n```\n" for lang, code in LANGS.items())
    show(page, doc)
    for i, lang in enumerate(LANGS):
        content = cell(page, i).locator(".cm-content")
        assert content.count() == 1, lang
        assert content.locator("[class*='tok-']").count() > 0, f"no highlighting for {lang}"


HOSTILE = """# Hostile

<script>window.pwned = "script"</script>

<img src="x" onerror="window.pwned = 'onerror'">

<a href="javascript:window.pwned='link'">click me</a>

<svg onload="window.pwned='svg'"><circle r="1"/></svg>

<iframe srcdoc="<script>parent.pwned='iframe'</script>"></iframe>

<div class="cell" data-cell-index="7" data-cell-kind="code" id="notebook" style="position:fixed;inset:0">fake</div>

<details open ontoggle="window.pwned='toggle'"><summary>s</summary>d</details>

<form action="javascript:window.pwned='form'"><button>go</button></form>

```sh
echo "<script>window.pwned='code'</script>"
```
"""


def test_hostile_html_never_runs(ready_page: Any) -> None:
    page = ready_page
    show(page, HOSTILE)
    page.locator("#notebook a", has_text="click me").click()
    page.locator("#notebook summary").click()  # would fire ontoggle
    page.wait_for_function("() => !document.querySelector('#notebook details').open")
    # Let queued events (toggle, image errors) run: two frames and a task.
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r))))"
    )
    assert page.evaluate("() => window.pwned") is None
    nb = page.locator("#notebook")
    for tag in (
        "script",
        "iframe",
        "svg",
        "form",
        "[onerror]",
        "[onload]",
        "[ontoggle]",
        "[style]",
        "[href^='javascript']",
    ):
        assert nb.locator(f".markdown-body {tag}").count() == 0, tag
    assert page.locator("#notebook .cell").count() == 2
    assert page.locator("[data-cell-index='7']").count() == 0
    assert page.locator("#notebook").count() == 1
    assert (
        cell(page, 1).locator(".cm-content").inner_text() == "echo \"<script>window.pwned='code'</script>\""
    )


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f"
    "00050001ff89993d1d0000000049454e44ae426082"
)


def test_relative_images_resolve_against_the_folder(ready_page: Any) -> None:
    from tests.conftest import run_in_page

    page = ready_page
    page.evaluate(
        """async (bytes) => {
            const root = await navigator.storage.getDirectory();
            const docs = await root.getDirectoryHandle('imgtest', {create: true});
            const sub = await (await docs.getDirectoryHandle('docs', {create: true})).getDirectoryHandle('img', {create: true});
            const w = await (await sub.getFileHandle('dot.png', {create: true})).createWritable();
            await w.write(new Uint8Array(bytes)); await w.close();
        }""",
        list(PNG_1PX),
    )
    doc = "# Pictures\n\n![dot](img/dot.png) ![outside](../../secret.png) ![none](img/missing.png)\n"
    run_in_page(
        page,
        f"""
import js
from fenced.app import testing
from fenced.app.view.events import DocumentRef
root = await (await js.navigator.storage.getDirectory()).getDirectoryHandle("imgtest")
await testing.app.view.show({doc!r}, DocumentRef("README.md", "docs/README.md", root))
result = 1
""",
    )
    page.wait_for_function(
        "() => document.querySelector(\"#notebook img[alt='dot']\")?.src.startsWith('blob:')"
    )
    page.wait_for_function("() => document.querySelector(\"#notebook img[alt='dot']\").naturalWidth === 1")
    page.wait_for_function(
        "() => document.querySelector(\"#notebook img[alt='none']\")?.classList.contains('image-unavailable')"
    )
    outside = page.locator("#notebook img[alt='outside']")
    assert outside.get_attribute("src") is None
    assert "outside the opened folder" in (
        outside.get_attribute("title") or ""
    )  # the folder is open (issue 14)


def test_static_code_is_highlighted_and_a_click_edits_where_it_lands(ready_page: Any) -> None:
    """A code cell without its editor yet (off screen, or just dropped) shows its text highlighted as the
    editor will; clicking it mounts the editor with the caret where the click landed."""
    page = ready_page
    show(page, README)
    # Take cell 2's editor away, as happens off screen: static text, highlighted like the editor.
    text, hl, classes = view_eval(
        page,
        "(view.dom.ctl.unmount(view.element(2)), "
        "view.element(2).querySelector('pre.cell-static').dataset.hl, "
        "[s.className for s in view.element(2).querySelectorAll('pre.cell-static span')])",
    )
    assert text.startswith("import os") and hl == "1" and "tok-keyword" in classes
    # Click just left of the "o" of `import os`: the caret goes before it (offset 7). The cell is on screen,
    # so its editor may already be back: then the click lands in the editor, at the same place.
    point = (
        cell(page, 2)
        .locator(".cell-source")
        .evaluate(
            """el => { const root = el.querySelector('pre.cell-static') || el.querySelector('.cm-line');
                   const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                   let node, seen = 0;
                   while ((node = walker.nextNode())) {
                     if (seen + node.length > 7) {
                       const r = document.createRange(); r.setStart(node, 7 - seen); r.setEnd(node, 8 - seen);
                       const b = r.getBoundingClientRect(); return [b.left + 1, b.top + b.height / 2];
                     }
                     seen += node.length;
                   }
                   return null; }"""
        )
    )
    page.mouse.click(point[0], point[1])
    assert cell(page, 2).locator(".cm-content").count() == 1
    head = view_eval(
        page, "view.dom.ctl.editors.get(view.element(2).dataset.key).view.state.selection.main.head"
    )
    assert head == 7
    page.keyboard.type("X")
    assert "import Xos\n" in view_text(page)
