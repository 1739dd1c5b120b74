"""The runner's warnings show on the cell, as a plain line in its output area (`[data-run-notices]`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import cell, cells_md, connect, open_doc, run, runner, wait_exit
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]


def test_a_warning_shows_on_its_cell(page: Any, app_url: str, runner: RunnerProcess, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    connect(page, app_url, runner)
    open_doc(page, cells_md(("leave", f"mkdir -p {gone} && cd {gone} && rm -rf {gone}"), ("next", "pwd")))
    run(page, "leave")
    wait_exit(page, "leave", 0)
    expect(cell(page, "leave").locator("[data-run-notices]")).to_be_hidden()
    run(page, "next")
    wait_exit(page, "next", 0)
    notices = cell(page, "next").locator("[data-run-notices]")
    expect(notices).to_be_visible()
    expect(notices).to_contain_text(f"Warning: the session's directory {gone} no longer exists")
    run(page, "next")  # a new run starts with a clean output area
    wait_exit(page, "next", 0)
    expect(notices).to_be_hidden()
