"""User-facing messages: one polite live region for info, an assertive one for errors.

Every module of the app tells the user things through `notify()`, so wording and placement stay
consistent and screen readers announce them. Messages stay until dismissed or replaced by the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import js
from pyodide.ffi import create_once_callable

from fenced.app.jsffi import keep, opt

Kind = Literal["info", "success", "warning", "error"]
_KINDS = ("info", "success", "warning", "error")


def _container() -> Any:
    box = opt(js.document.getElementById("messages"))
    if box is None:
        box = js.document.createElement("div")
        box.id = "messages"
        box.className = "messages"
        box.setAttribute("aria-live", "polite")
        js.document.body.appendChild(box)
    return box


def notify(message: str, kind: Kind = "info", key: str | None = None, timeout_ms: int | None = None) -> Any:
    """Show `message`; `key` replaces an earlier message with the same key; errors never time out."""
    assert kind in _KINDS, kind
    box = _container()
    if key:
        old = opt(box.querySelector(f'[data-message-key="{key}"]'))
        if old is not None:
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
    close.textContent = "\u00d7"  # multiplication sign
    close.addEventListener("click", keep(lambda _e: item.remove()))
    item.append(text, close)
    box.appendChild(item)
    if timeout_ms and kind in ("info", "success"):
        js.setTimeout(create_once_callable(item.remove), timeout_ms)
    return item


def clear(key: str) -> None:
    old = opt(_container().querySelector(f'[data-message-key="{key}"]'))
    if old is not None:
        old.remove()


def bug_report(key: str, what: str) -> Callable[[BaseException], None]:
    """For `jsffi.spawn`: tell the user that a task failed (`what: the error`), as one message per key."""

    def report(exc: BaseException) -> None:
        notify(f"{what}: {exc}", "error", key=key)

    return report
