"""Themes (OS-following and switchable), 200 % zoom, keyboard reachability and accessible names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.view_support import cell, show
from tests.conftest import wait_ready

pytestmark = pytest.mark.browser

DOC = '# Theme\n\nText with `code`.\n\n```sh {"name":"hello"}\necho hello\n```\n'
BG = "() => getComputedStyle(document.body).backgroundColor"
DARK, LIGHT = "rgb(13, 17, 23)", "rgb(255, 255, 255)"


def test_dark_mode_follows_os_and_toggle_persists(page: Any, app_url: str) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(app_url)
    wait_ready(page)
    show(page, DOC)
    assert page.evaluate(BG) == DARK
    code_bg = cell(page, 1).locator(".cell-source").evaluate("e => getComputedStyle(e).backgroundColor")
    assert code_bg != LIGHT
    theme = page.get_by_role("button", name="Theme")
    assert theme.inner_text() == "Theme: System"
    theme.click()
    assert theme.inner_text() == "Theme: Light"
    assert page.evaluate(BG) == LIGHT
    theme.click()
    assert theme.inner_text() == "Theme: Dark"
    page.emulate_media(color_scheme="light")
    assert page.evaluate(BG) == DARK  # an explicit choice wins over the OS
    page.reload()
    assert page.evaluate(BG) == DARK  # applied before Python starts (no flash)
    wait_ready(page)
    assert page.get_by_role("button", name="Theme").inner_text() == "Theme: Dark"
    page.get_by_role("button", name="Theme").click()
    assert page.evaluate(BG) == LIGHT


def test_zoom_keyboard_and_names(page: Any, app_url: str) -> None:
    # 200 % zoom of a 1280 px wide window is a 640 px wide CSS viewport.
    page.set_viewport_size({"width": 640, "height": 720})
    page.goto(app_url)
    wait_ready(page)
    show(page, DOC)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    for locator in (
        page.get_by_role("button", name="Outline"),
        page.get_by_role("searchbox", name="Find in notebook"),
    ):
        box = locator.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 641
    # Every control in the notebook has an accessible name.
    unnamed = page.evaluate(
        "() => [...document.querySelectorAll('#notebook button, #notebook input, #notebook select, #theme-toggle')]"
        ".filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() || e.labels?.length)).map(e => e.outerHTML)"
    )
    assert unnamed == []
    # Keyboard only: Tab reaches the notebook toolbar and the selected cell, with a visible focus ring.
    page.locator("#theme-toggle").focus()
    seen: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.dataset.nb || e.dataset.cellIndex || e.getAttribute('aria-label') || e.tagName,"
            " s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0]; }"
        )
        seen.append(info[0])
        if info[0] in ("outline", "0"):
            assert info[1], f"no visible focus on {info[0]}"
        if info[0] == "0":
            break
    assert "outline" in seen and "0" in seen
    page.keyboard.press("Enter")  # keyboard alone gets into the editor and out again
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.dataset.cellIndex") == "1"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('cm-content')")
