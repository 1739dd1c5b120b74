"""The exported report in Chromium with JavaScript off: every cell and output shows, nothing is requested."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fenced.document import loads
from fenced.document.export import export_html
from fenced.document.outputs import CellRun
from tests.browser.counting_server import counting_server

pytestmark = pytest.mark.browser
WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def test_report_reads_without_script_or_network(browser: Any, tmp_path: Path) -> None:
    with counting_server() as server:
        host = server.base
        doc = f"""# Report

![tracker]({host}/pixel.png) <img src="{host}/raw.png"> <a href="{host}/link">a link</a>

<details open><summary>Details</summary>

Inside the details.

</details>

```sh {{"name":"first"}}
echo "\\033[32mgreen\\033[0m"
```

```sh {{"name":"second"}}
exit 3
```

```sh {{"name":"third"}}
echo never ran
```
"""
        codes = [i for i, c in enumerate(loads(doc).cells) if c.kind == "code"]
        runs = {codes[0]: CellRun("\x1b[32mgreen\x1b[0m\n", 0, WHEN, 40), codes[1]: CellRun("", 3, WHEN, 2)}
        path = tmp_path / "report.html"
        path.write_text(export_html(doc, runs, title="Report"))
        context = browser.new_context(java_script_enabled=False)
        requests: list[str] = []
        context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()))
        try:
            page = context.new_page()
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            cells = page.locator("section.cell")
            assert cells.count() == 3
            assert [cells.nth(i).get_attribute("data-cell") for i in range(3)] == ["first", "second", "third"]
            assert page.locator("section.cell .output").count() == 3
            first = page.locator('section[data-cell="first"] .output pre span')
            assert first.inner_text() == "green"
            assert first.evaluate("e => getComputedStyle(e).color") == "rgb(0, 205, 0)"
            assert "exit code 3" in page.locator('section[data-cell="second"] .output').inner_text()
            assert page.locator('section[data-cell="third"]').inner_text().count("not run") == 1
            assert page.get_by_text("Inside the details.").is_visible()
            assert page.locator("pre.code").first.is_visible()
        finally:
            context.close()
        assert [u for u in requests if u != path.as_uri()] == []
        assert server.paths() == []
