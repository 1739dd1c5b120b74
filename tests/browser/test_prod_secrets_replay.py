"""A reloaded page replays the session's output from the runner, but the answers typed into prompts went
with the old page: it learns a secret again only when the runner reports it (`Exited.secret_env`, at the
end of the cell that exported it), after that cell's own output was replayed. What the page already shows
is masked then too (issue 15: every value the session knows to be secret is masked everywhere). An
answer the cell never exported is masked by the runner itself (`ProgramConfig.mask_values`): the replay
has it masked at the source."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.prod_support import places_holding
from tests.browser.run_support import (
    cell,
    cells_md,
    connect,
    open_doc,
    output_text,
    run,
    runner,
    terminal_lines,
    wait_exit,
    wait_runner_state,
)
from tests.browser.test_prod_secrets import MASK, NEEDLES, TYPED
from tests.conftest import wait_ready
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

RUNBOOK = cells_md(
    # the last line has no newline: it is the line a program could still rewrite until the cell ends
    ("login", 'export DB_PASSWORD=\necho "pw=$DB_PASSWORD"\nprintf "tail=%s" "$DB_PASSWORD"'),
    ("mint", "export API_TOKEN=\"$(printf 'tok-%s%s' 8Hq2 Lm3v)\"\necho minted"),
    ("use", 'echo "token=$API_TOKEN"'),
)
LOGIN = f"pw={MASK}\ntail={MASK}"


def run_login(page: Any) -> None:
    """Run the `login` cell, typing TYPED into its DB_PASSWORD prompt, to its end."""
    run(page, "login")
    dialog = page.get_by_role("dialog", name="Environment variables for login")
    dialog.get_by_label("DB_PASSWORD").fill(TYPED)
    dialog.get_by_role("button", name="Run").click()
    wait_exit(page, "login", 0)


def reload_and_reopen(page: Any, text: str, name: str) -> None:
    """A new page: the prompts' answers are gone; the same document again, so its runs are replayed."""
    page.reload()
    wait_ready(page)
    wait_runner_state(page, "connected")
    open_doc(page, text, name)


def assert_masked_everywhere(page: Any, *names: str) -> None:
    for name in names:
        lines = "\n".join(terminal_lines(page, name))
        assert MASK in lines and not any(n in lines for n in NEEDLES), (name, lines)
    assert places_holding(page, *NEEDLES) == []


def test_a_reload_replays_the_output_with_the_secrets_masked(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    open_doc(page, RUNBOOK, "secrets.md")
    run_login(page)
    for name in ("mint", "use"):
        run(page, name)
        wait_exit(page, name, 0)
    assert output_text(page, "login") == LOGIN

    reload_and_reopen(page, RUNBOOK, "secrets.md")
    for name in ("login", "mint", "use"):
        expect(cell(page, name)).to_have_attribute("data-exit-code", "0")
    expect(cell(page, "use").locator("[data-output-text]")).to_have_text(f"token={MASK}\n")
    expect(cell(page, "login").locator("[data-output-text]")).to_have_text(LOGIN)
    assert_masked_everywhere(page, "login", "use")


UNSET = cells_md(
    ("login", 'export DB_PASSWORD=\necho "pw=$DB_PASSWORD"\nunset DB_PASSWORD\necho done'),
)


def test_an_answer_the_cell_did_not_export_is_masked_in_the_replay(
    page: Any, app_url: str, runner: RunnerProcess
) -> None:
    connect(page, app_url, runner)
    open_doc(page, UNSET, "unset.md")
    run_login(page)
    assert output_text(page, "login") == f"pw={MASK}\ndone\n"

    reload_and_reopen(page, UNSET, "unset.md")  # no cell exported the answer: only the runner masks it
    expect(cell(page, "login")).to_have_attribute("data-exit-code", "0")
    expect(cell(page, "login").locator("[data-output-text]")).to_have_text(f"pw={MASK}\ndone\n")
    assert_masked_everywhere(page, "login")
