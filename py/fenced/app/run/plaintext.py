"""Terminal output as plain text: escape sequences stripped, `\\r` and erase-line applied to the line.

The terminal (xterm.js) shows what a program drew; this is the same output for the page's text hook
(`data-output-text`), copy, search and the session-outputs file. It is fed raw chunks as they arrive
(UTF-8 and escape sequences may be split anywhere) and returns what to append: the text of completed
lines, and the current (unfinished) line in full, which a progress bar may still rewrite.
Pure Python, no `js`: unit-tested under CPython.
"""

from __future__ import annotations

import codecs
import re

# CSI (colours, cursor moves, erase), OSC (titles, hyperlinks; BEL or ST ends them), DCS/PM/APC/SOS
# strings, two-byte escapes (charset selection, keypad modes, ...), and C0 controls other than \t \n \r \b.
_ESCAPE = re.compile(
    r"\x1b\[(?P<csi>[0-?]*)[ -/]*(?P<final>[@-~])"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[ -/]*[0-~]"
    r"|[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]"
)
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_TWO = re.compile(r"\x1b[ -/]*[0-~]")
_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # anything but \t and \n needs the slow path
_NOT_CONTROL = bytes(b for b in range(256) if b not in (*range(0x09), *range(0x0B, 0x20), 0x7F))
_TOKEN = re.compile(_ESCAPE.pattern + r"|\r|\x08|\n")
MAX_PENDING_ESCAPE = 4096  # an escape sequence longer than this is not one: let it through as text
MAX_LINE = 1 << 16  # an endless line is committed in pieces (so appending stays linear)


class PlainText:
    """Incremental converter; `feed(bytes)` -> `(completed_text, current_line)`."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._hold = ""  # an incomplete escape sequence (or a lone \r) carried to the next chunk
        self._line: list[str] = []  # the current line, as cells
        self._col = 0
        self.length = 0  # characters committed so far

    @property
    def line(self) -> str:
        return "".join(self._line)

    def feed(self, data: bytes, final: bool = False) -> tuple[str, str]:
        if not self._hold and self._col == len(self._line):
            plain = data.replace(b"\r\n", b"\n") if b"\r" in data else data
            if not plain.translate(None, _NOT_CONTROL):  # checked on bytes: C speed
                return self._done(self._fast(self._decoder.decode(plain, final)))  # e.g. `seq`: plain lines
        text = self._hold + self._decoder.decode(data, final)
        self._hold = ""
        if not final:
            text = self._keep_incomplete(text)
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")
        if not _SPECIAL.search(text) and self._col == len(self._line):
            done = self._fast(text)
        else:
            done = self._slow(text)
        return self._done(done)

    def _done(self, done: str) -> tuple[str, str]:
        if len(self._line) > MAX_LINE and self._col == len(self._line):
            done += self.line
            self._line, self._col = [], 0
        self.length += len(done)
        return done, self.line

    def _keep_incomplete(self, text: str) -> str:
        """Hold back a trailing partial escape sequence, and a trailing \\r that may start \\r\\n."""
        esc = _incomplete_start(text)
        if esc >= 0:
            self._hold = text[esc:]
            return text[:esc]
        if text.endswith("\r"):
            self._hold = "\r"
            return text[:-1]
        return text

    def _fast(self, text: str) -> str:
        cut = text.rfind("\n")
        if cut < 0:
            self._line.extend(text)
            self._col = len(self._line)
            return ""
        done = self.line + text[: cut + 1]
        self._line = list(text[cut + 1 :])
        self._col = len(self._line)
        return done

    def _slow(self, text: str) -> str:
        done: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            if m.start() > pos:
                self._put(text[pos : m.start()])
            pos = m.end()
            tok = m.group()
            if tok == "\n":
                done.append(self.line + "\n")
                self._line, self._col = [], 0
            elif tok == "\r":
                self._col = 0
            elif tok == "\x08":
                self._col = max(0, self._col - 1)
            elif m.group("final") is not None:
                self._csi(m.group("csi") or "", m.group("final"))
        if pos < len(text):
            self._put(text[pos:])
        return "".join(done)

    def _put(self, s: str) -> None:
        line, col = self._line, self._col
        if col == len(line):
            line.extend(s)
        else:
            end = col + len(s)
            line[col:end] = list(s)
        self._col = col + len(s)

    def _csi(self, params: str, final: str) -> None:
        """The few cursor controls that matter for one line of text: erase line, column moves."""
        n = _first_int(params)
        if final == "K":  # erase in line: 0 to end, 1 to start, 2 all
            if n == 0:
                del self._line[self._col :]
            elif n == 1:
                self._line[: self._col] = [" "] * min(self._col, len(self._line))
            else:
                self._line = []
        elif final == "G":  # cursor to column n (1-based)
            self._move(max(1, n or 1) - 1)
        elif final == "D":
            self._move(self._col - max(1, n or 1))
        elif final == "C":
            self._move(self._col + max(1, n or 1))

    def _move(self, col: int) -> None:
        col = max(0, col)
        if col > len(self._line):
            self._line.extend(" " * (col - len(self._line)))
        self._col = col


def _first_int(params: str) -> int:
    head = params.split(";", 1)[0]
    return int(head) if head.isdigit() else 0


def _incomplete_start(text: str) -> int:
    """Where a trailing unfinished escape sequence starts, or -1 (an ESC at the end may be the first half
    of the ST that ends an OSC string begun earlier, so look one sequence back)."""
    lo = max(0, len(text) - MAX_PENDING_ESCAPE)
    pos = text.rfind("\x1b", lo)
    if pos < 0:
        return -1
    tail = text[pos:]
    if tail == "\x1b" or tail.startswith("\x1b\\"):
        prev = text.rfind("\x1b", lo, pos)
        kind = text[prev + 1 : prev + 2] if prev >= 0 else ""
        if kind and kind in "]PX^_" and not (kind == "]" and "\x07" in text[prev:pos]):
            return prev if tail == "\x1b" else -1
    return -1 if _complete(tail) else pos


def _complete(tail: str) -> bool:
    """Whether `tail` (starting at an ESC) holds a whole escape sequence (else the rest is on its way)."""
    if len(tail) < 2:
        return False
    kind = tail[1]
    if kind == "[":
        return _CSI.match(tail) is not None
    if kind == "]":
        return "\x07" in tail or "\x1b\\" in tail[1:]
    if kind in "PX^_":
        return "\x1b\\" in tail[1:]
    return _TWO.match(tail) is not None


def strip(data: bytes) -> str:
    """All of `data` as plain text (completed lines and the last line)."""
    conv = PlainText()
    done, line = conv.feed(data, final=True)
    return done + line
