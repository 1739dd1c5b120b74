"""Block-level scan with markdown-it-py: where are the code blocks and top-level
headings?

Only block structure matters for splitting, so inline parsing never runs. The
top-level loop of markdown-it's block parser is replayed here so that each
top-level block's tokens can be inspected and dropped at once: a 1 MB document
then never holds its whole token stream, which keeps peak memory a small
multiple of the text. (Block rules only look back at tokens of the block they
are building, so clearing between top-level blocks is safe; this mirrors
``ParserBlock.tokenize`` of markdown-it-py 4.3.)
"""

from __future__ import annotations

from array import array
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.token import Token

_MD: MarkdownIt | None = None


def markdown_it() -> MarkdownIt:
    """The shared parser: CommonMark plus GFM tables."""
    global _MD
    if _MD is None:
        _MD = MarkdownIt("commonmark").enable("table")
        quiet_markdown_it_debug_logs()
    return _MD


def quiet_markdown_it_debug_logs() -> None:
    """markdown-it's block rules call `LOGGER.debug(...)` on entry: ~40 calls a cell when scanning a
    notebook and ~150 when rendering one, 8 % of the time although nothing is logged (more in Pyodide).
    Its loggers that are not enabled for DEBUG get a no-op `debug` (a C method that accepts and ignores
    any arguments); one enabled for DEBUG when this runs keeps logging."""
    import logging

    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if (
            name.startswith("markdown_it")
            and isinstance(logger, logging.Logger)
            and not logger.isEnabledFor(logging.DEBUG)
        ):
            logger.debug = "".format  # type: ignore[method-assign,assignment]  # the no-op above, on purpose


class Code(NamedTuple):
    """A fenced (``markup`` set) or indented code block: lines ``[start, end)``."""

    start: int
    end: int
    content: str
    markup: str
    info: str


class Scan(NamedTuple):
    """Result of a scan, in markdown-it's line numbers of the (normalised) source."""

    #: start and end offsets of each line's text, as compact arrays.
    begins: array[int]
    ends: array[int]
    line_count: int
    #: code blocks at any depth, in document order.
    code: list[Code]
    #: first lines of headings that are not inside a list or blockquote.
    headings: list[int]


def normalize(src: str) -> str:
    """markdown-it's own input normalisation (newlines to ``\\n``, NUL to U+FFFD)."""
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    return src


def scan(src: str) -> Scan:
    """Scan normalised ``src`` (see :func:`normalize`)."""
    md = markdown_it()
    tokens: list[Token] = []
    env: dict[str, Any] = {}
    state = StateBlock(src, md, env, tokens)
    begins, ends = _pack_lines(state)
    code: list[Code] = []
    headings: list[int] = []
    rules = md.block.ruler.getRules("")
    end = state.lineMax
    line = 0
    has_empty = False
    while line < end:
        state.line = line = state.skipEmptyLines(line)
        if line >= end:
            break
        for rule in rules:
            if rule(state, line, end, False):
                break
        if state.line <= line:  # cannot happen with the stock rules; never loop forever
            state.line = line + 1
        state.tight = not has_empty
        line = state.line
        if (line - 1) < end and state.isEmpty(line - 1):
            has_empty = True
        if line < end and state.isEmpty(line):
            has_empty = True
            line += 1
            state.line = line
        first = tokens[0].type if tokens else ""
        if first == "heading_open":
            if (m := tokens[0].map) is not None:  # block tokens always have one
                headings.append(m[0])
        elif first != "paragraph_open" and first != "hr" and first != "html_block":
            for tok in tokens:
                ttype = tok.type
                if ttype == "fence" or ttype == "code_block":
                    m = tok.map
                    if m is not None:
                        code.append(Code(m[0], m[1], tok.content, tok.markup, tok.info))
        tokens.clear()
    return Scan(begins, ends, end, code, headings)


_LINE_ARRAYS = ("bMarks", "eMarks", "tShift", "sCount", "bsCount")


def _pack_lines(state: StateBlock) -> tuple[array[int], array[int]]:
    """One machine word per line instead of a list of int objects: a third of the memory. markdown-it
    declares these `list[int]`; an `array('q')` indexes and assigns the same (hence setattr)."""
    packed = {name: array("q", getattr(state, name)) for name in _LINE_ARRAYS}
    for name, values in packed.items():
        setattr(state, name, values)
    return packed["bMarks"], packed["eMarks"]
