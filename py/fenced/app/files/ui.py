"""The file layer's DOM: document name and dirty marker, folder panel, recents, draft offers, the
changed-on-disk dialog. Only builds elements and reports clicks; decisions live in the controller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import js
from pyodide.ffi import create_proxy

from fenced.app.jsffi import keep, opt

from . import state
from .state import CloseChoice, ConflictChoice, DraftState

T = TypeVar("T")


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


def show_document(name: str | None, dirty: bool, path: str | None = None, folder: str = "") -> None:
    """Dirty state on <body data-dirty> (a test hook), the window title, and the document in the header:
    its path in the opened folder as a breadcrumb (`docs / guide / index.md`, the folders being buttons
    that show them in the Folder panel), else its name."""
    body = js.document.body
    body.dataset.dirty = "true" if dirty else "false"
    body.dataset.hasDocument = "true" if name else "false"
    js.document.title = state.window_title(name, dirty)
    label = opt(by_id("doc-name"))
    if label is None:
        return
    label.replaceChildren()
    label.hidden = not name
    if not name:
        return
    crumbs = el("span", None, "breadcrumb", role="navigation", aria_label="Document path")
    if folder:
        crumbs.title = f"In the folder {folder}"
    parts = (path or name).split("/")
    for i, part in enumerate(parts):
        if i:
            crumbs.append(el("span", "/", "crumb-sep", aria_hidden="true"))
        if i < len(parts) - 1:
            b = button(part, "crumb crumb-folder", data_reveal="/".join(parts[: i + 1]) + "/")
            b.title = f"Show {'/'.join(parts[: i + 1])}/ in the Folder panel"
            crumbs.append(b)
        else:
            crumbs.append(el("span", part, "crumb doc-name-text", aria_current="page"))
    label.append(crumbs)
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


def set_draft_state(value: DraftState) -> None:
    """`saved` once the current edits are in IndexedDB, `pending` before: tests and curious users."""
    js.document.body.dataset.draftState = value


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


def render_open_editors(items: Sequence[tuple[str, str, bool, bool]]) -> None:
    """The open documents (label, the name the list gives it, dirty, shown), in the order opened: a button
    shows one, a close button closes it; a dirty one carries `data-dirty="true"` and a visible mark. Hidden
    while none is open."""
    box = opt(by_id("open-editors"))
    if box is None:
        return
    box.replaceChildren()
    box.hidden = not items
    # Two or more open: the sidebar that lists them shows by itself on a wide screen (files.css), as it
    # does for an opened folder, until the user closes it.
    many = "true" if len(items) > 1 else "false"
    if getattr(js.document.body.dataset, "openEditors", None) != many:
        js.document.body.dataset.openEditors = many
    if not items:
        return
    box.append(el("h2", "Open editors", "sidebar-title open-editors-title"))
    listing = el("ul", None, "open-editors-list")
    for i, (label, listed, dirty, current) in enumerate(items):
        item = el("li", None, "open-editor")
        item.dataset.path = label
        if dirty:
            item.dataset.dirty = "true"
        name = listed.rsplit("/", 1)[-1]
        show = button(name, "open-editor-show", i, aria_label=listed, title=listed)
        if "/" in listed:
            show.append(el("span", listed.rsplit("/", 1)[0], "open-editor-dir", aria_hidden="true"))
        if current:
            show.setAttribute("aria-current", "true")
        item.append(show)
        if dirty:
            item.append(
                el("span", state.DIRTY_MARK, "editor-dirty", title="Unsaved changes", aria_hidden="true")
            )
        item.append(
            button("\u00d7", "open-editor-close", i, aria_label=f"Close {listed}", title=f"Close {listed}")
        )
        listing.append(item)
    box.append(listing)


def render_draft_offers(offers: Sequence[tuple[str, str]]) -> None:
    """One line per stored draft (its path in its folder or its name, its age):
    'You have unsaved changes to docs/index.md (5 minutes ago). [Restore] [Discard]'."""
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

    def pick(value: str) -> ConflictChoice:
        return "overwrite" if value == "overwrite" else "save-as" if value == "save-as" else "cancel"

    return await _answer(dialog, pick)


async def ask_close(label: str) -> CloseChoice:
    """Closing a document with unsaved edits: 'save', 'discard' or 'cancel' (a modal dialog)."""
    old = opt(by_id("close-dialog"))
    if old is not None:
        old.remove()
    dialog = el("dialog", None, "close-dialog", id="close-dialog", aria_labelledby="close-title")
    form = el("form", None, None, method="dialog")
    form.append(el("h2", f"Save changes to {label}?", id="close-title"))
    form.append(el("p", "Your changes are lost if you close it without saving."))
    actions = el("div", None, "conflict-actions")
    actions.append(el("button", "Save", None, value="save", autofocus=""))
    actions.append(el("button", "Don\u2019t save", "danger", value="discard"))
    actions.append(el("button", "Cancel", None, value="cancel"))
    form.append(actions)
    dialog.append(form)

    def pick(value: str) -> CloseChoice:
        return "save" if value == "save" else "discard" if value == "discard" else "cancel"

    return await _answer(dialog, pick)


async def _answer(dialog: Any, pick: Callable[[str], T]) -> T:
    """Show `dialog` (a `<form method=dialog>` of buttons) modally; its answer is `pick` of the value of the
    button that closed it ("" for Escape). The dialog goes from the page when it closes."""
    js.document.body.append(dialog)
    done: asyncio.Future[T] = asyncio.get_running_loop().create_future()

    def closed(_e: Any) -> None:
        if not done.done():
            done.set_result(pick(str(dialog.returnValue or "")))

    listener = create_proxy(closed)  # short-lived: destroyed when the dialog closes
    dialog.addEventListener("close", listener)
    dialog.showModal()
    try:
        return await done
    finally:
        dialog.remove()
        listener.destroy()
