"""What the runner says about a cell besides its output reaches the cell as a notice: a warning (its
state was not carried over, its directory is gone) and `Truncated` (output dropped by design)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.app.test_run_controller import Page, cell, cells, controller
from tests.runner.support import RunnerProcess, arun, until


@pytest.fixture(scope="module")
def small_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess("--buffer-bytes", "65536", "--stop-grace", "3", "--quiet") as proc:
        yield proc


def test_a_warning_becomes_a_notice_on_its_cell(small_runner: RunnerProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gone = tmp_path / "gone"
    nb = cells(f"leave: mkdir -p {gone} && cd {gone} && rm -rf {gone}", "next: pwd")
    page = Page()

    async def main() -> None:
        ctl = controller(small_runner, nb, page)
        for name in ("leave", "next"):
            run = await ctl.run_cell(cell(nb, name))
            assert run is not None and await run.done == 0
        await ctl.close()

    arun(main())
    notices = [text for kind, text in page.messages if kind == "notice"]
    assert len(notices) == 1 and notices[0].startswith("Warning:") and str(gone) in notices[0]
    assert page.text("next") == f"{tmp_path}\r\n"


def test_output_dropped_by_design_is_a_truncated_notice(small_runner: RunnerProcess) -> None:
    """A background cell that nobody watches keeps only its buffer: a page that comes back later is told."""
    nb = cells("bg: printf '%*s' 1000000 x; echo; echo end |" + '"background":"true"')
    first = Page()

    async def main() -> None:
        ctl = controller(small_runner, nb, first)
        run = await ctl.run_cell(cell(nb, "bg"))
        assert run is not None and await run.done == 0
        await ctl.close()  # the page goes: it released its watcher
        second = Page()
        second.store = first.store
        again = controller(small_runner, nb, second)
        runs = await again.restore()
        assert [r.key for r in runs] == ["bg"]
        await until(lambda: "end" in second.text("bg"), timeout=30)
        await again.close()
        notices = [text for kind, text in second.messages if kind == "notice"]
        assert len(notices) == 1 and notices[0].startswith("Truncated:"), notices
        assert len(second.text("bg")) < 1_000_000

    arun(main())
