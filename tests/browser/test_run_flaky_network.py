"""Output over a flaky WAN (tests/faultproxy.py: 100 ms round trips, connections reset mid-output): every
byte arrives once, in order, and the page says "reconnecting" while it cannot reach the runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.run_support import (
    cells_md,
    open_doc,
    origin,
    output_text,
    run,
    runner,
    wait_exit,
    wait_runner_state,
)
from tests.conftest import wait_ready
from tests.faultproxy import FaultProxy
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser
__all__ = ["runner"]

LINES = 60_000
# 60 blocks of 1,000 lines; blocks 20, 40 and 50 wait for a flag file the test writes once the link is back,
# so each cut falls mid-output however slow the machine is.
FLOW = (
    "for b in $(seq 0 59); do case $b in 20) g=1;; 40) g=2;; 50) g=3;; *) g=;; esac; "
    '[ -n "$g" ] && while [ ! -e {flags}/go$g ]; do sleep 0.02; done; '
    "seq $((b * 1000 + 1)) $((b * 1000 + 1000)); sleep 0.05; done"
)
TIMEOUT_MS = 60_000


def lines_shown(page: Any) -> int:
    return int(
        page.evaluate(
            """() => { const el = document.querySelector(`#notebook .cell[data-cell-name='flow'] [data-output-text]`);
                       return el ? el.textContent.split('\\n').length - 1 : 0; }"""
        )
    )


@pytest.fixture()
def tunnelled(app_url: str) -> Iterator[RunnerProcess]:
    """A runner reached through a proxy on another port: the proxy's Host is named with --allow-host."""
    flags = ("--allow-origin", origin(app_url), "--allow-host", "127.0.0.1", "--quiet")
    with RunnerProcess(*flags) as proc:
        yield proc


def test_resets_mid_output_lose_and_repeat_nothing_and_show_reconnecting(
    page: Any, app_url: str, tunnelled: RunnerProcess, tmp_path: Path
) -> None:
    runner = tunnelled
    with FaultProxy(("127.0.0.1", runner.port), rtt=0.1) as proxy:
        page.goto(f"{app_url}?runner=http://127.0.0.1:{proxy.port}#token={runner.token}")
        wait_ready(page)
        wait_runner_state(page, "connected")
        flow = FLOW.replace("{flags}", str(tmp_path))
        open_doc(page, cells_md(("flow", flow, {"interactive": "false"})), "flaky.md")
        run(page, "flow")
        for cut in range(3):
            seen = lines_shown(page)
            page.wait_for_function(
                f"""() => {{ const el = document.querySelector(
                      `#notebook .cell[data-cell-name='flow'] [data-output-text]`);
                      return el && el.textContent.split('\\n').length - 1 > {seen + 2000}; }}""",
                timeout=TIMEOUT_MS,
            )
            assert lines_shown(page) < LINES, f"the cell finished before cut {cut + 1}: make it longer"
            proxy.refuse = True
            assert proxy.reset() >= 1  # the Watch stream (and any idle connection) is gone
            page.wait_for_selector("#runner-status[data-runner-reason='lost']", timeout=TIMEOUT_MS)
            assert "reconnecting" in (page.text_content("#runner-status") or "").lower()
            proxy.refuse = False
            wait_runner_state(page, "connected", TIMEOUT_MS)
            (tmp_path / f"go{cut + 1}").touch()  # the next stretch of output may come
        wait_exit(page, "flow", 0, TIMEOUT_MS)
    assert output_text(page, "flow") == "".join(f"{i}\n" for i in range(1, LINES + 1))
    assert proxy.resets >= 3
