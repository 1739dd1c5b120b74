"""The Markdown sanitiser: nothing from a document can run script, handle events, or fake the app."""

from __future__ import annotations

import re

import pytest

from fenced.app.view.markdown import render
from fenced.app.view.sanitize import REL_SRC_ATTR, is_relative, safe_link, sanitize, url_scheme

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<body onload="alert(1)">',
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    '<details open ontoggle="alert(1)">x</details>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    '<link rel="import" href="evil.html">',
    '<style>@import "evil.css";</style>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<a href="javascript&colon;alert(1)">x</a>',
    "<template><img src=x onerror=alert(1)></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    '<video><source onerror="alert(1)"></video>',
    '<input autofocus onfocus="alert(1)">',
]


def _no_danger(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered and "vbscript:" not in lowered
    for tag in re.findall(r"<[a-z][^>]*>", lowered):
        assert not re.search(r"\son[a-z]+\s*=", tag), tag
        assert " style=" not in tag or re.search(r'style="text-align:(left|right|center)"', tag), tag
    for bad in (
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<math",
        "<style",
        "<form",
        "<input",
        "<meta",
        "<base",
        "<link",
        "<template",
        "<textarea",
        "<title",
        "<noscript",
        "<video",
        "<source",
    ):
        assert bad not in lowered, bad


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_neutralised(attack: str) -> None:
    _no_danger(sanitize(attack))
    _no_danger(render(attack))
    _no_danger(render(f"para\n\n{attack}\n\nafter"))
    _no_danger(render(f"inline {attack} text"))


def test_text_is_kept_and_escaped() -> None:
    assert sanitize("<p>a &lt;b&gt; &amp; c</p>") == "<p>a &lt;b&gt; &amp; c</p>"
    assert sanitize("<unknown>kept</unknown>") == "kept"
    assert sanitize("<script>gone</script>after") == "after"


def test_output_is_balanced() -> None:
    assert sanitize("<div><p>open") == "<div><p>open</p></div>"
    assert sanitize("</div>stray") == "stray"
    assert sanitize("<b><i>x</b>y") == "<b><i>x</i></b>y"


def test_app_hooks_cannot_be_faked() -> None:
    out = sanitize(
        '<div class="cell" id="notebook" data-cell-index="0" data-op="delete" role="button" aria-label="x">t</div>'
    )
    assert out == "<div>t</div>"


def test_links_open_in_a_new_tab() -> None:
    html = render("[x](https://example.com/a?b=1) and [y](#here) and <a href='mailto:a@b.c'>m</a>")
    assert 'href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer"' in html
    assert '<a href="#here">' in html
    assert 'href="mailto:a@b.c" target="_blank" rel="noopener noreferrer"' in html


def test_images() -> None:
    html = render("![logo](img/logo.png) ![r](https://e.com/x.png) ![d](data:image/png;base64,AAAA)")
    assert f'{REL_SRC_ATTR}="img/logo.png"' in html and 'src="img' not in html.replace(REL_SRC_ATTR, "")
    assert 'src="https://e.com/x.png"' in html
    assert 'src="data:image/png;base64,AAAA"' in html
    assert 'src="//evil' not in sanitize('<img src="//evil/x.png">')


def test_markdown_features() -> None:
    html = render("# H\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~ **bold**\n\n```sh\necho <hi>\n```\n")
    assert "<h1>H</h1>" in html
    assert '<th style="text-align:left">a</th>' in html and '<td style="text-align:right">2</td>' in html
    assert "<s>gone</s>" in html and "<strong>bold</strong>" in html
    assert '<code class="language-sh">echo &lt;hi&gt;\n</code>' in html


def test_url_helpers() -> None:
    assert url_scheme(" \x01JavaScript:x") == "javascript"
    assert url_scheme("java\nscript:x") == "javascript"
    assert url_scheme("a/b:c") is None
    assert is_relative("docs/a.png") and not is_relative("//host/a.png") and not is_relative("http://x")
    assert safe_link("page.md") and safe_link("#x") and not safe_link("file:///etc/passwd")
