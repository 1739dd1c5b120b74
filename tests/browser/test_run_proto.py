"""The page follows its runner's events over binary proto (`application/connect+proto`, decoded by
`fenced.connect.wire`), while its unary calls stay JSON; the output arrives whole and byte-exact."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.run_support import cells_md, connect, open_doc, output_text, run, runner, wait_exit
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]


def test_the_page_watches_in_proto_and_calls_in_json(page: Any, app_url: str, runner: RunnerProcess) -> None:
    sent: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda r: (
            sent.append((r.url.rsplit("/", 1)[-1], r.headers.get("content-type", "")))
            if "RunnerService" in r.url
            else None
        ),
    )
    connect(page, app_url, runner)
    open_doc(page, cells_md(("bulk", "seq 1 200000; printf 'é\\n'"), ("err", "echo oops >&2; exit 4")))
    run(page, "bulk")
    wait_exit(page, "bulk", 0)
    run(page, "err")
    wait_exit(page, "err", 4)
    text = output_text(page, "bulk")
    assert text.startswith("1\n2\n3\n") and text.endswith("200000\né\n")
    assert len(text.splitlines()) == 200001
    assert "oops" in output_text(page, "err")
    streams = {ct for method, ct in sent if method in ("Watch", "Execute")}
    assert streams == {"application/connect+proto"}, sent
    assert {ct for method, ct in sent if method not in ("Watch", "Execute")} == {"application/json"}
