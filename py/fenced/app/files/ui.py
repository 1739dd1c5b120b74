"""The file layer's DOM: document name and dirty marker, folder panel, recents, draft offers, the
changed-on-disk dialog. Only builds elements and reports clicks; decisions live in the controller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import js
from pyodide.ffi import create_proxy

from fenced.app.jsffi import keep, opt

from . import state
from .state import ConflictChoice, DraftState


def el(tag: str, text: str | None = None, cls: str | None = None, **attrs: str) -> Any:
    node = js.document.createElement(tag)
    if text is not None:
        node.textContent = text
    if cls:
        node.className = cls
    for key, value in attrs.items():
        node.setAttribute(key.replace("_", "-"), value)
    return node


def button(label: str, cls: str | None = None, index: int | None = None, **attrs: str) -> Any:
    """A button; clicks are handled by one delegated listener per container (see `delegate`)."""
    node = el("button", label, cls, type="button", **attrs)
    if index is not None:
        node.dataset.index = str(index)
    return node


def delegate(container_id: str, handlers: dict[str, Callable[[int], object]]) -> None:
    """One click listener on the container: a click on `.cls[data-index=i]` calls handlers[cls](i)."""

    def on_click(event: Any) -> None:
        target = opt(event.target.closest("button"))
        index = None if target is None else getattr(target.dataset, "index", None)
        if index is None:
            return
        for cls, handler in handlers.items():
            if target.classList.contains(cls):
                handler(int(index))
                return

    by_id(container_id).addEventListener("click", keep(on_click))


def by_id(name: str) -> Any:
    return js.document.getElementById(name)


def show_document(name: str | None, dirty: bool) -> None:
    """Dirty state on <body data-dirty> (a test hook), the window title and the name in the header."""
    body = js.document.body
    body.dataset.dirty = "true" if dirty else "false"
    body.dataset.hasDocument = "true" if name else "false"
    js.document.title = state.window_title(name, dirty)
    label = opt(by_id("doc-name"))
    if label is None:
        return
    label.replaceChildren()
    if name:
        label.append(el("span", name, "doc-name-text"))
        if dirty:
            label.append(
                el(
                    "span",
                    state.DIRTY_MARK,
                    "dirty-marker",
                    title="Unsaved changes",
                    aria_label="unsaved changes",
                )
            )
    label.hidden = not name


def set_draft_state(value: DraftState) -> None:
    """`saved` once the current edits are in IndexedDB, `pending` before: tests and curious users."""
    js.document.body.dataset.draftState = value


def render_folder(title: str, paths: Sequence[str], current: str | None, truncated: bool) -> None:
    """The side panel: `.folder-file[data-index]` per file, `.folder-close` (index -1)."""
    panel = by_id("folder-panel")
    panel.replaceChildren()
    head = el("div", None, "folder-head")
    head.append(el("h2", title, "folder-title"), button("Close folder", "folder-close", -1))
    panel.append(head)
    if not paths:
        panel.append(el("p", "No Markdown files in this folder.", "folder-empty"))
    listing = el("ul", None, "folder-files")
    for i, path in enumerate(paths):
        item = el("li")
        b = button(path, "folder-file", i, data_path=path, title=path)
        if path == current:
            b.setAttribute("aria-current", "true")
        item.append(b)
        listing.append(item)
    panel.append(listing)
    if truncated:
        panel.append(el("p", f"Showing the first {len(paths)} files.", "folder-empty"))
    panel.hidden = False
    js.document.body.dataset.folderOpen = "true"


def mark_current(path: str | None) -> None:
    for b in by_id("folder-panel").querySelectorAll(".folder-file"):
        if b.dataset.path == path:
            b.setAttribute("aria-current", "true")
        else:
            b.removeAttribute("aria-current")


def close_folder() -> None:
    panel = by_id("folder-panel")
    panel.replaceChildren()
    panel.hidden = True
    js.document.body.dataset.folderOpen = "false"


def render_recents(items: Sequence[tuple[str, str]]) -> None:
    """Recently opened files and folders (kind, name), newest first; hidden when there are none."""
    box = by_id("recent-files")
    box.replaceChildren()
    box.hidden = not items
    if not items:
        return
    box.append(el("h2", "Recent", "recent-title"))
    listing = el("ul", None, "recent-list")
    for i, (kind, name) in enumerate(items):
        item = el("li")
        label = f"{name}/" if kind == "directory" else name
        item.append(button(label, "recent-open", i, data_kind=kind))
        item.append(
            button("\u00d7", "recent-forget", i, aria_label=f"Forget {label}", title="Remove from this list")
        )
        listing.append(item)
    box.append(listing)


def render_draft_offers(offers: Sequence[tuple[str, str]]) -> None:
    """One line per stored draft (name, age): 'Unsaved changes to X from ... [Restore] [Discard]'."""
    box = by_id("draft-offers")
    box.replaceChildren()
    box.hidden = not offers
    for i, (name, when) in enumerate(offers):
        row = el("div", None, "draft-offer", role="group", aria_label=f"Unsaved changes to {name}")
        row.dataset.draftName = name
        row.append(el("p", f"You have unsaved changes to {name} ({when}).", "draft-text"))
        row.append(button("Restore", "draft-restore", i), button("Discard", "draft-discard", i))
        box.append(row)


def _pre(text: str, cls: str) -> Any:
    return el("pre", text, cls, tabindex="0")


async def ask_conflict(
    name: str, disk_text: str, our_text: str, diff: Sequence[str], can_save_as: bool
) -> ConflictChoice:
    """A modal dialog with both versions and their diff; returns 'overwrite', 'save-as' or 'cancel'."""
    old = opt(by_id("conflict-dialog"))
    if old is not None:
        old.remove()
    dialog = el("dialog", None, "conflict-dialog", id="conflict-dialog", aria_labelledby="conflict-title")
    form = el("form", None, None, method="dialog")
    form.append(el("h2", f"{name} changed on disk", id="conflict-title"))
    form.append(
        el(
            "p",
            "Another program changed this file since you opened it. Saving now replaces "
            "that version with yours. Compare them first:",
        )
    )
    versions = el("div", None, "conflict-versions")
    for title, text, cls in (("On disk", disk_text, "conflict-disk"), ("Yours", our_text, "conflict-ours")):
        col = el("section", None, "conflict-version", aria_label=title)
        col.append(el("h3", title), _pre(text, cls))
        versions.append(col)
    form.append(versions)
    details = el("details", None, "conflict-diff")
    details.append(el("summary", "Differences (on disk \u2192 yours)"))
    pre = el("pre", None, "conflict-diff-text", tabindex="0")
    for line in diff:
        kind = "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
        pre.append(el("span", line + "\n", f"diff-{kind}"))
    details.append(pre)
    form.append(details)
    actions = el("div", None, "conflict-actions")
    actions.append(el("button", "Overwrite", "danger", value="overwrite"))
    if can_save_as:
        actions.append(el("button", "Save as\u2026", None, value="save-as"))
    cancel = el("button", "Cancel", None, value="cancel", autofocus="")
    actions.append(cancel)
    form.append(actions)
    dialog.append(form)
    js.document.body.append(dialog)
    done: asyncio.Future[ConflictChoice] = asyncio.get_running_loop().create_future()

    def closed(_e: Any) -> None:
        if not done.done():
            value = str(dialog.returnValue or "")
            done.set_result(
                "overwrite" if value == "overwrite" else "save-as" if value == "save-as" else "cancel"
            )

    listener = create_proxy(closed)  # short-lived: destroyed when the dialog closes
    dialog.addEventListener("close", listener)
    dialog.showModal()
    try:
        return await done
    finally:
        dialog.remove()
        listener.destroy()
