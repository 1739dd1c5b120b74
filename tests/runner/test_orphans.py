"""No orphans: every process a cell starts (`&` jobs, their own process groups, double forks that stay in the
cell's session) dies on Stop, the disconnect grace, DeleteSession, session expiry, the end of a one-off
Execute, runner shutdown, and after `kill -9` of the runner. Processes are counted by a tag in their
environment before and after each path."""

from __future__ import annotations

import asyncio
import glob
import os
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from fenced.connect import Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from tests.runner.support import RunnerProcess, arun, wait_for

# A job that ignores SIGINT like a non-interactive shell's `&` jobs do, one in its own process group
# (`set -m`), and a double fork that leaves the cell's process group but not its session.
LEAVE_JOBS = "sleep 3301 & set -m; sleep 3302 & set +m; (sleep 3303 &); echo up"


def tagged(tag: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("ORPHAN_TAG") == tag and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def new_tag() -> str:
    return secrets.token_hex(6)


def program(script: str, tag: str, **kw: object) -> Program:
    return Program(script=script, env={"ORPHAN_TAG": tag}, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def quick_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess(
        "--stop-grace", "0.5", "--disconnect-grace", "0.5", "--session-idle-timeout", "1", "--quiet"
    ) as proc:
        yield proc


def client_for(proc: RunnerProcess) -> RunnerClient:
    return RunnerClient(proc.url, proc.token, transport=HttpxTransport())


def assert_gone(tag: str, timeout: float = 15) -> None:
    assert wait_for(lambda: not tagged(tag), timeout), [p.cmdline() for p in tagged(tag)]


def test_stop_ends_every_process_of_the_cell(quick_runner: RunnerProcess) -> None:
    tag = new_tag()

    async def main() -> None:
        async with client_for(quick_runner) as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, program(LEAVE_JOBS + "; wait", tag))
            async for event in watch:
                if event.output is not None:
                    assert len(tagged(tag)) >= 4  # the shell and three sleeps
                    await c.stop(started.execution_id)
                if event.exited is not None:
                    break
            await watch.aclose()

    arun(main())
    assert_gone(tag)


def test_disconnect_grace_ends_every_process(quick_runner: RunnerProcess) -> None:
    tag = new_tag()

    async def main() -> None:
        async with client_for(quick_runner) as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            await c.start(s.id, program(LEAVE_JOBS + "; wait", tag))
            async for event in watch:
                if event.output is not None:
                    break
            await watch.aclose()  # nobody watches any more: the grace starts

    arun(main())
    assert_gone(tag)


def test_delete_session_ends_what_finished_cells_left_behind(quick_runner: RunnerProcess) -> None:
    tag = new_tag()

    async def main() -> None:
        async with client_for(quick_runner) as c:
            s = await c.create_session()
            result = await c.run(program(LEAVE_JOBS, tag), session_id=s.id)
            assert result.exit_code == 0
            assert wait_for(lambda: len(tagged(tag)) == 3)  # the jobs outlive their cell
            await c.delete_session(s.id)

    arun(main())
    assert_gone(tag)


def test_session_expiry_ends_what_its_cells_left_behind(quick_runner: RunnerProcess) -> None:
    tag = new_tag()

    async def main() -> None:
        async with client_for(quick_runner) as c:
            s = await c.create_session()
            await c.run(program(LEAVE_JOBS, tag), session_id=s.id)
            async with asyncio.timeout(15):
                while True:  # until the runner forgot it
                    if s.id not in {x.id for x in await c.list_sessions()}:
                        break
                    await asyncio.sleep(0.05)

    arun(main())
    assert_gone(tag)


def test_a_one_off_execute_leaves_nothing(quick_runner: RunnerProcess) -> None:
    tag = new_tag()

    async def main() -> None:
        async with client_for(quick_runner) as c:
            result = await c.run(program(LEAVE_JOBS, tag))
            assert result.exit_code == 0

    arun(main())
    assert_gone(tag)


def test_shutdown_ends_jobs_of_forgotten_cells() -> None:
    """Past the 256 finished cells a session remembers, the first cell's jobs are still ended on SIGTERM."""
    tag = new_tag()
    proc = RunnerProcess("--stop-grace", "0.5", "--quiet")
    try:

        async def main() -> None:
            async with client_for(proc) as c:
                s = await c.create_session()
                await c.run(program(LEAVE_JOBS, tag), session_id=s.id)
                for _ in range(257):
                    await c.run(Program(script="true"), session_id=s.id)

        arun(main(), timeout=180)
        assert len(tagged(tag)) == 3
        assert proc.terminate(signal.SIGTERM) in (0, -signal.SIGTERM)
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
    assert_gone(tag)


def _workdir_of(tag: str) -> Path:
    """The runner's work directory, from the wrapper script a cell's shell runs."""
    for p in tagged(tag):
        for arg in p.cmdline():
            if arg.endswith(".sh") and "fenced-runner-" in arg:
                return Path(arg).parent
    raise AssertionError("no cell shell found")


def test_kill_9_of_the_runner_takes_its_cells_along() -> None:
    tag = new_tag()
    proc = RunnerProcess("--quiet")
    try:

        async def main() -> None:
            async with client_for(proc) as c:
                s = await c.create_session()
                watch = c.watch(s.id)
                await c.run(program(LEAVE_JOBS, tag), session_id=s.id)
                for script, kw in (
                    ("echo up; yes | head -c 100G | cat > /dev/null", {}),
                    ("echo up; sleep 3304", {"interactive": True}),
                    ("echo up; sleep 3305", {"background": True}),
                    ("trap '' INT TERM HUP; echo up; sleep 3306", {}),
                ):
                    await c.start(s.id, program(script, tag, **kw))
                ups = 0
                async for event in watch:
                    if event.output is not None and b"up" in event.output.data:
                        ups += 1
                        if ups == 5:
                            break
                await watch.aclose()

        arun(main())
        assert len(tagged(tag)) >= 10
        workdir = _workdir_of(tag)
        assert workdir.is_dir()
        proc.proc.kill()
        proc.proc.wait(10)
    finally:
        proc.terminate()
    assert_gone(tag)
    assert wait_for(lambda: not workdir.exists()), list(workdir.iterdir())


def test_a_stale_work_directory_is_removed_at_the_next_start() -> None:
    """Runner and reaper both killed: the next runner removes the work directory they left."""
    tag = new_tag()
    first = RunnerProcess("--quiet")
    try:

        async def main() -> None:
            async with client_for(first) as c:
                await c.start((await c.create_session()).id, program("sleep 3307", tag))

        arun(main())
        assert wait_for(lambda: any("3307" in p.cmdline() for p in tagged(tag)))
        workdir = _workdir_of(tag)
        reapers = [c for c in psutil.Process(first.proc.pid).children() if "reaper" in c.cmdline()]
        assert len(reapers) == 1
        reapers[0].kill()
        first.proc.kill()
        first.proc.wait(10)
        for p in tagged(tag):  # nobody is left to end it: do it here
            p.kill()
    finally:
        first.terminate()
    assert workdir.is_dir()
    with RunnerProcess("--quiet"):
        assert not workdir.exists()
    mine = [d for d in glob.glob("/dev/shm/fenced-runner-*") if os.stat(d).st_uid == os.getuid()]
    assert str(workdir) not in mine


def test_stop_interrupts_even_a_program_that_was_being_forked(quick_runner: RunnerProcess) -> None:
    """A SIGINT that lands in the shell's child between fork and exec is lost (the shell's handler takes
    it; the program then runs on, and the shell waits for it): the runner sends it again to whoever is
    alive with SIGINT's default action, so Stop right after a start ends with SIGINT, not SIGTERM."""

    async def main() -> None:
        async with client_for(quick_runner) as c:
            s = await c.create_session()
            for interactive in (False, True) * 10:
                watch = c.watch(s.id)
                started = await c.start(s.id, Program(script="sleep 100", interactive=interactive))
                await c.stop(started.execution_id)  # while bash is starting, or forking `sleep`
                async for event in watch:
                    if event.execution_id == started.execution_id and event.exited is not None:
                        assert (event.exited.exit_code, event.exited.signal) == (130, "SIGINT"), event.exited
                        break
                await watch.aclose()
            await c.delete_session(s.id)

    arun(main(), timeout=120)
