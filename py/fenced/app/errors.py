"""Python errors nobody caught end as one plain message on the page, with the details in the console.

PyScript shows every line Python writes to stderr as a red `.py-error` block at the bottom of the page
(its `error` plugin, switched off in pyscript.json: `"plugins": ["!error"]`), which is unreadable for a
user and, once it happened, stays. Errors reach the top without being caught in four ways, and each is
routed here instead:

- an exception raised into a JS event handler or timer (a proxy called by the browser): the browser
  reports it to `window`'s `error` event as an "Uncaught PythonError" (and to `unhandledrejection` when a
  promise made from a coroutine rejects);
- a task whose exception nobody retrieved: the event loop's exception handler;
- an exception in a finaliser (`__del__`) or a callback Python cannot raise from: `sys.unraisablehook`;
- anything that reaches `sys.excepthook`.

Each is logged to the console with its traceback and told once, as one error message (key
`python-error`: a second error replaces the first rather than piling up).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import traceback
from typing import Any

import js

from fenced.app.jsffi import keep
from fenced.app.notify import notify

KEY = "python-error"


def summary(exc: BaseException | None, fallback: str = "") -> str:
    """`ValueError: bad value`, the last line of a traceback, or `fallback`: what the message names."""
    if exc is not None:
        text = str(exc).strip()
        name = type(exc).__name__
        if name == "PythonError" and text:  # a Python error that crossed into JS: its last line says it
            return text.splitlines()[-1][:300]
        return f"{name}: {text}"[:300] if text else name
    lines = [line for line in fallback.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else "unknown error"


def tell(what: str, details: str) -> None:
    """Log `details` to the console and show one plain error message naming `what`."""
    js.console.error(details)
    with contextlib.suppress(Exception):  # no page to tell (the DOM is gone): the console has it
        notify(
            f"Something went wrong ({what}). Your document is unchanged; details are in the browser console.",
            "error",
            key=KEY,
        )


def _excepthook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
    tell(summary(exc), "".join(traceback.format_exception(kind, exc, tb)))


def _unraisable(info: Any) -> None:
    exc = info.exc_value
    where = f"Exception ignored in {info.object!r}" if info.object is not None else "Exception ignored"
    details = "".join(traceback.format_exception(info.exc_type, exc, info.exc_traceback))
    tell(summary(exc), f"{info.err_msg or where}:\n{details}")


def _loop_errors(_loop: Any, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    message = str(context.get("message") or "")
    details = "".join(traceback.format_exception(exc)) if isinstance(exc, BaseException) else message
    tell(summary(exc if isinstance(exc, BaseException) else None, message), f"{message}\n{details}")


def _is_python(error: Any) -> bool:
    """A JS error that is a Python exception which crossed into JS (Pyodide's `PythonError`)."""
    try:
        return str(getattr(error, "name", "") or "") == "PythonError"
    except Exception:
        return False


def _last_python_error() -> BaseException | None:
    """The exception that crossed into JS last (Pyodide keeps it as `sys.last_exc`; its `PythonError`
    may arrive with an empty message)."""
    exc = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    return exc if isinstance(exc, BaseException) else None


def _on_window_error(event: Any) -> None:
    message = str(getattr(event, "message", "") or "")
    error = getattr(event, "error", None)
    if "PythonError" not in message and not (error is not None and _is_python(error)):
        return
    event.preventDefault()  # the browser's own "Uncaught PythonError" console line: ours has the details
    _tell_python_error(error, message)


def _on_rejection(event: Any) -> None:
    reason = getattr(event, "reason", None)
    if reason is None or not _is_python(reason):
        return
    event.preventDefault()
    _tell_python_error(reason, "")


def _tell_python_error(error: Any, fallback: str) -> None:
    text = str(getattr(error, "message", "") or "") if error is not None else ""
    exc = _last_python_error()
    if exc is not None and (not text or str(exc) in text):
        tell(summary(exc), text or "".join(traceback.format_exception(exc)))
    else:
        tell(summary(None, text or fallback), text or fallback)


def install() -> None:
    """Route uncaught Python errors to one message (at boot, before anything else can fail)."""
    sys.excepthook = _excepthook
    sys.unraisablehook = _unraisable
    with contextlib.suppress(Exception):  # no loop that takes a handler: the console still has them
        asyncio.get_event_loop().set_exception_handler(_loop_errors)
    js.window.addEventListener("error", keep(_on_window_error))
    js.window.addEventListener("unhandledrejection", keep(_on_rejection))
