"""A Start whose reply is lost after the runner started the execution (the runner went down right after,
a proxy cut the call): the cell's Started event and output already came over the Watch, so the page
follows the execution instead of calling it failed (seen in a full-suite run of test_runner_truth)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fenced.app.run.engine import RUNNING, SUCCEEDED, Engine
from fenced.connect import Code, ConnectError, Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from tests.app.test_run_controller import Page, runner
from tests.runner.support import RunnerProcess, arun, until

__all__ = ["runner"]


class LostReply(RunnerClient):
    """Start reaches the runner, but its reply is lost once the page has seen the cell's first output."""

    def __init__(self, runner: RunnerProcess, seen: Callable[[], bool]) -> None:
        super().__init__(runner.url, runner.token, transport=HttpxTransport())
        self.seen = seen  # has the page seen the cell's output yet?

    async def start(self, *args: Any, **kwargs: Any) -> Any:
        await super().start(*args, **kwargs)
        await until(self.seen)
        raise ConnectError(Code.UNAVAILABLE, "runner at … is unreachable: TypeError: Failed to fetch")


def test_a_start_reply_lost_after_the_watch_saw_the_cell_start_keeps_it_running(
    runner: RunnerProcess, tmp_path: Any
) -> None:
    flag = tmp_path / "go"
    script = f"echo waiting\nwhile [ ! -e {flag} ]; do sleep 0.02; done\necho done"
    page = Page()

    async def main() -> None:
        client = LostReply(runner, lambda: b"waiting" in page.out.get("long", {}).get("stdout", b""))
        engine = Engine(client, page)
        run = await engine.start("long", Program(script=script, known_name="long"))
        assert run.state == RUNNING and run.execution_id  # followed, not failed
        assert "long" not in page.exited
        flag.touch()
        assert await run.done == 0
        assert run.state == SUCCEEDED
        await engine.close()

    arun(main())
    assert bytes(page.out["long"]["stdout"]) == b"waiting\ndone\n"
