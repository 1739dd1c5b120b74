"""SIGTERM/SIGINT stop every execution and leave no process behind; the log says what ran, not what it said."""

from __future__ import annotations

import signal

import pytest

from fenced.connect import Program, RunnerClient
from fenced.connect.httpx_transport import HttpxTransport
from tests.runner.support import RunnerProcess, arun, wait_for


async def _start_everything(proc: RunnerProcess) -> list[int]:
    async with RunnerClient(proc.url, proc.token, transport=HttpxTransport()) as c:
        s = await c.create_session()
        watch = c.watch(s.id)
        await c.run(
            Program(script="(sleep 1000; echo never) & echo left-a-job", known_name="leaver"), session_id=s.id
        )
        pids = []
        for program in (
            Program(script="echo SECRET-OUTPUT; sleep 1000", known_name="sleeper"),
            Program(script="trap '' INT TERM; echo up; sleep 1000", known_name="stubborn"),
            Program(script="echo up; sleep 1000", interactive=True, known_name="tty"),
            Program(script="sleep 1000 & sleep 1000", background=True, known_name="bg"),
        ):
            pids.append((await c.start(s.id, program)).pid)
        seen = 0
        async for event in watch:  # wait until each of them is running its command
            if event.output is not None and event.execution_id and event.seq:
                seen += 1
                if seen >= 3:
                    break
        await watch.aclose()
        return pids


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_everything_and_leaves_no_process(sig: int) -> None:
    proc = RunnerProcess("--stop-grace", "0.5")
    try:
        pids = arun(_start_everything(proc))
        alive = wait_for(lambda: len(m := proc.marked_processes()) >= 8 and {p.pid for p in m} >= set(pids))
        assert alive, proc.marked_processes()  # shells, sleeps and the job left behind by `leaver`
        code = proc.terminate(sig, timeout=30)
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
    assert code in (0, -sig)
    # SIGKILLed processes vanish a moment after the runner exits; anything left after 10 s is an orphan.
    assert wait_for(lambda: not proc.marked_processes()), proc.marked_processes()
    log = "\n".join(proc.stderr_lines)
    for name in ("leaver", "sleeper", "stubborn", "tty", "bg"):
        assert log.count(f"cell={name} ") == 2, log  # one line at start, one at exit
    assert "SECRET-OUTPUT" not in log and proc.token not in log
