"""Terminal output as plain text and as inline-styled HTML (fenced.document.ansi)."""

from __future__ import annotations

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
