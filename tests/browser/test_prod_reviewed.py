"""A reviewed-only runner (`--allow-runbooks DIR`, issue 15) seen from the page: a reviewed cell runs, the
same cell with one character changed is refused and the cell says why, plainly; a runbook added under DIR
is picked up at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.run_support import cell, cells_md, connect, open_doc, origin, output_text, run, wait_exit
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser

REVIEWED = cells_md(("hello", "echo reviewed hello"), ("count", "seq 1 3"))


@pytest.fixture(scope="module")
def reviewed(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunnerProcess, Path]]:
    books = tmp_path_factory.mktemp("reviewed")
    (books / "ops.md").write_text("# Ops\n\n" + REVIEWED)
    flags = ("--allow-origin", origin(app_url), "--allow-runbooks", str(books), "--quiet")
    with RunnerProcess(*flags) as proc:
        yield proc, books


def test_only_reviewed_cells_run_and_the_cell_says_why(
    page: Any, app_url: str, reviewed: tuple[RunnerProcess, Path]
) -> None:
    runner, books = reviewed
    connect(page, app_url, runner)
    open_doc(page, cells_md(("hello", "echo reviewed hello"), ("changed", "echo reviewed hellO")))
    run(page, "hello")
    wait_exit(page, "hello", 0)
    assert output_text(page, "hello") == "reviewed hello\n"

    run(page, "changed")
    refused = cell(page, "changed")
    expect(refused).to_have_attribute("data-state", "failed")
    why = "this runner only runs reviewed runbooks: this cell differs from ops.md#hello"
    expect(refused.locator(".run-state")).to_contain_text(why)
    expect(refused.locator("[data-run-notices]")).to_contain_text(why)
    expect(refused.locator("[data-run-notices]")).to_be_visible()

    # A runbook added under DIR counts at once.
    (books / "more.md").write_text(cells_md(("changed", "echo reviewed hellO")))
    run(page, "changed")
    wait_exit(page, "changed", 0)
    expect(refused.locator("[data-run-notices]")).to_be_hidden()
