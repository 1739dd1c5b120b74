"""Terminal output as text or as HTML: escape sequences, colours and carriage returns (pure Python).

For outputs written into files (outputs in the file, history lines, the HTML export): not a terminal
emulator, but what a reader of a finished output needs. ``\\r`` rewrites its line (the last rewrite
wins, as a progress bar ends), ``\\b`` erases a character, SGR colours become inline-styled spans in
HTML (the 16 colours, 256 colours and true colour; bold, dim, italic, underline, strike, inverse), and
every other escape sequence or control character is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import escape

_ESCAPE = re.compile(
    r"\x1b\[(?P<csi>[0-?]*)[ -/]*(?P<final>[@-~])"  # CSI: colours (m), cursor moves, erases
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)"  # OSC: titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\|$)"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # two-byte escapes (and a lone ESC)
)
_CONTROL = re.compile(r"[\x00-\x07\x0b\x0c\x0e-\x1f\x7f]")
_LINE = re.compile(r"\r*\n")
# A line a \r or \b rewrites (matched from line starts only, so a long line costs linear time).
_REWRITTEN = re.compile(r"^[^\n\r\b]*[\r\b][^\n]*", re.MULTILINE)


def _line(text: str) -> str:
    """One line (no ``\\n``) after its ``\\r`` and ``\\b``: later writes overwrite earlier ones."""
    if "\r" not in text and "\b" not in text:
        return text
    cells: list[str] = []
    col = 0
    for ch in text:
        if ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(0, col - 1)
        else:
            if col < len(cells):
                cells[col] = ch
            else:
                cells.append(ch)
            col += 1
    return "".join(cells)


def strip(text: str) -> str:
    """`text` without escape sequences or control characters; ``\\r\\n`` is ``\\n``, a lone ``\\r`` or
    ``\\b`` rewrites its line. Only lines that hold a ``\\r`` or ``\\b`` after that are worked on one
    by one: a terminal's output ends every line with ``\\r\\n``, and the runner strips up to 64 KiB of
    it at each cell's exit (`$__`)."""
    if "\x1b" in text:
        text = _ESCAPE.sub("", text)
    text = _CONTROL.sub("", text)
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
        if "\r\n" in text:  # a run of \r before a \n (`_LINE`): in one pass, however long the run
            text = _LINE.sub("\n", text)
    if "\r" not in text and "\b" not in text:
        return text
    return _REWRITTEN.sub(lambda m: _line(m.group()), text)


# --- HTML ---------------------------------------------------------------------------------------

# xterm's default 16 colours (what the page's terminal shows).
PALETTE = (
    "#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
    "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
)  # fmt: skip


def color_256(n: int) -> str:
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = (0, 95, 135, 175, 215, 255)
        r, g, b = steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
        return f"#{r:02x}{g:02x}{b:02x}"
    level = 8 + 10 * (n - 232)
    return f"#{level:02x}{level:02x}{level:02x}"


@dataclass(frozen=True)
class Style:
    fg: str = ""
    bg: str = ""
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    inverse: bool = False

    def css(self) -> str:
        fg, bg = (
            (self.bg or "var(--bg, #fff)", self.fg or "var(--fg, #000)")
            if self.inverse
            else (self.fg, self.bg)
        )
        parts = []
        if fg:
            parts.append(f"color:{fg}")
        if bg:
            parts.append(f"background:{bg}")
        if self.bold:
            parts.append("font-weight:bold")
        if self.dim:
            parts.append("opacity:.7")
        if self.italic:
            parts.append("font-style:italic")
        lines = [n for n, on in (("underline", self.underline), ("line-through", self.strike)) if on]
        if lines:
            parts.append("text-decoration:" + " ".join(lines))
        return ";".join(parts)


PLAIN = Style()


def _extended(codes: list[int], i: int) -> tuple[str, int]:
    """A 38/48 colour: ``5;n`` or ``2;r;g;b``; (colour or "", index of the last code used)."""
    if i + 1 < len(codes) and codes[i + 1] == 5 and i + 2 < len(codes):
        return color_256(max(0, min(255, codes[i + 2]))), i + 2
    if i + 1 < len(codes) and codes[i + 1] == 2 and i + 4 < len(codes):
        r, g, b = (max(0, min(255, c)) for c in codes[i + 2 : i + 5])
        return f"#{r:02x}{g:02x}{b:02x}", i + 4
    return "", len(codes)


def sgr(style: Style, params: str) -> Style:
    """The style after ``ESC [ params m``."""
    codes = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            style = PLAIN
        elif c == 1:
            style = replace(style, bold=True)
        elif c == 2:
            style = replace(style, dim=True)
        elif c == 3:
            style = replace(style, italic=True)
        elif c == 4:
            style = replace(style, underline=True)
        elif c == 7:
            style = replace(style, inverse=True)
        elif c == 9:
            style = replace(style, strike=True)
        elif c == 22:
            style = replace(style, bold=False, dim=False)
        elif c == 23:
            style = replace(style, italic=False)
        elif c == 24:
            style = replace(style, underline=False)
        elif c == 27:
            style = replace(style, inverse=False)
        elif c == 29:
            style = replace(style, strike=False)
        elif 30 <= c <= 37:
            style = replace(style, fg=PALETTE[c - 30])
        elif 90 <= c <= 97:
            style = replace(style, fg=PALETTE[c - 90 + 8])
        elif 40 <= c <= 47:
            style = replace(style, bg=PALETTE[c - 40])
        elif 100 <= c <= 107:
            style = replace(style, bg=PALETTE[c - 100 + 8])
        elif c == 39:
            style = replace(style, fg="")
        elif c == 49:
            style = replace(style, bg="")
        elif c in (38, 48):
            colour, i = _extended(codes, i)
            if colour:
                style = replace(style, fg=colour) if c == 38 else replace(style, bg=colour)
        i += 1
    return style


def _styled_line(line: str, style: Style) -> tuple[list[tuple[str, Style]], Style]:
    """The cells of one line (no newline) as (character, style), after its escapes, ``\r`` and ``\b``."""
    cells: list[tuple[str, Style]] = []
    col = 0
    pos = 0

    def put(chunk: str) -> None:
        nonlocal col
        for ch in _CONTROL.sub("", chunk):
            if ch == "\r":
                col = 0
            elif ch == "\b":
                col = max(0, col - 1)
            elif col < len(cells):
                cells[col] = (ch, style)
                col += 1
            else:
                cells.append((ch, style))
                col += 1

    for m in _ESCAPE.finditer(line):
        put(line[pos : m.start()])
        pos = m.end()
        if m.group("final") == "m":
            style = sgr(style, m.group("csi") or "")
    put(line[pos:])
    return cells, style


def to_html(text: str) -> str:
    """Escaped HTML for terminal output (to go inside ``<pre>``): colours as ``<span style>``."""
    out: list[str] = []
    style = PLAIN
    for n, line in enumerate(_LINE.split(text)):
        if n:
            out.append("\n")
        cells, style = _styled_line(line, style)
        start = 0
        while start < len(cells):
            run_style = cells[start][1]
            end = start
            while end < len(cells) and cells[end][1] == run_style:
                end += 1
            body = escape("".join(ch for ch, _ in cells[start:end]), quote=False)
            css = run_style.css()
            out.append(f'<span style="{css}">{body}</span>' if css else body)
            start = end
    return "".join(out)
