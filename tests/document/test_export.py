"""The HTML report of a run (issue 15): every cell and output, no script, nothing loaded, secrets masked."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from fenced.document import loads
from fenced.document.export import CSP, export_html, render_markdown
from fenced.document.inline import with_outputs
from fenced.document.outputs import CellRun
from fenced.document.redact import MASK

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
DOC = """---
shell: bash
---

# Rotate the key

Look: ![diagram](https://example.com/d.png) and ![local](img/x.png) and <img src="http://evil/x.gif">.
<script>alert(1)</script> <b onclick="x()">bold</b> <details><summary>more</summary>inside</details>

```sh {"name":"login"}
vault login -method=userpass username=ops password=hunter22
```

```sh {"name":"colours"}
printf '\\033[31mred\\033[0m\\n'
```

```python
print(1)
```
"""


def codes(text: str) -> list[int]:
    return [i for i, c in enumerate(loads(text).cells) if c.kind == "code"]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_every_cell_and_output_with_exit_code_and_duration() -> None:
    login, colours, _py = codes(DOC)
    runs = {
        login: CellRun("Success! token: s.ABCDEFGH1234\n", 0, WHEN, 1500),
        colours: CellRun("\x1b[31mred\x1b[0m\r\n", 2, WHEN, 75_000),
    }
    html = export_html(DOC, runs, title="Rotate", secrets=["hunter22", "s.ABCDEFGH1234"], generated=WHEN)
    cells = [a.get("data-cell") for t, a in tags(html) if t == "section"]
    assert cells == ["login", "colours", "print1"]
    outputs = [a.get("data-exit-code") for t, a in tags(html) if "data-output" in a]
    assert outputs == ["0", "2", None]
    assert "exit code 2 \u00b7 1m15s" in html and "exit code 0 \u00b7 1.5s" in html and "not run" in html
    assert '<span style="color:#cd0000">red</span>' in html
    assert "hunter22" not in html and "s.ABCDEFGH1234" not in html and html.count(MASK) == 2
    assert "3 cells, 2 ran, 1 failed" in html


def test_no_script_and_nothing_that_loads() -> None:
    html = export_html(
        DOC, {}, images=lambda path: "data:image/png;base64,AAAA" if path == "img/x.png" else None
    )
    assert "<script" not in html.lower() and "onclick" not in html
    assert f'content="{CSP}"' in html
    for tag, attrs in tags(html):
        assert tag not in ("script", "link", "iframe", "object", "embed", "base")
        for name, value in attrs.items():
            assert not name.startswith("on")
            if name in ("src", "srcset", "poster", "background"):
                assert (value or "").startswith("data:"), (tag, name, value)
    assert '<a class="image-link" href="https://example.com/d.png">[image: diagram]</a>' in html
    assert '<a class="image-link" href="http://evil/x.gif">[image: http://evil/x.gif]</a>' in html
    assert '<img src="data:image/png;base64,AAAA" alt="local">' in html
    assert "<details><summary>more</summary>inside</details>" in html
    assert not re.search(r"url\(|@import|@font-face", html)


def test_unreadable_relative_images_show_their_alt_text() -> None:
    html = export_html(DOC, {})
    assert '<span class="image-alt">[image: local]</span>' in html


def test_outputs_kept_in_the_file_are_shown_and_their_blocks_not_rendered_twice() -> None:
    login, *_ = codes(DOC)
    text = with_outputs(DOC, {login: CellRun("logged in\n", 0, WHEN, 10)})
    html = export_html(text, {})
    assert html.count("logged in") == 1 and "fencedOutput" not in html
    assert [a.get("data-exit-code") for t, a in tags(html) if "data-output" in a] == ["0", None, None]


def test_markdown_rendering_uses_the_allow_list() -> None:
    assert render_markdown("<b>x</b> <u onclick=1>y</u>") == "<p><b>x</b> <u>y</u></p>\n"
    assert "&lt;style&gt;" in render_markdown("<style>body{}</style>")
