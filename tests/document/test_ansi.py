"""Terminal output as plain text and as inline-styled HTML (fenced.document.ansi)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fenced.document.ansi import color_256, strip, to_html


def test_strip_escapes_controls_and_carriage_returns() -> None:
    assert strip("\x1b[1;31mred\x1b[0m plain\r\n") == "red plain\n"
    assert strip("10%\r50%\r100%\ndone") == "100%\ndone"
    assert strip("ab\bc\x00\x07") == "ac"
    assert strip("\x1b]0;title\x07text\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\") == "textlink"


def test_html_colours_as_inline_styles() -> None:
    html = to_html("\x1b[31mred\x1b[0m <b>&\n\x1b[1;38;5;208morange\x1b[22m\x1b[48;2;1;2;3mbg")
    assert '<span style="color:#cd0000">red</span> &lt;b&gt;&amp;\n' in html
    assert f'<span style="color:{color_256(208)};font-weight:bold">orange</span>' in html
    assert f'<span style="color:{color_256(208)};background:#010203">bg</span>' in html
    assert "\x1b" not in html


def test_html_applies_carriage_returns_per_line_keeping_colours() -> None:
    assert to_html("\x1b[32m10%\x1b[0m\r\x1b[32m100%\x1b[0m") == '<span style="color:#00cd00">100%</span>'
    assert color_256(16) == "#000000" and color_256(231) == "#ffffff" and color_256(255) == "#eeeeee"


def _strip_line_by_line(text: str) -> str:
    """The first definition of `strip` (every line worked on in Python), kept as the reference."""
    import re

    from fenced.document import ansi

    if "\x1b" in text:
        text = ansi._ESCAPE.sub("", text)
    text = ansi._CONTROL.sub("", text)
    if "\r" not in text and "\b" not in text:
        return text
    return "\n".join(ansi._line(part) for part in re.split(r"\r*\n", text))


@given(st.text(alphabet="ab \r\n\b\x1b[0m;\x00\x07é", max_size=80))
def test_strip_is_the_line_by_line_definition(text: str) -> None:
    assert strip(text) == _strip_line_by_line(text)


def test_strip_works_only_on_the_lines_a_carriage_return_rewrites() -> None:
    terminal = "".join(f"{n}\r\n" for n in range(1, 20001))  # `seq 1 20000` on a PTY
    assert strip(terminal) == terminal.replace("\r\n", "\n")
    assert strip("x" * 200_000 + "\r\ny\rz\n") == "x" * 200_000 + "\nz\n"
    assert strip("a" + "\r" * 200_000 + "\nb") == "a\nb"  # (one pass, not one per \r)
