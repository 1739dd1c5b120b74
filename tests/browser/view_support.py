"""Helpers for the notebook-view browser tests: open a document without a file, read the view's text."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import run_in_page


def show(page: Any, text: str, name: str = "test.md", timeout_ms: int = 30_000) -> None:
    """Open `text` in the page's NotebookView and wait until what is on screen is rendered."""
    page.evaluate("([t, n]) => window.fencedShowText(t, n)", [text, name])
    page.wait_for_selector("#notebook[data-view-state='idle']", timeout=timeout_ms)


def view_text(page: Any) -> str:
    """`NotebookView.text()`: what Save would write."""
    return run_in_page(page, "from fenced.app import testing\nresult = testing.app.view.text()")


def view_eval(page: Any, expr: str) -> Any:
    """Evaluate a Python expression with `view` bound to the page's NotebookView."""
    src = f"from fenced.app import testing\nview = testing.app.view\nresult = {expr}"
    return run_in_page(page, src)


def cell(page: Any, index: int) -> Any:
    return page.locator(f"#notebook .cell[data-cell-index='{index}']")


def cells_summary(page: Any) -> list[list[str | None]]:
    return page.evaluate(
        "() => [...document.querySelectorAll('#notebook .cell')].map(e => "
        "[e.dataset.cellIndex, e.dataset.cellKind, e.dataset.cellName ?? null])"
    )


def wait_text(page: Any, predicate_js: str, timeout_ms: int = 10_000) -> None:
    page.wait_for_function(predicate_js, timeout=timeout_ms)


def js_str(s: str) -> str:
    return json.dumps(s)


def editor_text(locator: Any) -> str:
    """The text of the CodeMirror editor inside `locator` (its lines joined; innerText doubles blank lines)."""
    return locator.locator(".cm-content").evaluate(
        "el => [...el.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')"
    )


_CODE = [
    (
        "sh",
        "export APP_ENV=staging\nkubectl -n app get pods -o wide\nkubectl -n app rollout status deploy/web --timeout=120s",
    ),
    (
        "python",
        "import json, os\nfor key, value in sorted(os.environ.items()):\n    if key.startswith('APP_'):\n        print(json.dumps({key: value}))",
    ),
    ("yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  LOG_LEVEL: info"),
    ("bash", "for host in web-1 web-2 web-3; do\n  ssh \"$host\" 'uptime && df -h /'\ndone"),
    ("json", '{"service": "web", "replicas": 3, "ports": [80, 443], "healthy": true}'),
    (
        "sql",
        "SELECT id, email, created_at\nFROM users\nWHERE created_at > now() - interval '1 day'\nORDER BY created_at DESC;",
    ),
]


def make_runbook(cells: int) -> str:
    """A realistic runbook of `cells` cells (half Markdown, half code in six languages), ~200 B a cell."""
    out = ["---\nshell: bash\ncwd: /srv/app\n---\n\n# Operations runbook\n"]
    for i in range(1, cells):
        if i % 2:
            out.append(
                f"## Step {i}: check the service\n\nMake sure the `web` deployment is healthy before you go on; "
                f"see the [runbook index](https://example.com/runbooks/{i}) and **stop** on errors.\n\n"
                f"- pods are `Running` and ready\n- no alerts fired in the last 15 minutes\n- error rate below 1 %\n"
            )
        else:
            lang, code = _CODE[(i // 2) % len(_CODE)]
            attrs = f' {{"name":"step-{i}"}}' if i % 4 == 0 else ""
            out.append(f"```{lang}{attrs}\n{code}\n```\n")
    return "\n".join(out)


def cell_action(cell_locator: Any, name: str) -> None:
    """Click the cell action named `name` on that cell, as a user does: the actions bar shows on the cell under
    the mouse (or the selected one); what is not one of its icons is in its "More cell actions" menu."""
    cell_locator.hover(position={"x": 4, "y": 4})
    bar = cell_locator.get_by_role("toolbar", name="Cell actions")
    bar.wait_for()
    button = bar.get_by_role("button", name=name)
    if not button.count():
        bar.get_by_role("button", name="More cell actions").click()
        button = cell_locator.locator(".cell-menu").get_by_role("button", name=name)
    button.click()


def header_action(page: Any, name: str) -> None:
    """Click a command of the header by its accessible name, as a user does: a visible button, or an entry of
    the menu that holds it ("File", "More run actions"), or of the one "Menu" a phone folds them into."""
    target = (
        page.locator(".app-header").get_by_role("button", name=name, exact=True, include_hidden=True).first
    )
    if not target.is_visible():
        folded = page.get_by_role("button", name="Menu", exact=True)
        if folded.is_visible():
            folded.click()
        else:
            menu = target.evaluate("e => e.closest('[popover]').id")
            page.locator(f'[popovertarget="{menu}"]').click()
    target.click()
