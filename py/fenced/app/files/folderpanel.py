"""The Folder panel's DOM (`#folder-panel`, `role=complementary` named "Folder"): the opened folder as a
tree (`role=tree`; each file a `treeitem` whose accessible name is its path in the folder), a filter, a
search across the files, and a handle that resizes the panel. Decisions are `tree`'s (pure); what a
click or a key means for the documents is the caller's (`folder.Places`), through callbacks.

Keys in the tree follow the WAI-ARIA tree pattern: Up/Down move, Right opens a folder or enters it, Left
closes it or goes to its parent, Home/End, Enter/Space open a file or toggle a folder; the resize handle
(`role=separator`) takes Left/Right and sets the width of the sidebar that hosts the panel (`--sidebar-w`,
the page layout's variable), remembered in localStorage.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import js

from fenced.app.jsffi import LocalStorage, closest, listen, obj, opt
from fenced.app.morph import morph, morph_children

from . import tree
from .tree import FileMarks, Folder, Hit

WIDTH_KEY = "fenced.folder.width"
MORPH_MAX = 2000  # files shown: beyond, a refresh redraws the tree in one call (patching costs per entry)
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH, STEP = 160, 640, 256, 16

SKELETON = """
<div class="folder-head">
  <h2 class="folder-title"></h2>
  <button type="button" class="folder-refresh" aria-label="Refresh the folder" title="Look for changed files">\u27f3</button>
  <button type="button" class="folder-close">Close folder</button>
</div>
<div class="folder-tools">
  <input type="search" class="folder-filter" aria-label="Filter files" placeholder="Filter files"
    autocomplete="off" spellcheck="false">
  <input type="search" class="folder-search" aria-label="Search in folder"
    placeholder="Search in files (text, cell names)" autocomplete="off" spellcheck="false">
</div>
<section class="folder-results" aria-label="Search results" hidden></section>
<ul class="folder-tree" role="tree"></ul>
<p class="folder-empty" hidden></p>
<div class="folder-resize" role="separator" aria-orientation="vertical" tabindex="0"
  aria-label="Resize the Folder panel" aria-valuemin="160" aria-valuemax="640"></div>
"""


class FolderPanel:
    def __init__(
        self,
        open_path: Callable[[str, int], object],
        close: Callable[[], object],
        search: Callable[[str], object],
        refresh: Callable[[], object],
    ) -> None:
        self._open_path = open_path  # (path, line: 0 or the line of a search hit)
        self._close = close
        self._search = search  # start a search (the caller shows the hits with `show_hits`)
        self._refresh = refresh
        self.el: Any = None
        self._tree: Any = None
        self._root: Folder = Folder("", "")
        self._marks = FileMarks()
        self._collapsed: set[str] = set()
        self._query = ""
        self._title = ""
        self._storage = LocalStorage()
        self._width = DEFAULT_WIDTH
        self._drag: Any = None  # the pointer id of a resize drag

    # --- set-up -----------------------------------------------------------------------------------

    def install(self) -> None:
        self.el = js.document.getElementById("folder-panel")
        listen(self.el, "click", self._on_click)
        listen(self.el, "keydown", self._on_key)
        listen(self.el, "input", self._on_input)
        listen(self.el, "pointerdown", self._on_pointer_down)
        listen(self.el, "pointermove", self._on_pointer_move)
        listen(self.el, "pointerup", self._on_pointer_up)
        if self._storage.get(WIDTH_KEY):  # else the layout's own width
            self._set_width(self._stored_width(), save=False)

    def _skeleton(self) -> None:
        if self._tree is not None:
            return
        self.el.innerHTML = SKELETON
        self._tree = self.el.querySelector(".folder-tree")

    # --- contents ---------------------------------------------------------------------------------

    def show(self, title: str, paths: list[str], truncated: bool) -> None:
        """The folder `title` with these Markdown files (in panel order); keeps what is collapsed and
        the filter when the same folder is shown again (a refresh)."""
        same = title == self._title and self._tree is not None
        self._skeleton()
        if not same:
            self._collapsed.clear()
            self._query = ""
            self.el.querySelector(".folder-filter").value = ""
            self.show_hits("", [])
        self._title = title
        self.el.querySelector(".folder-title").textContent = title
        self._tree.setAttribute("aria-label", f"Files in {title}")
        self._root = tree.build(paths)
        empty = self.el.querySelector(".folder-empty")
        empty.hidden = bool(paths) and not truncated
        empty.textContent = (
            f"Showing the first {len(paths)} files." if truncated else "No Markdown files in this folder."
        )
        self.render(keep=same)
        self.el.hidden = False
        js.document.body.dataset.folderOpen = "true"

    def render(self, keep: bool = False) -> None:
        """Draw the tree. `keep` (the same folder listed again, e.g. when the window gets the focus back):
        entries still there keep their elements, so the focus and a script's references stay on them (an
        unchanged listing changes nothing in the page)."""
        if self._tree is None:
            return
        focused = self._focused_key()
        html, shown = self._markup()
        if keep and shown <= MORPH_MAX:
            morph_children(self._tree, html)
        else:
            self._tree.innerHTML = html  # (one call: typing in the filter of a big folder stays fast)
        if focused is not None:
            item = opt(self._tree.querySelector(focused))
            if item is not None:
                self._focus(item)

    def _markup(self) -> tuple[str, int]:
        html, shown = tree.tree_html(self._root, self._marks, frozenset(self._collapsed), self._query)
        if self._query and not shown:
            html = '<li role="none" class="folder-none">No file matches the filter.</li>'
        return html, shown

    def close(self) -> None:
        self.el.replaceChildren()
        self._tree = None
        self._title = ""
        self.el.hidden = True
        js.document.body.dataset.folderOpen = "false"

    def set_marks(self, marks: FileMarks) -> None:
        """The file shown, the dirty ones, runnable cells per file: changed entries are updated in place
        (the keyboard focus stays where it is)."""
        old, self._marks = self._marks, marks
        if self._tree is None:
            return
        runnable_old, runnable_new = old.runnable or {}, marks.runnable or {}
        changed = {p for p in (old.current, marks.current) if p} | (old.dirty ^ marks.dirty)
        changed |= {p for p in runnable_new if runnable_old.get(p) != runnable_new[p]}
        for path in changed:
            item = self._item(path)
            if item is None:
                continue
            focusable = item.getAttribute("tabindex") == "0"
            morph(item, tree.file_html(path, marks, focusable))  # in place: focus and hover stay
        if marks.current and marks.current != old.current:
            item = self._item(marks.current)
            if item is not None:
                self._roving(item)

    def reveal(self, path: str) -> None:
        """Show `path` (a file, or a folder ending with `/`): open its folders, scroll to it, focus it."""
        if self._tree is None:
            return
        folders = tree.folders_of(path.rstrip("/") + ("/x" if path.endswith("/") else ""))
        if any(f in self._collapsed for f in folders) or self._query:
            self._collapsed -= set(folders)
            self._query = ""
            self.el.querySelector(".folder-filter").value = ""
            self.render()
        selector = f'[data-dir="{_css(path)}"]' if path.endswith("/") else f'[data-path="{_css(path)}"]'
        item = opt(self._tree.querySelector(selector))
        if item is not None:
            self._roving(item)
            self._focus(item)

    def show_hits(self, query: str, hits: list[Hit]) -> None:
        """The search's results under its field (hidden when there is no query)."""
        box = self.el.querySelector(".folder-results") if self._tree is not None else None
        if box is None:
            return
        box.hidden = not query
        if not query:
            box.replaceChildren()
            return
        if not hits:
            box.innerHTML = f"<p class='folder-none'>No match for \u201c{escape(query)}\u201d.</p>"
            return
        rows = []
        for hit in hits:
            where = "cell" if hit.kind == "cell" else f"line {hit.line}"
            text = f"Cell {hit.text}" if hit.kind == "cell" else hit.text
            rows.append(
                f'<li><button type="button" class="folder-hit" data-path="{escape(hit.path)}"'
                f' data-line="{hit.line}" data-cell="{escape(hit.text) if hit.kind == "cell" else ""}">'
                f'<span class="hit-where">{escape(hit.path)} \u00b7 {escape(where)}</span>'
                f'<span class="hit-text">{escape(text)}</span></button></li>'
            )
        count = f"{len(hits)} match{'es' if len(hits) != 1 else ''}"
        box.innerHTML = f'<p class="hit-count">{count}</p><ul class="folder-hit-list">{"".join(rows)}</ul>'

    # --- events -----------------------------------------------------------------------------------

    def _item(self, path: str) -> Any:
        return (
            opt(self._tree.querySelector(f'[data-path="{_css(path)}"]')) if self._tree is not None else None
        )

    def _on_click(self, event: Any) -> None:
        target = event.target
        if closest(target, ".folder-close") is not None:
            self._close()
            return
        if closest(target, ".folder-refresh") is not None:
            self._refresh()
            return
        hit = closest(target, ".folder-hit")
        if hit is not None:
            self._open_path(str(hit.dataset.path), int(hit.dataset.line or 0))
            return
        item = closest(target, '[role="treeitem"]')
        if item is None:
            return
        self._roving(item)
        if item.classList.contains("folder-dir"):
            self._toggle(item)
        else:
            self._open_path(str(item.dataset.path), 0)

    def _toggle(self, item: Any, open_it: bool | None = None) -> None:
        path = str(item.dataset.dir)
        is_open = item.getAttribute("aria-expanded") == "true"
        want = (not is_open) if open_it is None else open_it
        if want == is_open:
            return
        item.setAttribute("aria-expanded", "true" if want else "false")
        item.querySelector(':scope > [role="group"]').hidden = not want
        if want:
            self._collapsed.discard(path)
        else:
            self._collapsed.add(path)

    def _visible_items(self) -> list[Any]:
        return [
            i
            for i in self._tree.querySelectorAll('[role="treeitem"]')
            if opt(i.parentElement.closest('[role="group"][hidden]')) is None
        ]

    def _on_key(self, event: Any) -> None:
        target = event.target
        if target.classList.contains("folder-resize"):
            self._resize_key(event)
            return
        if target.classList.contains("folder-filter") and str(event.key) == "ArrowDown":
            items = self._visible_items()
            if items:
                event.preventDefault()
                self._focus(items[0])
            return
        item = closest(target, '[role="treeitem"]')
        if item is None or event.ctrlKey or event.metaKey or event.altKey:
            return
        key = str(event.key)
        items = self._visible_items()
        here = next((i for i, el in enumerate(items) if el == item), 0)
        is_dir = item.classList.contains("folder-dir")
        expanded = item.getAttribute("aria-expanded") == "true"
        nxt: Any = None
        if key == "ArrowDown":
            nxt = items[min(here + 1, len(items) - 1)]
        elif key == "ArrowUp":
            nxt = items[max(here - 1, 0)]
        elif key == "Home":
            nxt = items[0]
        elif key == "End":
            nxt = items[-1]
        elif key == "ArrowRight" and is_dir:
            if expanded:
                nxt = opt(item.querySelector('[role="group"] > [role="treeitem"]'))
            else:
                self._toggle(item, True)
        elif key == "ArrowLeft":
            if is_dir and expanded:
                self._toggle(item, False)
            else:
                nxt = closest(item.parentElement, '[role="treeitem"]')
        elif key in ("Enter", " "):
            if is_dir:
                self._toggle(item)
            else:
                self._open_path(str(item.dataset.path), 0)
        else:
            return
        event.preventDefault()
        if nxt is not None:
            self._focus(nxt)

    def _roving(self, item: Any) -> None:
        for other in self._tree.querySelectorAll('[role="treeitem"][tabindex="0"]'):
            other.tabIndex = -1
        item.tabIndex = 0

    def _focus(self, item: Any) -> None:
        self._roving(item)
        item.focus()
        item.scrollIntoView(obj(block="nearest"))

    def _focused_key(self) -> str | None:
        active = js.document.activeElement
        if self._tree is None or not self._tree.contains(active):
            return None
        if active.hasAttribute("data-path"):
            return f'[data-path="{_css(str(active.dataset.path))}"]'
        if active.hasAttribute("data-dir"):
            return f'[data-dir="{_css(str(active.dataset.dir))}"]'
        return None

    def _on_input(self, event: Any) -> None:
        target = event.target
        if target.classList.contains("folder-filter"):
            self._query = str(target.value)
            self.render()
        elif target.classList.contains("folder-search"):
            self._search(str(target.value))

    # --- width --------------------------------------------------------------------------------------

    def _stored_width(self) -> int:
        try:
            return int(self._storage.get(WIDTH_KEY) or DEFAULT_WIDTH)
        except ValueError:
            return DEFAULT_WIDTH

    def _set_width(self, width: int, save: bool = True) -> None:
        width = max(MIN_WIDTH, min(MAX_WIDTH, int(width)))
        js.document.documentElement.style.setProperty("--sidebar-w", f"{width}px")
        handle = opt(self.el.querySelector(".folder-resize")) if self.el is not None else None
        if handle is not None:
            handle.setAttribute("aria-valuenow", str(width))
            handle.setAttribute("aria-valuetext", f"{width} pixels wide")
        self._width = width
        if save:
            self._storage.set(WIDTH_KEY, str(width))

    def _resize_key(self, event: Any) -> None:
        key = str(event.key)
        width = self._width
        step = STEP * (4 if event.shiftKey else 1)
        new = {
            "ArrowLeft": width - step,
            "ArrowRight": width + step,
            "Home": MIN_WIDTH,
            "End": MAX_WIDTH,
        }.get(key)
        if new is not None:
            event.preventDefault()
            self._set_width(new)

    def _on_pointer_down(self, event: Any) -> None:
        if not event.target.classList.contains("folder-resize"):
            return
        event.preventDefault()
        self._drag = event.pointerId
        event.target.setPointerCapture(event.pointerId)
        js.document.body.classList.add("resizing-folder")

    def _on_pointer_move(self, event: Any) -> None:
        if self._drag is None or event.pointerId != self._drag:
            return
        host = opt(self.el.closest(".sidebar")) or self.el
        left = float(host.getBoundingClientRect().left)
        self._set_width(int(float(event.clientX) - left), save=False)

    def _on_pointer_up(self, event: Any) -> None:
        if self._drag is None or event.pointerId != self._drag:
            return
        self._drag = None
        js.document.body.classList.remove("resizing-folder")
        self._set_width(self._width)


def _css(value: str) -> str:
    """A value for a CSS attribute selector in double quotes."""
    return str(js.CSS.escape(value))
