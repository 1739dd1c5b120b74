"""Outputs in the page (issue 15): "Save with outputs" in the File menu's "Outputs in this file" mode writes
each output below its cell, a
reopened runbook shows them without running, saving again touches no other cell's output bytes; File >
Export HTML… gives a report that reads with JavaScript off (colours, exit codes, durations) and requests
nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from fenced.document import loads
from fenced.document.inline import last_outputs
from tests.browser.counting_server import counting_server
from tests.browser.files_support import append_to_cell, opfs_read, stub_save_picker, wait_dirty
from tests.browser.prod_support import outputs_in_file, wait_for_file
from tests.browser.run_support import cell, cells_md, connect, output_text, run, runner, wait_exit
from tests.browser.test_files_save import open_from_disk
from tests.browser.view_support import header_action
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

RUNBOOK = "# Deploy\n\nBuild, then check.\n\n" + cells_md(
    ("build", "printf '\\033[32mbuilt\\033[0m image-42\\n'", {"interactive": "false"}),
    ("check", "echo checked; exit 3", {"interactive": "false"}),
    ("later", "echo not run"),
)


def test_outputs_in_this_file_round_trip(page: Any, app_url: str, runner: RunnerProcess) -> None:
    connect(page, app_url, runner)
    open_from_disk(page, "book/deploy.md", RUNBOOK.encode())
    run(page, "build")
    wait_exit(page, "build", 0)
    run(page, "check")
    wait_exit(page, "check", 3)
    outputs_in_file(page, True)
    header_action(page, "Save with outputs")
    first = wait_for_file(page, "book/deploy.md", lambda text: text.count('"fencedOutput"') == 2)
    wait_dirty(page, False)
    kept = last_outputs(loads(first))
    assert [(o.cell, o.text, o.run.exit_code if o.run else None) for o in kept.values()] == [
        ("build", "built image-42", 0),
        ("check", "checked", 3),
    ]
    assert first.startswith(RUNBOOK.split("```sh")[0])  # the prose is untouched
    assert '```sh {"interactive":"false","name":"check"}' in first or '"name":"check"' in first

    # Open it (as another file: this page's session would re-attach the runs of deploy.md): each output
    # shows on its cell, nothing ran.
    page.reload()
    connect(page, app_url, runner)
    open_from_disk(page, "book/kept.md", first.encode())
    build = cell(page, "build")
    expect(build).to_have_attribute("data-output-kept", "true")
    expect(build.locator("[data-output-text]")).to_have_text("built image-42")
    expect(build.locator("[data-output-text]")).to_be_visible()
    expect(cell(page, "check").locator(".run-meta")).to_contain_text("exit code 3")
    assert cell(page, "later").get_attribute("data-output-kept") is None
    # The block below each cell is folded: the output shows once, on its cell, and is one click away.
    folded = page.locator("details[data-kept-output='build']")
    expect(folded.locator("summary")).to_have_text("Output of build kept in this file, exit code 0")
    expect(folded.locator("pre")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("pre")).to_have_text("built image-42")
    expect(page.locator("details[data-kept-output='check'] summary")).to_contain_text("exit code 3")

    # Run one cell again and save: only its block changes, the other's bytes stay. A runbook that keeps
    # outputs has the File menu's "Outputs in this file" mode on, so "Save with outputs" writes into it.
    expect(page.locator("#outputs-in-file")).to_be_checked()
    run(page, "build")
    wait_exit(page, "build", 0)
    assert output_text(page, "build") == "built image-42\n"
    before = opfs_read(page, "book/kept.md").decode()
    header_action(page, "Save with outputs")
    second = wait_for_file(page, "book/kept.md", lambda text: text != before)
    wait_dirty(page, False)
    block = re.compile(r"```text \{[^\n]*\"fencedOutput\":\"check\"[^\n]*\}\n.*?\n```\n", re.S)
    assert block.search(first) and block.search(first).group(0) == block.search(second).group(0)
    assert second.count('"fencedOutput"') == 2

    # Editing a cell and saving touches no output's bytes.
    append_to_cell(page, "check", " # edited")
    wait_dirty(page, True)
    page.get_by_role("button", name="Save", exact=True).click()
    third = wait_for_file(page, "book/kept.md", lambda text: "exit 3 # edited" in text)
    wait_dirty(page, False)
    blocks = re.compile(r"```text \{[^\n]*\"fencedOutput\"[^\n]*\}\n.*?\n```\n", re.S)
    assert blocks.findall(third) == blocks.findall(second) and "exit 3 # edited" in third


KEPT_RUNBOOK = (
    '```sh {"name":"build"}\necho built\n```\n\n'
    '```text {"fencedOutput":"build","name":"build.output","transform":"false"}\n'
    "# Ran on 2024-05-06 07:08:09+02:00 for 1.5s exited with 0\nbuilt\n```\n"
)


def test_a_runbook_with_outputs_opened_right_after_boot_folds_them(page: Any, app_url: str) -> None:
    """Folding an output block needs a module the boot snapshot leaves out (its files come with the wheels,
    at idle time after boot): a runbook opened before they are there waits for them, rather than showing
    its blocks as code for good. The wheels' unpacker is held back here until the document was asked for."""
    held: list[Any] = []
    page.route("**/web/wheels.mjs", lambda route: held.append(route))  # noqa: PLW0108 (Playwright passes a request too to a handler it cannot inspect)
    page.goto(app_url)
    wait_ready(page)
    page.evaluate("([t, n]) => { window.fencedShowText(t, n); }", [KEPT_RUNBOOK, "kept.md"])
    page.wait_for_function("() => document.querySelector('#notebook').dataset.viewState !== 'idle'")
    for _ in range(600):  # until the page asks for the unpacker (at once, for this document), 30 s at most
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright dispatch the route; the loop waits on `held`
    assert held, "the page never asked for web/wheels.mjs"
    assert page.locator("details[data-kept-output]").count() == 0
    for route in held:
        route.continue_()
    page.unroute("**/web/wheels.mjs")
    page.wait_for_selector("#notebook[data-view-state='idle']")
    expect(page.locator("details[data-kept-output='build'] summary")).to_have_text(
        "Output of build kept in this file, exit code 0"
    )


def test_export_html_from_the_page_reads_without_script_or_network(
    page: Any, browser: Any, app_url: str, runner: RunnerProcess, tmp_path: Path
) -> None:
    connect(page, app_url, runner)
    open_from_disk(page, "book/deploy.md", RUNBOOK.encode())
    run(page, "build")
    wait_exit(page, "build", 0)
    run(page, "check")
    wait_exit(page, "check", 3)
    stub_save_picker(page, "book/deploy.html")
    header_action(page, "Export HTML…")
    expect(page.locator(".message-success[data-message-key='run-export']")).to_contain_text("deploy.html")
    assert page.evaluate("window.__saveOpts.suggestedName") == "deploy.html"
    path = tmp_path / "deploy.html"
    path.write_bytes(opfs_read(page, "book/deploy.html"))

    with counting_server() as server:
        context = browser.new_context(java_script_enabled=False)
        requests: list[str] = []
        context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()))
        try:
            report = context.new_page()
            report.goto(path.as_uri())
            report.wait_for_load_state("load")
            cells = report.locator("section.cell")
            assert [cells.nth(i).get_attribute("data-cell") for i in range(3)] == ["build", "check", "later"]
            built = report.locator('section[data-cell="build"] .output pre span').first
            assert built.inner_text() == "built"
            assert built.evaluate("e => getComputedStyle(e).color") == "rgb(0, 205, 0)"
            check = report.locator('section[data-cell="check"] .output')
            assert "exit code 3" in check.inner_text() and "checked" in check.inner_text()
            assert re.search(
                r"exit code 0 · \d+(\.\d+)?m?s",
                report.locator('section[data-cell="build"] .output').inner_text(),
            )
            assert "not run" in report.locator('section[data-cell="later"]').inner_text()
            assert report.get_by_text("Build, then check.").is_visible()
        finally:
            context.close()
        assert [u for u in requests if u != path.as_uri()] == []
        assert server.paths() == []
