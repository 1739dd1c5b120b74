"""A Start whose reply never reaches the page although the runner started the cell (a proxy or a VPN cut
the call after the runner answered): the page follows the execution the runner says it started, shows its
output and exit once, and never runs it a second time. (The engine's two orders of events are tested
under CPython in tests/app/test_run_start_reply.py; this is the whole page against a real runner.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from fenced.connect.messages import SERVICE
from tests.browser.run_support import cell, cells_md, connect, open_doc, output_text, run, runner, wait_exit
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]


def test_a_start_reply_cut_on_the_wire_still_shows_the_cell_run_once(
    page: Any, app_url: str, runner: RunnerProcess, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    connect(page, app_url, runner)
    open_doc(page, cells_md(("deploy", f'echo run >> {runs}\necho "deployed $(wc -l < {runs})"')), "cut.md")
    cut: list[int] = []

    def lose_the_reply(route: Any) -> None:
        response = route.fetch()  # the request reaches the runner, which starts the cell and answers
        cut.append(response.status)
        route.abort("connectionreset")  # ...and the answer is lost on the way back

    page.route(f"**/{SERVICE}/Start", lose_the_reply)
    run(page, "deploy")
    wait_exit(page, "deploy", 0)
    assert cut == [200]
    assert output_text(page, "deploy") == "deployed 1\n"
    assert runs.read_text() == "run\n"  # it ran once
    expect(cell(page, "deploy")).to_have_attribute("data-exit-code", "0")

    page.unroute(f"**/{SERVICE}/Start")
    run(page, "deploy")  # and the next run is an ordinary one
    expect(cell(page, "deploy").locator("[data-output-text]")).to_have_text("deployed 2\n")
    wait_exit(page, "deploy", 0)
    assert runs.read_text() == "run\nrun\n"
