"""Typed events between the rooms of fenced.app (pure, no `js`): one room emits, the others subscribe.

A room that needs to react to another (fenced.app.run to a document being shown by the view, say)
subscribes to a `Signal` the other room exposes, rather than wrapping or reassigning its methods. Events
are small frozen dataclasses, so a subscriber sees what happened, typed.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

E = TypeVar("E")


def _print_error(signal: str) -> None:
    traceback.print_exc()


class Signal(Generic[E]):
    """Subscribers are called in the order they subscribed, synchronously, with the event. A failing
    subscriber is reported through `on_error` (called within the `except` block, so it can log the
    traceback) and does not keep the others from running."""

    def __init__(self, name: str, on_error: Callable[[str], None] = _print_error) -> None:
        self.name = name
        self._on_error = on_error
        self._handlers: list[Callable[[E], object]] = []

    def subscribe(self, handler: Callable[[E], object]) -> Callable[[], None]:
        """Call `handler(event)` on every emit from now on; returns a function that unsubscribes."""
        self._handlers.append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return unsubscribe

    def emit(self, event: E) -> None:
        for handler in list(self._handlers):
            try:
                handler(event)
            except Exception:
                self._on_error(self.name)

    def __len__(self) -> int:
        return len(self._handlers)
