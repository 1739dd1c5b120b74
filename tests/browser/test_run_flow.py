"""`$__` and `fenced_out NAME` in the page (issue 15): the runner hands outputs on to any client, the
browser included -- sh and bash cells, interactive (terminal) and not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.run_support import cells_md, connect, open_doc, output_text, run, runner, wait_exit
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_previous_output_and_output_by_name_in_the_page(
    page: Any, app_url: str, runner: RunnerProcess, shell: str
) -> None:
    doc = cells_md(
        ("version", "echo v9.8.7"),
        ("tag", "printf 'release-%s\\n' \"$__\"", {"interactive": "false"}),
        ("use", 'echo "prev=[$__] version=[$(fenced_out version)]"'),
        frontmatter=f"---\nshell: {shell}\n---\n",
    )
    connect(page, app_url, runner)
    open_doc(page, doc)
    for name in ("version", "tag", "use"):
        run(page, name)
        wait_exit(page, name, 0)
    assert output_text(page, "tag").strip() == "release-v9.8.7"
    assert output_text(page, "use").strip() == "prev=[release-v9.8.7] version=[v9.8.7]"
