"""Untrusted Markdown in the real app (issue 11): a tag in prose never hides the text after it, and no
payload of the sanitiser corpus (plus mutation-XSS ones) runs script, opens a dialog, makes a request or
hides the prose around it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.app.test_view_sanitize import ATTACKS, MUTATION_ATTACKS
from tests.browser.counting_server import counting_server
from tests.browser.view_support import show, view_text

pytestmark = pytest.mark.browser

# Tags whose raw-text, foreign-content or fallback parsing used to swallow the rest of the cell.
SWALLOWERS = [
    f"<{tag}>"
    for tag in (
        "video",
        "audio",
        "style",
        "select",
        "textarea",
        "template",
        "svg",
        "math",
        "title",
        "noscript",
        "script",
        "xmp",
        "plaintext",
        "iframe",
        "noembed",
        "noframes",
        "object",
        "details",
        "table",
        "a",
        "b",
        "rp",
    )
] + ["<!--", "<![CDATA[", '<img src="x', "<div title='a>"]


def _all_rendered(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('#notebook [data-md=pending]')"
        " && document.querySelector('#notebook').dataset.viewState === 'idle'"
    )


def test_a_tag_in_prose_never_hides_what_follows(ready_page: Any) -> None:
    """Each opener in its own document: some (``<style>``, ``<!--``...) open an HTML block that runs to the
    end of the document, so in one document they would also swallow the next cases' headings."""
    page = ready_page
    for opener in SWALLOWERS:
        doc = (
            f"# Case\n\nEmbed it with a {opener} element.\nIMPORTANT: never run step 3 on production.\n\n"
            f"{opener}\n\nIMPORTANT too: this paragraph follows a tag alone on its line.\n"
        )
        show(page, doc)
        _all_rendered(page)
        md = page.locator("#notebook .nb-cells")
        for text in ("IMPORTANT: never run step 3 on production.", "IMPORTANT too: this paragraph"):
            expect(md.get_by_text(text), f"{opener}: {text}").to_be_visible()
        # The stray tag itself shows as text, where it was written.
        expect(md.get_by_text(f"Embed it with a {opener} element."), opener).to_be_visible()
        assert view_text(page) == doc


def _payload(attack: str, base: str) -> str:
    return (
        attack.replace("alert(1)", "window.__pwned=1")
        .replace("msgbox(1)", "window.__pwned=1")
        .replace("//evil/", f"{base}/")
        .replace("evil.html", f"{base}/evil.html")
        .replace("evil.css", f"{base}/evil.css")
        .replace("src=x ", f"src={base}/x.png ")
    )


def test_sanitiser_corpus_in_the_browser(ready_page: Any) -> None:
    """Every payload in its own document, between prose; then the whole corpus in one document."""
    page = ready_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    with counting_server() as server:
        attacks = [_payload(a, server.base) for a in ATTACKS + MUTATION_ATTACKS]
        for i, attack in enumerate(attacks):
            show(page, f"# Payload {i}\n\nBefore {i} {attack} after {i}.\n\n{attack}\n\nClosing {i}.\n")
            _all_rendered(page)
            _provoke(page)
            text = page.locator("#notebook .nb-cells").inner_text()
            for prose in (f"Before {i}", f"after {i}.", f"Closing {i}."):
                assert prose in text, (attack, text)
            _assert_inert(page)
            assert page.evaluate("() => window.__pwned") is None, attack
        show(
            page,
            "\n".join(f"## Payload {i}\n\nBefore {i} {a} after {i}.\n\n{a}\n" for i, a in enumerate(attacks)),
        )
        _all_rendered(page)
        _provoke(page)
        _assert_inert(page)
        assert page.evaluate("() => window.__pwned") is None
        assert dialogs == []
        assert server.paths() == []


def _provoke(page: Any) -> None:
    """Give whatever got in every chance to fire: toggles, focus, image loads and errors, two frames."""
    page.evaluate("() => document.querySelectorAll('#notebook summary').forEach(s => s.click())")
    page.evaluate("() => document.querySelectorAll('#notebook .markdown-body *').forEach(e => e.focus?.())")
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))))"
    )
    page.wait_for_function("() => [...document.querySelectorAll('#notebook img')].every(i => i.complete)")


def _assert_inert(page: Any) -> None:
    nb = page.locator("#notebook .markdown-body")
    for sel in (
        "script",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "style",
        "form",
        "base",
        "meta",
        "link",
    ):
        assert nb.locator(sel).count() == 0, sel
    assert (
        page.evaluate(
            """() => [...document.querySelectorAll('#notebook .markdown-body *')].flatMap(e =>
                 [...e.attributes].map(a => [a.name, a.value, e.tagName])).filter(([n, v, t]) => n.startsWith('on')
                 || n === 'style' || n === 'srcdoc' || n === 'formaction' || n.includes(':') || n === 'ping'
                 || (n === 'id' && !(/^H[1-6]$/.test(t) && v.startsWith('user-content-')))
                 || n === 'name' || (n === 'class' && !/^(image-remote|image-unavailable)$/.test(v)))
                 .map(([n, v]) => [n, v])"""
        )
        == []
    )
    bad_urls = page.evaluate(
        """() => [...document.querySelectorAll('#notebook .markdown-body [href], #notebook .markdown-body [src]')]
             .map(e => e.getAttribute('href') ?? e.getAttribute('src'))
             .filter(u => !/^(https?:|mailto:|#|data:image\\/(png|jpeg|gif|webp);)/i.test(u.trim()))"""
    )
    assert bad_urls == []
