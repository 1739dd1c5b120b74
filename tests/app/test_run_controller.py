"""The run controller and engine under CPython against a real runner (httpx transport): what the page
does, without the page. One session and one Watch per notebook, prompts, Run all, reattaching."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from fenced.app.run.controller import Controller
from fenced.app.run.engine import FAILED, SUCCEEDED, Run
from fenced.document import loads
from fenced.document.prompts import Prompt
from tests.runner.support import RunnerProcess, arun, ensure_proto, until

ensure_proto()


@pytest.fixture(scope="module")
def runner() -> Iterator[RunnerProcess]:
    # Stop's grace before SIGTERM: long enough that bash's EXIT trap (which spawns `env`) finishes after a
    # SIGINT even on a loaded machine (0.5 s made "exit 130" tests see 143 there), short for escalation tests.
    with RunnerProcess("--stop-grace", "3", "--quiet") as proc:
        yield proc


class Page:
    """Sink + Host + Storage: records what a page would show."""

    def __init__(self, answers: dict[str, str] | None = None) -> None:
        self.out: dict[str, dict[str, bytearray]] = {}
        self.exited: dict[str, Run] = {}
        self.asked: list[list[Prompt]] = []
        self.answers = answers
        self.messages: list[tuple[str, str]] = []
        self.store: dict[str, str] = {}
        self.sizes: tuple[int, int] = (24, 80)

    # Sink
    def run_started(self, run: Run) -> None:
        assert run.pid > 0

    def run_output(self, run: Run, stream: str, data: bytes) -> None:
        self.out.setdefault(run.key, {"stdout": bytearray(), "stderr": bytearray()})[stream] += data

    def run_exited(self, run: Run) -> None:
        self.exited[run.key] = run

    def run_notice(self, run: Run, text: str) -> None:
        self.messages.append(("notice", text))

    def connection_changed(self, ok: bool, error: BaseException | None) -> None:
        self.messages.append(("connection", str(ok)))

    def session_lost(self, runs: list[Run]) -> None:
        self.messages.append(("lost", ",".join(str(r.key) for r in runs)))

    def secrets_learned(self, values: list[str]) -> None:
        self.messages.append(("secrets", str(len(values))))

    # Host
    def key(self, cell: Any) -> str:
        return cell.name

    async def prepare(self, key: Any, cell: Any, interactive: bool) -> tuple[int, int]:
        self.out[key] = {"stdout": bytearray(), "stderr": bytearray()}
        return self.sizes

    async def ask(self, cell: Any, prompts: list[Prompt]) -> dict[str, str] | None:
        self.asked.append(prompts)
        return self.answers

    def notify(self, text: str, kind: str) -> None:
        self.messages.append((kind, text))

    # Storage
    def get(self, key: str) -> str | None:
        return self.store.get(key)

    def set(self, key: str, value: str) -> None:
        self.store[key] = value

    def remove(self, key: str) -> None:
        self.store.pop(key, None)

    def text(self, key: str, stream: str = "stdout") -> str:
        return self.out[key][stream].decode()


def cells(*specs: str, frontmatter: str = "") -> Any:
    """A notebook of sh cells: each spec is 'name: script' (plus optional attributes after '|')."""
    parts = [frontmatter] if frontmatter else []
    for spec in specs:
        name, _, rest = spec.partition(": ")
        script, _, extra = rest.partition(" |")
        attrs = f'"name":"{name}"' + (f",{extra}" if extra else "")
        parts.append(f"```sh {{{attrs}}}\n{script}\n```\n")
    return loads("\n".join(parts))


def controller(runner: RunnerProcess, nb: Any, page: Page, **kw: Any) -> Controller:
    from fenced.connect import RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    client = RunnerClient(runner.url, runner.token, transport=HttpxTransport())
    return Controller(client, page, page, lambda: nb, storage=page, state_key="doc", document="test.md", **kw)


def cell(nb: Any, name: str) -> Any:
    return nb.find(name)


def test_output_streams_and_exit_codes(runner: RunnerProcess) -> None:
    nb = cells('a: echo out; echo err >&2; exit 3 |"interactive":"false"', "b: printf 'pty\\n'")
    page = Page()

    async def main() -> None:
        ctl = controller(runner, nb, page)
        a = await ctl.run_cell(cell(nb, "a"))
        b = await ctl.run_cell(cell(nb, "b"))
        assert a is not None and b is not None
        assert await a.done == 3 and await b.done == 0
        assert (a.state, b.state) == (FAILED, SUCCEEDED)
        assert not b.background and b.interactive and not a.interactive
        await ctl.close()

    arun(main())
    assert page.text("a") == "out\n" and page.text("a", "stderr") == "err\n"
    assert page.text("b") == "pty\r\n"  # a terminal ends lines with CRLF


def test_a_quick_cell_runs_again_and_again(runner: RunnerProcess) -> None:
    nb = cells("quick: echo hi")
    page = Page()

    async def main() -> list[int]:
        ctl = controller(runner, nb, page)
        pids = []
        for _ in range(5):  # its events may beat the Start reply; the next run must still start
            run = await ctl.run_cell(cell(nb, "quick"))
            assert run is not None and await run.done == 0 and not run.running
            pids.append(run.pid)
        await ctl.close()
        return pids

    assert len(set(arun(main()))) == 5
    assert page.text("quick") == "hi\r\n"


def test_env_cwd_and_frontmatter(runner: RunnerProcess, tmp_path: Any) -> None:
    (tmp_path / "sub").mkdir()
    nb = cells(
        "set: export FOO=bar; cd sub",
        "get: echo $FOO; pwd; echo ${BASH_VERSION:-not bash}",
        'here: pwd |"cwd":".."',
        frontmatter=f"---\nshell: sh\ncwd: {tmp_path}\n---\n",
    )
    page = Page()

    async def main() -> None:
        ctl = controller(runner, nb, page)
        for name in ("set", "get", "here"):
            run = await ctl.run_cell(cell(nb, name))
            assert run is not None and await run.done == 0
        await ctl.close()

    arun(main())
    lines = page.text("get").split("\r\n")
    assert lines[:2] == ["bar", str(tmp_path / "sub")] and lines[2] == "not bash"  # frontmatter shell: sh
    assert os.path.normpath(page.text("here").strip()) == str(tmp_path)  # cell cwd: relative to the session's


def test_run_all_stops_at_a_failure_unless_told_to_go_on(runner: RunnerProcess) -> None:
    nb = cells("one: echo 1", 'skipped: echo no |"excludeFromRunAll":"true"', "two: exit 2", "three: echo 3")
    page = Page()

    async def main() -> tuple[bool, bool]:
        ctl = controller(runner, nb, page)
        first = await ctl.run_all()
        assert "three" not in page.out and "skipped" not in page.out
        second = await ctl.run_all(keep_going=True)
        await ctl.close()
        return first, second

    assert arun(main()) == (False, False)
    assert page.text("three") == "3\r\n" and "skipped" not in page.out
    assert any(kind == "error" and "two failed (exit code 2)" in text for kind, text in page.messages)


def test_prompt_answers_are_used_and_kept(runner: RunnerProcess) -> None:
    nb = cells('greet: export NAME=\necho "hello $NAME"', 'again: export NAME=\necho "again $NAME"')
    page = Page(answers={"NAME": "World & co"})

    async def main() -> None:
        ctl = controller(runner, nb, page)
        for name in ("greet", "again"):
            run = await ctl.run_cell(cell(nb, name))
            assert run is not None and await run.done == 0
        page.answers = None  # cancelling a prompt does not run the cell
        nb.cells.append(loads("```sh\nexport OTHER=\n```\n").cells[0])
        assert await ctl.run_cell(nb.cells[-1]) is None
        await ctl.close()

    arun(main())
    assert page.asked[0] == [Prompt("NAME", "", "")]
    assert len(page.asked) == 2  # "again" was not asked: NAME was answered in this session
    assert page.text("greet") == "hello World & co\r\n" and page.text("again") == "again World & co\r\n"


def test_ten_background_cells_stream_at_once(runner: RunnerProcess) -> None:
    specs = [f'bg{i}: for j in 1 2 3; do echo {i}-$j; read x; done |"background":"true"' for i in range(10)]
    nb = cells(*specs)
    page = Page()

    async def main() -> None:
        ctl = controller(runner, nb, page)
        runs = [await ctl.run_cell(cell(nb, f"bg{i}")) for i in range(10)]
        assert all(r is not None and r.background for r in runs)
        for step in (1, 2, 3):  # every cell waits for input: all ten are running at the same time
            for i, run in enumerate(runs):
                await until(lambda i=i, run=run, step=step: f"{i}-{step}" in page.text(run.key))
            assert all(r.running for r in runs)
            for run in runs:
                ctl.engine.send_input(run.key, b"go\r")
        assert [await r.done for r in runs] == [0] * 10
        await ctl.close()

    arun(main())


def test_stop_input_and_resize(runner: RunnerProcess) -> None:
    nb = cells(
        "sleeper: sleep 100", "ask: read -p 'name? ' n; echo hi $n", "size: stty size; read x; stty size"
    )
    page = Page()

    async def shown(key: str, text: str) -> None:
        await until(lambda: text in page.text(key))

    async def main() -> None:
        ctl = controller(runner, nb, page)
        sleeper = await ctl.run_cell(cell(nb, "sleeper"))
        ask = await ctl.run_cell(cell(nb, "ask"))
        size = await ctl.run_cell(cell(nb, "size"))
        assert sleeper and ask and size
        await shown("ask", "name? ")
        for ch in b"bob\r":
            ctl.engine.send_input("ask", bytes([ch]))
        await shown("ask", "hi bob")
        await shown("size", "24 80")
        ctl.engine.resize("size", 30, 101)
        ctl.engine.send_input("size", b"\r")  # sent after the resize
        await shown("size", "30 101")
        await ctl.engine.stop("sleeper")
        assert await sleeper.done == 130 and sleeper.signal == "SIGINT"
        starting = asyncio.ensure_future(ctl.run_cell(cell(nb, "sleeper")))
        await until(lambda: "sleeper" in ctl.engine.runs and ctl.engine.runs["sleeper"].running, interval=0)
        await ctl.stop_all()  # Stop all while a cell is still starting stops it once started
        again = await starting
        assert again is not None and await again.done == 130
        await ctl.close()

    arun(main())


def test_a_new_page_reattaches_and_replays_each_line_once(runner: RunnerProcess) -> None:
    nb = cells("count: for i in $(seq 50); do echo $i; sleep 0.02; done")
    first = Page()

    async def main() -> list[str]:
        ctl = controller(runner, nb, first)
        run = await ctl.run_cell(cell(nb, "count"))
        assert run is not None
        await until(lambda: "10\r\n" in first.text("count"))
        await ctl.close()  # the page goes away mid-run
        second = Page()
        second.store = first.store
        again = controller(runner, nb, second)
        runs = await again.restore()
        assert [r.key for r in runs] == ["count"]
        assert await runs[0].done == 0
        caught_up = again.engine.cursor
        again.engine.cursor = 0  # a network hiccup replaying everything must not duplicate output
        await again.engine._stop_watch()
        again.engine.follow()
        await until(lambda: again.engine.cursor >= caught_up)  # the replay has been delivered
        await again.close()
        return second.text("count").split("\r\n")

    assert arun(main()) == [str(i) for i in range(1, 51)] + [""]


def test_a_reattached_run_counts_its_time_from_its_start_on_the_runner(
    runner: RunnerProcess, tmp_path: Any
) -> None:
    import time

    flag = tmp_path / "go"
    nb = cells(f"wait: while [ ! -e {flag} ]; do sleep 0.02; done; cd /", "quick: cd /tmp")
    first = Page()

    async def main() -> None:
        ctl = controller(runner, nb, first)
        quick = await ctl.run_cell(cell(nb, "quick"))
        assert quick is not None and await quick.done == 0
        assert quick.pwd == "/tmp"  # where it ended: the session's cwd from now on
        run = await ctl.run_cell(cell(nb, "wait"))
        assert run is not None
        started = run.started_at
        await until(lambda: time.time() - started > 0.5)
        await ctl.close()
        second = Page()
        second.store = first.store
        again = controller(runner, nb, second)
        runs = {r.key: r for r in await again.restore()}
        assert runs["wait"].running and abs(runs["wait"].started_at - started) < 0.3
        assert runs["quick"].duration_ms == quick.duration_ms
        flag.touch()
        assert await runs["wait"].done == 0
        await again.close()

    arun(main())


def test_a_restarted_runner_reports_the_lost_session_once_and_runs_on(app_free_port: int) -> None:
    """The runner dies with a cell running and comes back on the same port: the engine hears that the
    session is gone (not a network problem: it says connected again), fails the running cell once, forgets
    the session it stored, and the next run starts a new session."""
    import signal

    nb = cells("sleeper: sleep 60", "next: echo again")
    page = Page()
    first = RunnerProcess("--port", str(app_free_port), "--quiet")

    async def main() -> None:
        ctl = controller(first, nb, page)
        run = await ctl.run_cell(cell(nb, "sleeper"))
        assert run is not None and "doc" in page.store
        first.terminate(signal.SIGKILL)
        await until(lambda: ("connection", "False") in page.messages, timeout=30)
        with RunnerProcess("--port", str(first.port), "--quiet", token=first.token) as back:
            ctl.engine.wake()  # the page's connection found the runner answering again
            assert await asyncio.wait_for(run.done, 30) is None
            assert run.state == FAILED and run.reason == "the runner no longer has this session"
            assert page.messages.count(("lost", "sleeper")) == 1
            assert page.messages[-2:] == [("connection", "True"), ("lost", "sleeper")]
            assert "doc" not in page.store and ctl.engine.session_id == ""
            again = await ctl.run_cell(cell(nb, "next"))
            assert again is not None and await again.done == 0
            assert [m for m in page.messages if m[0] == "lost"] == [("lost", "sleeper")]
            await ctl.close()
            for orphan in first.marked_processes() + back.marked_processes():
                orphan.kill()

    arun(main())


@pytest.fixture()
def app_free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_save_as_moves_the_run_state_to_the_new_name() -> None:
    """After Save as the session is found again under the new document's key, and no longer the old."""
    page, nb = Page(), cells("a: echo a")
    ctl = Controller(None, page, page, lambda: nb, storage=page, state_key="run:old.md")  # type: ignore[arg-type]
    ctl.engine.session_id = "s-1"
    ctl.save()
    ctl.move_state("run:new.md")
    assert list(page.store) == ["run:new.md"]
    assert '"session": "s-1"' in page.store["run:new.md"]
    assert ctl.state_key == "run:new.md"


def test_the_saved_state_lists_each_run_by_its_cell_in_document_order(runner: RunnerProcess) -> None:
    nb = cells("a: echo a", "b: echo b", "c: echo c")
    page = Page()

    async def main() -> dict[str, Any]:
        ctl = controller(runner, nb, page, cell_id=lambda c: f"id-of:{c.name}")
        for name in ("c", "a", "b"):  # run out of order
            run = await ctl.run_cell(cell(nb, name))
            assert run is not None and await run.done == 0
        nb.cells.remove(cell(nb, "b"))  # a deleted cell's run is not kept
        ctl.save()
        await ctl.close()
        return ctl.state()

    state = arun(main())
    assert [(r["cell"], r["name"]) for r in state["runs"]] == [("id-of:a", "a"), ("id-of:c", "c")]
    assert all(r["execution"] for r in state["runs"]) and state["session"]
    assert json.loads(page.store["doc"]) == state  # what a reload finds


def test_the_state_saved_behind_reaches_the_storage_on_flush_and_on_close(runner: RunnerProcess) -> None:
    """With a timer (the page's), starts that follow closely are saved together: what waits is written
    by `flush_state` (the page going away) and by `close` (the document closed), as it was when asked
    for, though the view shows another document by then; nothing is lost."""
    from fenced.connect import RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    nb = cells("a: echo a", "b: echo b", "c: echo c")
    shown = {"nb": nb}
    page = Page()
    timers: list[Any] = []  # the timer never fires by itself here: only flushes write what waits

    async def main() -> None:
        client = RunnerClient(runner.url, runner.token, transport=HttpxTransport())
        ctl = Controller(
            client, page, page, lambda: shown["nb"], storage=page, state_key="doc",
            schedule=lambda _delay, callback: timers.append(callback),
        )  # fmt: skip
        run = await ctl.run_cell(cell(nb, "a"))
        assert run is not None and await run.done == 0
        assert json.loads(page.store["doc"])["session"]  # the session, as soon as it was made
        for name in ("b", "c"):
            run = await ctl.run_cell(cell(nb, name))
            assert run is not None and await run.done == 0
        saved = [r["name"] for r in json.loads(page.store["doc"])["runs"]]
        assert saved != ["a", "b", "c"] or not timers  # held (unless the cells took longer than the window)
        shown["nb"] = cells("other: echo other")  # the user switched to another document
        ctl.flush_state()
        assert [r["name"] for r in json.loads(page.store["doc"])["runs"]] == ["a", "b", "c"]
        shown["nb"] = nb
        run = await ctl.run_cell(cell(nb, "a"))  # a new execution for a, held or written
        assert run is not None and await run.done == 0
        expected = ctl.state()
        shown["nb"] = cells("other: echo other")
        await ctl.close()
        assert json.loads(page.store["doc"]) == expected  # close wrote what waited

    arun(main())
