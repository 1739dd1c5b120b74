"""Helpers for the page-level UX tests (issue 13): axe-core, layout metrics, pages at a given size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, wait_ready

# axe-core is an npm devDependency (package.json): injected by the tests, never part of dist/.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "test-results" / "screens"
DESKTOP = {"width": 1280, "height": 800}
NARROW_DESKTOP = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}

AXE_RUN_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(0, 3).join(" "))}));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every rule axe runs by default). The page must come
    from a context with `bypass_csp=True`: the app's Content-Security-Policy refuses injected scripts."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN_JS)


def new_page(
    browser: Any,
    app_url: str,
    size: dict[str, int] = DESKTOP,
    *,
    touch: bool = False,
    dark: bool = False,
    url_suffix: str = "",
    **context_args: Any,
) -> Any:
    """A page in a fresh context of that size (a phone: touch and mobile viewport), ready."""
    context = browser.new_context(
        viewport=size,
        has_touch=touch,
        is_mobile=touch,
        color_scheme="dark" if dark else "light",
        bypass_csp=True,
        **context_args,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.fenced_errors = errors
    page.goto(app_url + url_suffix)
    wait_ready(page)
    return page


def closing(page: Any) -> Iterator[Any]:
    try:
        yield page
    finally:
        errors = page.fenced_errors
        page.context.close()
        assert not errors, errors


def screenshot(page: Any, name: str) -> Path:
    """A PNG for review under test-results/screens/ (not compared: a reviewer looks at them)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def box(locator: Any) -> dict[str, float]:
    b = locator.bounding_box()
    assert b is not None, f"{locator} has no box"
    return b


def no_horizontal_overflow(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


# Every control a finger may need: visible buttons, fields, selects, summaries (checkboxes are measured by
# their label, which is the target). Terminal helpers inside xterm.js are not controls of the page.
SMALL_TARGETS_JS = """(min) => {
  const out = [];
  for (const e of document.querySelectorAll("button, input, select, textarea, summary, a.skip-link, [role=button], [role=option]")) {
    if (e.closest(".xterm") || e.closest(".cm-editor")) continue;
    const s = getComputedStyle(e);
    if (s.visibility === "hidden" || s.display === "none" || parseFloat(s.opacity) === 0) continue;
    let r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (e.matches(".skip-link") && r.bottom <= 0) continue;
    if (e.type === "checkbox" || e.type === "radio") { const l = e.closest("label"); if (l) r = l.getBoundingClientRect(); }
    if (r.width < min || r.height < min) out.push(`${e.tagName.toLowerCase()}.${e.className} "${(e.getAttribute("aria-label") || e.textContent || e.placeholder || "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return out;
}"""


def small_targets(page: Any, minimum: float = 44) -> list[str]:
    return page.evaluate(SMALL_TARGETS_JS, minimum)
