"""A Start whose reply is lost although the runner started the execution (the runner went down right
after, a proxy cut the call, a VPN dropped it). If the cell's Started event already came over the Watch,
the page follows the execution instead of calling it failed (seen in a full-suite run of
test_runner_truth); if the reply was lost first, the cell is reported failed as far as anyone knows, and
followed as soon as the Watch says the runner did start it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from fenced.app.run.demux import STARTED_AFTER_ALL
from fenced.app.run.engine import FAILED, RUNNING, SUCCEEDED, Engine
from fenced.connect import Code, ConnectError, Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from tests.app.test_run_controller import Page, runner
from tests.runner.support import RunnerProcess, arun, until

__all__ = ["runner"]


def waiting_for(flag: Any) -> str:
    """A cell that says "waiting", runs until `flag` exists, then says "done"."""
    return f"echo waiting\nwhile [ ! -e {flag} ]; do sleep 0.02; done\necho done"


class LosesStartReply(RunnerClient):
    """A client of `runner` whose Start reaches it and whose reply is lost (`reply_lost`, as the browser
    says a cut call)."""

    def __init__(self, runner: RunnerProcess) -> None:
        super().__init__(runner.url, runner.token, transport=HttpxTransport())

    @staticmethod
    def reply_lost() -> ConnectError:
        return ConnectError(Code.UNAVAILABLE, "runner at … is unreachable: TypeError: Failed to fetch")


class LostReply(LosesStartReply):
    """Start reaches the runner, but its reply is lost once the page has seen the cell's first output."""

    def __init__(self, runner: RunnerProcess, seen: Callable[[], bool]) -> None:
        super().__init__(runner)
        self.seen = seen  # has the page seen the cell's output yet?

    async def start(self, *args: Any, **kwargs: Any) -> Any:
        await super().start(*args, **kwargs)
        await until(self.seen)
        raise self.reply_lost()


def test_a_start_reply_lost_after_the_watch_saw_the_cell_start_keeps_it_running(
    runner: RunnerProcess, tmp_path: Any
) -> None:
    flag = tmp_path / "go"
    script = waiting_for(flag)
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


class HeldWatch:
    """A Watch stream that delivers nothing until `gate` is set (the reply of Start is lost first)."""

    def __init__(self, inner: Any, gate: asyncio.Event) -> None:
        self.inner, self.gate = inner, gate

    async def batches(self) -> AsyncIterator[Any]:
        await self.gate.wait()
        async for batch in self.inner.batches():
            yield batch

    async def aclose(self, *, release: bool = True) -> None:
        await self.inner.aclose(release=release)


class LostReplyFirst(LosesStartReply):
    """Start reaches the runner and its reply is lost before the page hears anything of the cell."""

    def __init__(self, runner: RunnerProcess) -> None:
        super().__init__(runner)
        self.gate = asyncio.Event()

    async def start(self, *args: Any, **kwargs: Any) -> Any:
        await super().start(*args, **kwargs)
        raise self.reply_lost()

    def watch(self, *args: Any, **kwargs: Any) -> Any:
        return HeldWatch(super().watch(*args, **kwargs), self.gate)


def test_a_start_reply_lost_before_anything_was_heard_is_followed_once_the_runner_says_it_started(
    runner: RunnerProcess, tmp_path: Any
) -> None:
    flag = tmp_path / "go"
    script = waiting_for(flag)
    page = Page()

    async def main() -> None:
        client = LostReplyFirst(runner)
        engine = Engine(client, page)
        with pytest.raises(ConnectError):
            await engine.start("long", Program(script=script, known_name="long"))
        failed = engine.runs["long"]
        assert failed.state == FAILED and page.exited["long"] is failed  # said as it was known then
        client.gate.set()  # the Watch gets through: the runner did start it
        await until(lambda: engine.runs["long"] is not failed)
        run = engine.runs["long"]
        await until(lambda: b"waiting" in page.out.get("long", {}).get("stdout", b""))
        assert run.state == RUNNING and run.execution_id
        flag.touch()
        assert await run.done == 0
        await engine.close()

    arun(main())
    assert ("notice", STARTED_AFTER_ALL) in page.messages
    assert bytes(page.out["long"]["stdout"]) == b"waiting\ndone\n"
