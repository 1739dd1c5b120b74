"""Secrets in the page (issue 15): a masked prompt with a show/hide toggle, values in memory only, and
every value the session knows to be secret masked as •••• in the terminal, the plain-text copy, Save with
outputs, the export and the draft store -- also when the secret is split across two output events. The
test then searches every storage API of the page and the saved files for any of its bytes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.files_support import (
    append_to_cell,
    opfs_read,
    opfs_write,
    stub_folder_picker,
    stub_save_picker,
    wait_cells,
    wait_dirty,
    wait_draft_saved,
)
from tests.browser.prod_support import outputs_in_file, places_holding
from tests.browser.run_support import (
    cell,
    cells_md,
    connect,
    output_text,
    run,
    runner,
    terminal_lines,
    wait_exit,
)
from tests.browser.test_files_save import open_from_disk
from tests.browser.view_support import header_action
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

TYPED = "hunter2-zq9XW"  # the answer typed into the prompt
MINTED = "8Hq2Lm3v"  # part of a token a cell exports (never written whole in the runbook)
NEEDLES = ("hunter2", "zq9XW", MINTED)
MASK = "\u2022\u2022\u2022\u2022"

RUNBOOK = cells_md(
    (
        "login",
        'export DB_PASSWORD=\necho "pw=$DB_PASSWORD"\n'
        # the secret in two output events: its first half, a pause, its second half
        "printf 'split:%s' \"${DB_PASSWORD%%-*}\"; sleep 0.4; printf '%s\\n' \"-${DB_PASSWORD#*-}\"",
    ),
    ("mint", "export API_TOKEN=\"$(printf 'tok-%s%s' 8Hq2 Lm3v)\"\necho minted"),
    ("use", 'echo "token=$API_TOKEN"'),
    ("plain", 'echo "token=$API_TOKEN"', {"interactive": "false"}),
)


def test_a_secret_is_asked_masked_and_never_shown_or_kept(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    open_from_disk(page, "work/secrets.md", RUNBOOK.encode())
    run(page, "login")
    dialog = page.get_by_role("dialog", name="Environment variables for login")
    field = dialog.get_by_label("DB_PASSWORD")
    expect(field).to_have_attribute("type", "password")
    field.fill(TYPED)
    toggle = dialog.get_by_role("button", name="Show value")
    toggle.click()
    expect(field).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(field).to_have_attribute("type", "password")
    dialog.get_by_role("button", name="Run").click()
    wait_exit(page, "login", 0)
    assert output_text(page, "login") == f"pw={MASK}\nsplit:{MASK}\n"
    for name in ("mint", "use", "plain"):
        run(page, name)
        wait_exit(page, name, 0)
    assert output_text(page, "use") == f"token={MASK}\n"
    assert output_text(page, "plain") == f"token={MASK}\n"
    for name in ("login", "use", "plain"):
        lines = "\n".join(terminal_lines(page, name))
        assert MASK in lines and not any(n in lines for n in NEEDLES), (name, lines)

    # Save with outputs (Runme's session-outputs file), through Save as.
    stub_save_picker(page, "saved/outputs.md")
    header_action(page, "Save with outputs")
    expect(page.locator(".message-success")).to_contain_text("to outputs.md")
    saved = opfs_read(page, "saved/outputs.md").decode()
    assert f"pw={MASK}" in saved and f"token={MASK}" in saved
    assert not any(n in saved for n in NEEDLES)

    # File > Export HTML… (the report).
    stub_save_picker(page, "saved/report.html")
    header_action(page, "Export HTML…")
    expect(page.locator(".message-success[data-message-key='run-export']")).to_contain_text("to report.html")
    report = opfs_read(page, "saved/report.html").decode()
    assert f"pw={MASK}" in report and f"token={MASK}" in report
    assert not any(n in report for n in NEEDLES)

    # Save with outputs, "Outputs in this file" mode (the runbook itself, saved).
    outputs_in_file(page, True)
    header_action(page, "Save with outputs")
    # The document may already be clean: wait for the file to hold the outputs (the write, then the save).
    deadline = time.monotonic() + 30
    kept = opfs_read(page, "work/secrets.md").decode()
    while kept.count('"fencedOutput"') < 4 and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # poll interval; the loop waits on the file's content
        kept = opfs_read(page, "work/secrets.md").decode()
    wait_dirty(page, False)
    assert kept.count('"fencedOutput"') == 4 and f"pw={MASK}" in kept
    assert not any(n in kept for n in NEEDLES)

    # A draft of an edit (the draft store).
    append_to_cell(page, "plain", "\necho edited")
    wait_draft_saved(page)

    # The search reaches what it must: the draft store holds the edit, the page its masked output.
    assert any(w.startswith("indexedDB:") for w in places_holding(page, "echo edited"))
    assert "dom" in places_holding(page, f"split:{MASK}")
    assert places_holding(page, *NEEDLES) == []
    expect(cell(page, "login").locator("[data-output-text]")).to_have_text(f"pw={MASK}\nsplit:{MASK}\n")


def test_the_env_spec_next_to_the_runbook_says_which_variables_are_secret(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    """`.env.example` beside a runbook of the opened folder (Runme's owl format): `# Secret!` makes a name
    secret, `# Plain!` makes a pattern-matching name plain."""
    connect(page, app_url, runner)
    book = cells_md(
        ("url", 'export DB_URL=\necho "url=$DB_URL"'),
        ("count", 'export TOKEN_COUNT=\necho "n=$TOKEN_COUNT"'),
    )
    opfs_write(page, "envproj/docs/book.md", book.encode())
    opfs_write(
        page, "envproj/docs/.env.example", b"DB_URL=Database URL # Secret!\nTOKEN_COUNT=How many # Plain!\n"
    )
    stub_folder_picker(page, "envproj")
    header_action(page, "Open folder")
    page.get_by_role("complementary", name="Folder").get_by_role("button", name="docs/book.md").click()
    wait_cells(page, 2)
    run(page, "url")
    dialog = page.get_by_role("dialog", name="Environment variables for url")
    expect(dialog.get_by_label("DB_URL")).to_have_attribute("type", "password")
    dialog.get_by_label("DB_URL").fill("postgres://app:pw@db/x")
    dialog.get_by_role("button", name="Run").click()
    wait_exit(page, "url", 0)
    assert output_text(page, "url") == f"url={MASK}\n"
    run(page, "count")
    dialog = page.get_by_role("dialog", name="Environment variables for count")
    expect(dialog.get_by_label("TOKEN_COUNT")).to_have_attribute("type", "text")
    dialog.get_by_label("TOKEN_COUNT").fill("12345")
    dialog.get_by_role("button", name="Run").click()
    wait_exit(page, "count", 0)
    assert output_text(page, "count") == "n=12345\n"
