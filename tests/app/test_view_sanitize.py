"""The Markdown sanitiser: nothing from a document can run script, handle events, or fake the app."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from fenced.app.view.markdown import render
from fenced.app.view.sanitize import (
    ALLOWED_TAGS,
    APP_ATTRS,
    GLOBAL_ATTRS,
    IMAGE_DATA,
    REL_SRC_ATTR,
    REMOTE_SRC_ATTR,
    TAG_ATTRS,
    is_relative,
    policy,
    safe_link,
    sanitize,
    url_scheme,
)

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

# Mutation XSS (markup that changes meaning when parsed, serialised and parsed again), namespace
# confusion, obfuscated URL schemes and attributes that navigate or load: ideas from DOMPurify's tests.
MUTATION_ATTACKS = [
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    '<form><math><mtext></form><form><mglyph><style></math><img src onerror="alert(1)">',
    '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1>',
    '<math><annotation-xml encoding="text/html"><style><img src=x onerror=alert(1)></style></annotation-xml></math>',
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<select><style></select><img src=x onerror=alert(1)>",
    "<table><caption><svg><title></svg><img src=x onerror=alert(1)>",
    "<textarea></textarea><img src=x onerror=alert(1)>",
    '<p title="</p><img src=x onerror=alert(1)>">t</p>',
    "<img src=x onerror=alert(1)",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"',
    "<x onclick=alert(1)>click</x>",
    '<a href="&#x6a;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3a;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" &#14;javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript&colon;msgbox(1)">x</a>',
    "[md link](javascript:alert(1))",
    "[md link](JAVASCRIPT:alert(1))",
    "[md link](<javascript:alert(1)>)",
    "[md link](&#106;avascript:alert(1))",
    "![md image](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(1)</script>">',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<math href="javascript:alert(1)">x</math>',
    "<isindex type=image src=1 onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    '<img name="getElementById" src="data:image/png;base64,AAAA">',
    '<a id="fencedBoot" name="fencedBoot" href="#">clobber</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="javascript:alert(1)"',
    "<details open ontoggle=alert(1)><summary>s</summary>d</details>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<td style="text-align:left;background:url(//evil/x.png)">x</td>',
]


class _Parsed(HTMLParser):
    """What an HTML parser makes of the output: elements with attributes, text, and anything else."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.other: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.other.append(decl)

    def handle_pi(self, data: str) -> None:
        self.other.append(data)

    def unknown_decl(self, data: str) -> None:
        self.other.append(data)


def _no_danger(html: str) -> _Parsed:
    """Only allowed elements and attributes, safe URLs, nothing but elements and text."""
    parsed = _Parsed(html)
    assert parsed.other == []
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS, tag
        allowed = GLOBAL_ATTRS | TAG_ATTRS.get(tag, frozenset()) | APP_ATTRS.get(tag, frozenset())
        for name, value in attrs:
            assert name in allowed, (tag, name)
            v = value or ""
            if name == "href":
                assert safe_link(v), v
            elif name == "src":
                assert IMAGE_DATA.match(v), v
            elif name == "style":
                assert re.fullmatch(r"text-align:(left|right|center)", v), v
    return parsed


@pytest.mark.parametrize("attack", ATTACKS + MUTATION_ATTACKS)
def test_attacks_are_neutralised(attack: str) -> None:
    _no_danger(sanitize(attack))
    _no_danger(render(attack))
    text = "".join(_no_danger(render(f"para\n\n{attack}\n\nafter")).text)
    assert "para" in text and "after" in text
    text = "".join(_no_danger(render(f"inline {attack} text")).text)
    assert "inline" in text and "text" in text


SWALLOWERS = ["video", "style", "select", "textarea", "template", "svg", "math", "title", "noscript"]
SWALLOWERS += ["script", "xmp", "plaintext", "iframe", "details", "table", "a", "b", "noembed", "object"]


@pytest.mark.parametrize("tag", SWALLOWERS)
def test_a_stray_tag_hides_nothing(tag: str) -> None:
    """A tag that is not allowed, or not closed, shows as the text it is; what follows is text too."""
    for doc in (
        f"Embed it with a <{tag}> element.\nIMPORTANT: never run step 3 on production.",
        f"<{tag}>\n\nIMPORTANT: never run step 3 on production.",
        f"<{tag}>\nIMPORTANT: never run step 3 on production.",
    ):
        parsed = _no_danger(render(doc))
        text = "".join(parsed.text)
        assert f"<{tag}>" in text and "IMPORTANT: never run step 3 on production." in text, (doc, text)


def test_allowed_tags_render_when_closed() -> None:
    html = render(
        "<details>\n<summary>More</summary>\n\nBody **bold**\n\n</details>\n\nPress <kbd>Ctrl</kbd>."
    )
    assert "<details>" in html and "<summary>More</summary>" in html and "</details>" in html
    assert "<strong>bold</strong>" in html and "<kbd>Ctrl</kbd>" in html
    # Balanced over the whole cell: a <div> opened in one HTML block and closed in another renders.
    assert render("<div>\n\n*text*\n\n</div>") == "<div>\n<p><em>text</em></p>\n</div>"
    # Elements that may omit their end tag, and void ones, render without one.
    assert render("<ul><li>a<li>b</ul>") == "<ul><li>a<li>b</ul>"
    assert render("a<br>b") == "<p>a<br>b</p>\n"
    # Comments are dropped, as on GitHub; one that is never closed is text.
    assert render("<!-- note -->\nvisible") == "\n<p>visible</p>\n"
    assert "&lt;!-- open" in render("<!-- open\n\nvisible")


def test_text_is_kept_and_escaped() -> None:
    assert sanitize("<p>a &lt;b&gt; &amp; c</p>") == "<p>a &lt;b&gt; &amp; c</p>"
    assert sanitize("<unknown>kept</unknown>") == "&lt;unknown&gt;kept&lt;/unknown&gt;"
    assert sanitize("<script>shown</script>after") == "&lt;script&gt;shown&lt;/script&gt;after"
    assert sanitize("a < b <c d") == "a &lt; b &lt;c d"


def test_unclosed_and_stray_tags_are_text() -> None:
    assert sanitize("<div><p>open") == "&lt;div&gt;<p>open"
    assert sanitize("</div>stray") == "&lt;/div&gt;stray"
    assert sanitize("<b><i>x</b>y") == "<b>&lt;i&gt;x</b>y"
    assert sanitize("<span/>x") == "&lt;span/&gt;x"
    assert sanitize("a</br>b") == "a&lt;/br&gt;b"


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
    # A remote image waits for the user's consent (the view loads it, without a Referer).
    assert f'{REMOTE_SRC_ATTR}="https://e.com/x.png"' in html and ' src="https' not in html
    assert 'src="data:image/png;base64,AAAA"' in html
    assert html.count('referrerpolicy="no-referrer"') == 3
    assert "evil" not in sanitize('<img src="//evil/x.png">')
    assert f'{REMOTE_SRC_ATTR}="http://h/a.png"' in sanitize('<img src="http://h/a.png" alt="a">')


def test_policy_for_the_browser() -> None:
    """The allow-list handed to DOMPurify is the one used here."""
    p = policy()
    assert set(p["tags"]) == ALLOWED_TAGS and set(p["global"]) == GLOBAL_ATTRS
    assert set(p["attributes"]["img"]) == TAG_ATTRS["img"] | APP_ATTRS["img"]
    assert "script" not in p["tags"] and "style" not in p["attributes"].get("div", [])


def test_markdown_features() -> None:
    html = render("# H\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~ **bold**\n\n```sh\necho <hi>\n```\n")
    assert '<h1 id="user-content-h">H</h1>' in html  # GitHub's anchors (view/anchors.py)
    assert '<th style="text-align:left">a</th>' in html and '<td style="text-align:right">2</td>' in html
    assert "<s>gone</s>" in html and "<strong>bold</strong>" in html
    assert '<code class="language-sh">echo &lt;hi&gt;\n</code>' in html


def test_url_helpers() -> None:
    assert url_scheme(" \x01JavaScript:x") == "javascript"
    assert url_scheme("java\nscript:x") == "javascript"
    assert url_scheme("a/b:c") is None
    assert is_relative("docs/a.png") and not is_relative("//host/a.png") and not is_relative("http://x")
    assert safe_link("page.md") and safe_link("#x") and not safe_link("file:///etc/passwd")
