"""User-facing messages: one polite live region for info, an assertive one for errors.

Every module of the app tells the user things through `notify()`, so wording and placement stay
consistent and screen readers announce them. Messages stay until dismissed or replaced by the same key.
"""

from __future__ import annotations

from typing import Any

import js
from pyodide.ffi import create_proxy

_KINDS = ("info", "success", "warning", "error")
_keep: list[object] = []


def _container() -> Any:  # a JsProxy for the <div>
    box = js.document.getElementById("messages")
    if not box:  # getElementById gives jsnull, not None
        box = js.document.createElement("div")
        box.id = "messages"
        box.className = "messages"
        box.setAttribute("aria-live", "polite")
        js.document.body.appendChild(box)
    return box


def notify(message: str, kind: str = "info", key: str | None = None, timeout_ms: int | None = None) -> Any:
    """Show `message`; `key` replaces an earlier message with the same key; errors never time out."""
    assert kind in _KINDS, kind
    box = _container()
    if key:
        old = box.querySelector(f'[data-message-key="{key}"]')
        if old:
            old.remove()
    item = js.document.createElement("div")
    item.className = f"message message-{kind}"
    item.dataset.messageKind = kind
    if key:
        item.dataset.messageKey = key
    item.setAttribute("role", "alert" if kind in ("error", "warning") else "status")
    text = js.document.createElement("span")
    text.textContent = message
    close = js.document.createElement("button")
    close.type = "button"
    close.className = "message-close"
    close.setAttribute("aria-label", "Dismiss message")
    close.textContent = "\u00d7"  # the multiplication sign, the usual close glyph
    handler = create_proxy(lambda _e: item.remove())
    _keep.append(handler)
    close.addEventListener("click", handler)
    item.append(text, close)
    box.appendChild(item)
    if timeout_ms and kind in ("info", "success"):
        js.setTimeout(create_proxy(lambda: item.remove()), timeout_ms)  # noqa: PLW0108  # a Python callable
    return item


def clear(key: str) -> None:
    old = _container().querySelector(f'[data-message-key="{key}"]')
    if old:
        old.remove()
