"""Opening a runbook contacts no one but the app's host (issue 11): remote images wait for the user's
"Load remote images" and then go without a Referer; nothing else a document names is ever fetched; the
page's Content-Security-Policy stops what a sanitiser slip would let through."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.counting_server import CountingServer, counting_server
from tests.browser.view_support import show

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# The images a user may choose to load (a Markdown image, an <img>, the <img> of a <picture>).
IMAGES = {"/md.png", "/img.png", "/picture.png", "/titled.png"}


def remote_doc(base: str) -> str:
    return f"""# Remote things

![md]({base}/md.png) and ![titled]({base}/titled.png "a title")

<img src="{base}/img.png" alt="img">

<picture><source srcset="{base}/srcset.png"><img src="{base}/picture.png" alt="pic"></picture>

<img srcset="{base}/img-srcset.png 2x" alt="srcset only">

<video poster="{base}/poster.png" src="{base}/video.mp4"></video>

<audio src="{base}/audio.mp3"></audio>

<link rel="stylesheet" href="{base}/link.css">

<link rel="prefetch" href="{base}/prefetch.png">

<p style="background:url({base}/style.png)">styled paragraph</p>

<div style="background-image:url('{base}/style2.png')">styled div</div>

<table background="{base}/table.png"><tr><td background="{base}/td.png">cell</td></tr></table>

<iframe src="{base}/iframe.html"></iframe>

<object data="{base}/object.bin"></object>

<embed src="{base}/embed.bin">

<a ping="{base}/ping" href="https://example.invalid/page">pinging link</a>

<input type="image" src="{base}/input.png">

<svg><image href="{base}/svg.png"/><use href="{base}/use.svg#x"/></svg>

<body background="{base}/body.png">

<meta http-equiv="refresh" content="0;url={base}/refresh">

<base href="{base}/base/">

<form action="{base}/form"><button formaction="{base}/formaction">go</button></form>

<style>@import "{base}/import.css"; p {{ background: url({base}/sheet.png) }}</style>

End of the document.
"""


def _all_rendered(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('#notebook [data-md=pending]')"
        " && document.querySelector('#notebook').dataset.viewState === 'idle'"
    )


def _images_settled(page: Any) -> None:
    """Scroll every image into view (lazy ones start then) and wait until each is done loading or has no
    source: by then any request an image made has been answered."""
    page.evaluate("() => document.querySelectorAll('#notebook img').forEach(i => i.scrollIntoView())")
    page.wait_for_function("() => [...document.querySelectorAll('#notebook img')].every(i => i.complete)")


def _foreign(requests: list[str], server: CountingServer) -> list[str]:
    port = server.base.rsplit(":", 1)[1]
    return [u for u in requests if f":{port}/" in u]


def test_remote_images_wait_for_the_user_and_nothing_else_is_fetched(ready_page: Any) -> None:
    page = ready_page
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    with counting_server() as server:
        show(page, remote_doc(server.base))
        _all_rendered(page)
        _images_settled(page)
        # A round trip to the counting server from Python: anything the page sent before it is in.
        assert server.paths() == [], server.paths()
        assert _foreign(seen, server) == []
        # The images show their alt text meanwhile; a bar offers to load them.
        bar = page.get_by_role("region", name="Remote images")
        expect(bar).to_be_visible()
        expect(bar).to_contain_text("127.0.0.1")
        assert page.locator("#notebook img[alt='md']").get_attribute("src") is None
        # Prose around the blocked things is all there.
        expect(page.get_by_text("End of the document.")).to_be_visible()
        page.get_by_role("button", name="Load remote images").click()
        got = server.wait_for(lambda reqs: {r.path for r in reqs} >= IMAGES)
        _images_settled(page)
        expect(bar).to_be_hidden()
        assert page.evaluate("() => document.querySelector(\"#notebook img[alt='md']\").naturalWidth") == 1
        got = server.requests
        assert {r.path for r in got} == IMAGES, [r.path for r in got]
        assert all(r.method == "GET" for r in got)
        assert [r.headers.get("referer") for r in got] == [None] * len(got)
        for img in page.locator("#notebook img[src^='http']").all():
            assert img.get_attribute("referrerpolicy") == "no-referrer"
        # Nothing else, ever: following the link sends no ping (the link itself goes to another host).
        link = page.locator("#notebook a", has_text="pinging link")
        assert link.get_attribute("ping") is None
        with page.expect_popup() as popup:
            link.click()
        popup.value.close()
        assert set(server.paths()) == IMAGES


def test_consent_is_per_document(ready_page: Any) -> None:
    """Allowing one document's images does not allow the next document's."""
    page = ready_page
    with counting_server() as server:
        show(page, f"![one]({server.base}/md.png)\n")
        page.get_by_role("button", name="Load remote images").click()
        server.wait_for(lambda reqs: len(reqs) == 1)
        show(page, f"![two]({server.base}/img.png)\n")
        _all_rendered(page)
        _images_settled(page)
        expect(page.get_by_role("button", name="Load remote images")).to_be_visible()
        assert server.paths() == ["/md.png"]


# --- Content-Security-Policy ---------------------------------------------------------------------

CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  [e.effectiveDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(' ')));
"""


def _csp_meta() -> str:
    html = (ROOT / "index.html").read_text()
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert m, "index.html has no Content-Security-Policy <meta>"
    return m.group(1)


def test_index_html_has_a_strict_csp() -> None:
    policy = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in _csp_meta().split(";")) if d.strip()}
    assert policy["default-src"] == ["'none'"]
    script = policy["script-src"]
    # No inline script and no script from elsewhere; eval only because PyScript needs it (docs/security.md).
    assert "'unsafe-inline'" not in script and not any(
        s.startswith(("http", "'sha", "'nonce")) for s in script
    )
    assert set(script) <= {"'self'", "'wasm-unsafe-eval'", "'unsafe-eval'"}
    for directive in ("object-src", "frame-src", "base-uri", "form-action"):  # the last two have no default
        assert policy.get(directive, policy["default-src"]) == ["'none'"], directive
    assert "'self'" in policy["connect-src"] and "https:" in policy["connect-src"]
    for directive in ("img-src", "connect-src"):  # remote hosts only over TLS; plain HTTP only on loopback
        assert "*" not in policy[directive] and "http:" not in policy[directive], directive


def test_app_runs_under_its_csp_and_the_csp_stops_a_slip(page: Any, app_url: str) -> None:
    """The whole app (boot, Python, the editor and terminal bundles, a document) works under the CSP with
    no violation; markup that got past the sanitiser could neither run script nor load a frame."""
    from tests.conftest import wait_ready

    page.add_init_script(CSP_WATCH)
    page.goto(app_url)
    wait_ready(page)
    show(page, "# Doc\n\n```sh\necho hi\n```\n\nSome *text*.\n")
    page.evaluate("() => import('./vendor/terminal/terminal.js')")
    assert page.evaluate("() => window.__csp") == []
    with counting_server() as server:
        # What a sanitiser slip would put in the page: inline handlers, a script, a frame, an object.
        page.evaluate(
            """base => {
                const box = document.querySelector('#notebook .markdown-body');
                box.insertAdjacentHTML('beforeend',
                  `<img src="data:," onerror="window.__pwned = 'onerror'">` +
                  `<iframe src="${base}/frame.html"></iframe>` +
                  `<object data="${base}/object.bin"></object>` +
                  `<form action="${base}/form" id="slip-form"><button>go</button></form>`);
                const s = document.createElement('script');
                s.textContent = "window.__pwned = 'script'";
                box.appendChild(s);
            }""",
            server.base,
        )
        page.wait_for_function("() => window.__csp.length >= 3")
        page.evaluate("() => document.getElementById('slip-form').requestSubmit()")
        page.wait_for_function("() => window.__csp.some(v => v.startsWith('form-action'))")
        assert page.evaluate("() => window.__pwned") is None
        assert server.paths() == []
    kinds = {v.split()[0] for v in page.evaluate("() => window.__csp")}
    assert {"script-src-attr", "script-src-elem", "frame-src", "form-action"} <= kinds, kinds
