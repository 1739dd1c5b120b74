"""Code highlighting for exports: a small lexer for shell (and comments/strings/numbers elsewhere)."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st

from fenced.document.highlight import highlight


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def spans(html: str, kind: str) -> list[str]:
    return [unescape(m) for m in re.findall(rf'<span class="tok-{kind}">(.*?)</span>', html, re.S)]


def test_shell_tokens() -> None:
    code = (
        "# deploy it\n"
        'export NAME="hello $USER" # greet\n'
        "kubectl get pods -n \"$NS\" --watch | grep -v 'x y' && echo ${HOME:-/}\n"
        "if [ -f x ]; then cat <<EOF\n"
        "body $NOT_A_VAR here\n"
        "EOF\n"
        "fi\n"
    )
    html = highlight(code, "sh")
    assert text_of(html) == code
    assert spans(html, "com") == ["# deploy it", "# greet"]
    assert '<span class="tok-str">"hello <span class="tok-var">$USER</span>"</span>' in html
    assert "'x y'" in spans(html, "str")
    assert "body $NOT_A_VAR here\n" in spans(html, "str")
    assert {"kubectl", "grep", "echo", "cat", "["} <= set(spans(html, "cmd"))
    assert {"-n", "--watch", "-v", "-f"} <= set(spans(html, "opt"))
    assert {"$NS", "${HOME:-/}", "$USER"} <= set(spans(html, "var"))
    assert {"export", "if", "then", "fi"} <= set(spans(html, "kw"))
    assert "<script>" not in highlight("echo <script>", "bash")


def test_other_languages_and_unknown_ones() -> None:
    py = highlight("x = 'a#b'  # note\nprint(42)\n", "python")
    assert spans(py, "str") == ["'a#b'"] and spans(py, "com") == ["# note"] and spans(py, "num") == ["42"]
    js = highlight("const s = `t` // c\n/* b */ f(1.5)", "js")
    assert spans(js, "com") == ["// c", "/* b */"] and spans(js, "str") == ["`t`"]
    assert highlight("<b>&", "whatever") == "&lt;b&gt;&amp;"


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.sampled_from("ab $#'\"\\{}()|&;<>-\n\t=`*E0F"), max_size=60),
    st.sampled_from(["sh", "python", "js", "json", ""]),
)
def test_highlighting_never_changes_the_text(code: str, language: str) -> None:
    html = highlight(code, language)
    assert text_of(html) == code
    assert "<" not in re.sub(r"</?span[^>]*>", "", html)
