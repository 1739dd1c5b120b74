"""Line and newline helpers shared by the reader and the writer.

CommonMark ends a line at ``\\r\\n``, ``\\r`` or ``\\n`` (and nothing else: not
``\\v``, ``\\f`` or U+2028, which :meth:`str.splitlines` would also split on), so
everything here uses that definition to stay in step with markdown-it's line map.
"""

from __future__ import annotations

import re

#: CommonMark line endings, longest first.
NEWLINE_RE = re.compile(r"\r\n|\r|\n")

#: Go's ``unicode.IsSpace`` set; Runme trims and skips with it (Python's
#: ``str.isspace`` also accepts ``\x1c``-``\x1f``, which Go does not).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def split_lines(text: str) -> list[str]:
    """Split on CommonMark line endings, dropping them (``"a\\n"`` -> ``["a", ""]``)."""
    if "\r" not in text:
        return text.split("\n")
    return NEWLINE_RE.split(text)


def normalize_newlines(text: str) -> str:
    """Turn every CommonMark line ending into ``\\n``."""
    if "\r" not in text:
        return text
    return NEWLINE_RE.sub("\n", text)


def first_newline(text: str) -> str | None:
    """The first line ending used in ``text``, or ``None`` when it has none."""
    m = NEWLINE_RE.search(text)
    return m.group(0) if m else None


def document_newline(text: str) -> str:
    """The newline to write into a document: CRLF when every line ending is CRLF."""
    lf = text.count("\n")
    if lf and text.count("\r\n") == lf:
        return "\r\n"
    if not lf and "\r" in text:
        return "\r"
    return "\n"


def is_blank(line: str) -> bool:
    """A separator line: only spaces, tabs and blockquote markers (``>``)."""
    return not line.strip(" \t>")
