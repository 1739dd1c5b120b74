"""An output as plain text in a `<pre>` (`[data-output-text]`, and `[data-stderr-text]` for stderr alone),
kept current as output streams: completed lines are appended before one text node, the current line,
which a progress bar may still rewrite (so a chunk costs one or two DOM calls, whatever the output's size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js

from .plaintext import PlainText


class TextCopy:
    """The plain text of one stream (or all of them) in `pre`."""

    def __init__(self, pre: Any) -> None:
        self.pre = pre
        self._text = PlainText()
        self._tail: Any = None  # the current line's text node

    def feed(self, data: bytes) -> None:
        done, line = self._text.feed(data)
        self._tail = _append(self.pre, self._tail, done, line)

    def clear(self) -> None:
        self._text = PlainText()
        self.pre.textContent = ""
        self._tail = None

    def remask(self, values: list[str], running: bool, redact: Callable[[str, list[str]], str]) -> None:
        """The text with `values` masked; the line a running program may still rewrite stays its own text
        node (None when the run is over)."""
        pre, tail = self.pre, self._tail
        text = str(pre.textContent)
        line = str(tail.data) if tail is not None and running else ""
        done = text[: len(text) - len(line)]
        masked = redact(done, values)
        if masked == done:
            return
        pre.textContent = masked
        if not running:
            self._tail = None
            return
        node = js.document.createTextNode(redact(line, values))  # until the program rewrites the line
        pre.appendChild(node)
        self._tail = node


def _append(pre: Any, tail: Any, done: str, line: str) -> Any:
    """Append completed text before the current-line node and update that node; returns it."""
    if tail is None:
        tail = js.document.createTextNode("")
        pre.appendChild(tail)
    if done:
        tail.before(done)
    if tail.data != line:
        tail.data = line
    return tail
