"""The run controls' state: each code cell's Run/Stop buttons (in the cell's gutter, as in Jupyter and VS
Code, filled through `cellparts`), the line that says when it last ran (the cell toolbar), and the page's
run commands in the header (Run all and its menu, Save with outputs in the File menu: `[data-run-action]`).
Enabled or not, and why not, as of the runner connection and the cells' runs; nothing here decides what
a click does (`commands`).

With no runner at all, a cell's Run button stays clickable (it opens the "Connect a runner" panel) and
says why it cannot run (`title`, `aria-description`, `data-blocked="no-runner"`); with a runner that
cannot be used now (connecting, refused, down) it is disabled with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from fenced.app.jsffi import opt
from fenced.app.view.cellparts import CellData

RUN_TITLE = "Run cell (Ctrl+Enter)"
WHY_ACTIONS = ("run-all", "run-above", "run-below", "restart")  # they say why they cannot run


class Buttons:
    def __init__(
        self, root: Any, actions: Any, reason: Callable[[], str], no_runner: Callable[[], bool]
    ) -> None:
        self.root = root  # the view's root: the cells' buttons are in there
        self.actions = actions  # the page's header: every [data-run-action] button is in there
        self.reason = reason  # why nothing can run now ("" when it can)
        self.no_runner = no_runner  # no runner is set at all (Run then opens the runner settings)

    def gutter_html(self, c: CellData) -> str:
        """Run/Stop buttons of a code cell and its execution count (the view's "gutter" provider); state
        as of now, kept current by `update`. The accessible names ("Run cell", "Stop cell") are hooks.
        A sample block (```text, ```output, ```console...: fenced.document.runnable) gets none: it is
        output to read, not a command."""
        if c.role == "sample":
            return ""
        why = self.reason()
        if why and self.no_runner():
            run_attrs = f' data-blocked="no-runner" title="{escape(why)}" aria-description="{escape(why)}"'
        elif why:
            run_attrs = f' disabled title="{escape(why)}" aria-description="{escape(why)}"'
        else:
            run_attrs = f' title="{RUN_TITLE}"'
        return (
            f'<button type="button" class="run-button" data-run="run" data-icon="play"{run_attrs}>'
            '<span class="label">Run cell</span></button>'
            '<button type="button" class="stop-button" data-run="stop" data-icon="primitive-square"'
            ' title="Stop cell" disabled><span class="label">Stop cell</span></button>'
            '<span class="run-count" data-run-count></span>'
        )

    def toolbar_html(self, c: CellData) -> str:
        """When the cell last ran and for how long (the view's "toolbar" provider: after its name), filled
        by the cell's output (`terminal.CellOutput`)."""
        return '<span class="run-when" data-run-when></span>'

    def update(self, *, has_document: bool, has_controller: bool, running_all: bool) -> None:
        """Every Run button of the page and the Run toolbar, for the current state (cells that run are
        set again after this by `cell`)."""
        why, blocked = self.reason(), self.no_runner()
        for button in self.root.querySelectorAll('[data-run="run"]'):
            _run_button(button, why, blocked=blocked)
        can_run = not why and has_document and has_controller
        for name, enabled in (
            ("run-all", can_run and not running_all),
            ("run-above", can_run and not running_all),
            ("run-below", can_run and not running_all),
            ("restart", can_run),
            ("stop-all", has_controller),
            ("save-outputs", has_document),
            ("export-html", has_document),
            ("run-history", has_document),
            ("clear-all-outputs", has_document),
        ):
            button = opt(self.actions.querySelector(f'[data-run-action="{name}"]'))
            if button is None:
                continue
            button.disabled = not enabled
            title = why if name in WHY_ACTIONS and why else ""
            button.title = title
            if title:
                button.setAttribute("aria-description", title)
            else:
                button.removeAttribute("aria-description")

    def cell(self, cell_el: Any, running: bool) -> None:
        """A cell's Run and Stop buttons for its run state."""
        run_button = opt(cell_el.querySelector('[data-run="run"]'))
        stop_button = opt(cell_el.querySelector('[data-run="stop"]'))
        if run_button is not None:
            _run_button(run_button, self.reason(), running, self.no_runner())
        if stop_button is not None:
            stop_button.disabled = not running

    def keep_going(self) -> bool:
        """The Run toolbar's "Continue after a failure"."""
        return bool(self.actions.querySelector("#run-keep-going").checked)


def _run_button(button: Any, why: str, running: bool = False, blocked: bool = False) -> None:
    button.disabled = (bool(why) and not blocked) or running
    text = why or ("Running…" if running else RUN_TITLE)
    button.title = text
    if why:
        button.setAttribute("aria-description", why)
    else:
        button.removeAttribute("aria-description")
    if why and blocked:
        button.dataset.blocked = "no-runner"
    else:
        button.removeAttribute("data-blocked")
