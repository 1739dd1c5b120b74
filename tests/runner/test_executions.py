"""Executions through the Python client against a real runner: output, order, exit codes, sessions, PTY."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

import fenced
from fenced.connect import Code, ConnectError, Event, Program, RunnerClient
from tests.runner.support import arun


def test_stdout_and_stderr_are_kept_apart_and_exit_code_reported(client) -> None:
    async def main() -> None:
        async with client() as c:
            r = await c.run(Program(script="echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 3"))
        assert bytes(r.stdout) == b"out1\nout2\n"
        assert bytes(r.stderr) == b"err1\nerr2\n"
        assert r.exit_code == 3 and r.signal == ""

    arun(main())


@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_exit_codes(client, code: int) -> None:
    async def main() -> int | None:
        async with client() as c:
            return (await c.run(Program(script=f"exit {code}"))).exit_code

    assert arun(main()) == code


def test_event_order_offsets_and_totals(client) -> None:
    async def main() -> list[Event]:
        async with client() as c:
            script = "for i in $(seq 1 200); do echo line $i; echo e$i >&2; done"
            return (await c.run(Program(script=script, known_name="order"))).events

    events = arun(main())
    assert events[0].started is not None and events[0].started.pid > 0
    assert events[0].started.known_name == "order"
    assert events[-1].exited is not None
    assert all(e.output is not None for e in events[1:-1])
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    for stream in ("stdout", "stderr"):
        chunks = [e.output for e in events if e.output and e.output.stream == stream]
        offset = 0
        for chunk in chunks:
            assert chunk.offset == offset
            offset += len(chunk.data)
        total = events[-1].exited.stdout_bytes if stream == "stdout" else events[-1].exited.stderr_bytes
        assert offset == total
    out = b"".join(e.output.data for e in events if e.output and e.output.stream == "stdout")
    assert out == b"".join(f"line {i}\n".encode() for i in range(1, 201))


def test_20_mb_output_arrives_byte_exact(client, tmp_path: Path) -> None:
    data = os.urandom(20 * 1024 * 1024)
    (tmp_path / "blob").write_bytes(data)

    async def main() -> tuple[bytes, int | None, int]:
        async with client() as c:
            out = hashlib.sha256()
            size = 0
            code = None
            async for event in c.execute(Program(script=f"cat {tmp_path / 'blob'}")):
                assert event.truncated is None
                if event.output is not None:
                    assert event.output.offset == size
                    out.update(event.output.data)
                    size += len(event.output.data)
                if event.exited is not None:
                    code = event.exited.exit_code
                    assert event.exited.stdout_bytes == len(data)
            return out.digest(), code, size

    digest, code, size = arun(main(), timeout=120)
    assert size == len(data) and code == 0
    assert digest == hashlib.sha256(data).digest()


def test_env_and_cwd_carry_over_in_a_session(client, tmp_path: Path) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session(env={"FROM_SESSION": "s1"})
            first = await c.run(
                Program(script=f"export FOO=1; cd {tmp_path}; unset FROM_SESSION"), session_id=s.id
            )
            assert first.pwd == str(tmp_path)
            r = await c.run(
                Program(script='echo "$FOO"; pwd; echo "[${FROM_SESSION-unset}]"'), session_id=s.id
            )
            assert bytes(r.stdout) == f"1\n{tmp_path}\n[unset]\n".encode()
            other = await c.create_session()
            r2 = await c.run(Program(script='echo "[$FOO]"'), session_id=other.id)
            assert bytes(r2.stdout) == b"[]\n"
            await c.delete_session(s.id)
            await c.delete_session(other.id)

    arun(main())


def test_cell_env_is_for_that_cell_only(client) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            r = await c.run(Program(script='echo "$ONLY_HERE"', env={"ONLY_HERE": "x"}), session_id=s.id)
            assert bytes(r.stdout) == b"x\n"
            r = await c.run(Program(script='echo "[$ONLY_HERE]"'), session_id=s.id)
            assert bytes(r.stdout) == b"[]\n"

    arun(main())


def test_session_and_cell_directories(client, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()

    async def main() -> None:
        async with client() as c:
            s = await c.create_session(directory=str(tmp_path))
            r = await c.run(Program(script="pwd"), session_id=s.id)
            assert bytes(r.stdout) == f"{tmp_path}\n".encode()
            r = await c.run(Program(script="pwd", directory="sub"), session_id=s.id)
            assert bytes(r.stdout) == f"{tmp_path / 'sub'}\n".encode()
            r = await c.run(Program(script="pwd", directory="/"), session_id=s.id)
            assert bytes(r.stdout) == b"/\n"
            with pytest.raises(ConnectError) as err:
                await c.run(Program(script="pwd", directory="does-not-exist"), session_id=s.id)
            assert err.value.code == Code.INVALID_ARGUMENT

    arun(main())


def test_shell_choice_and_interpreters(client) -> None:
    async def main() -> None:
        async with client() as c:
            r = await c.run(Program(script="echo $0", program_name="sh"))
            assert bytes(r.stdout).strip().endswith(b".sh")  # the wrapper script, run by sh
            r = await c.run(Program(script="echo ${BASH_VERSION:+bash}"))
            assert bytes(r.stdout) == b"bash\n"  # default shell
            r = await c.run(Program(script="import sys; print(sys.version_info[0])", language_id="python"))
            assert bytes(r.stdout) == b"3\n"
            s = await c.create_session(shell="sh")
            r = await c.run(Program(script="echo ${BASH_VERSION:-not-bash}"), session_id=s.id)
            assert bytes(r.stdout) == b"not-bash\n"
            with pytest.raises(ConnectError) as err:
                await c.run(Program(script="true", program_name="/no/such/shell"))
            assert err.value.code == Code.FAILED_PRECONDITION

    arun(main())


def test_stdin_from_start_and_send_input(client) -> None:
    async def main() -> None:
        async with client() as c:
            r = await c.run(Program(script="cat; echo done"), input_data=b"from start\n")
            assert bytes(r.stdout) == b"from start\ndone\n"
            r = await c.run(Program(script="cat; echo eof"))
            assert bytes(r.stdout) == b"eof\n"  # stdin closed: cat does not wait
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, Program(script="cat"), keep_stdin_open=True)
            await c.send_input(started.execution_id, b"one\n")
            out = b""
            async for event in watch:
                if event.output is not None:
                    out += event.output.data
                    if out == b"one\n":
                        await c.send_input(started.execution_id, b"two\n", close=True)
                if event.exited is not None:
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()
            assert out == b"one\ntwo\n"
            with pytest.raises(ConnectError) as err:
                await c.send_input(started.execution_id, b"late")
            assert err.value.code == Code.FAILED_PRECONDITION

    arun(main())


async def _interactive(c: RunnerClient, script: str, steps: list[tuple[bytes, str, object]]) -> bytes:
    """Start an interactive cell; when the output contains a marker, do the paired action."""
    s = await c.create_session()
    watch = c.watch(s.id)
    started = await c.start(s.id, Program(script=script, interactive=True), rows=24, cols=80)
    out = b""
    pending = list(steps)
    async for event in watch:
        if event.output is not None:
            out += event.output.data
            while pending and pending[0][0] in out:
                _marker, action, arg = pending.pop(0)
                if action == "input":
                    await c.send_input(started.execution_id, arg)  # type: ignore[arg-type]
                elif action == "resize":
                    rows, cols = arg  # type: ignore[misc]
                    await c.resize(started.execution_id, rows, cols)
        if event.exited is not None:
            assert event.exited.exit_code == 0, out
            break
    else:
        pytest.fail("the stream ended without an exited event")
    await watch.aclose()
    await c.delete_session(s.id)
    return out


def test_pty_is_a_terminal_reads_input_and_follows_resize(client) -> None:
    script = "tty; stty size; echo READY; read line; echo got:$line; stty size"

    async def main() -> bytes:
        async with client() as c:
            return await _interactive(
                c, script, [(b"READY", "resize", (50, 132)), (b"READY", "input", b"hello\r")]
            )

    out = arun(main()).replace(b"\r\n", b"\n")
    lines = out.decode().splitlines()
    assert lines[0].startswith("/dev/pts/")
    assert lines[1] == "24 80"
    assert "got:hello" in lines
    assert lines[-1] == "50 132"


def test_stop_interrupts_with_exit_130(client) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, Program(script="echo up; sleep 100"))
            async for event in watch:
                if event.output is not None and b"up" in event.output.data:
                    await c.stop(started.execution_id)
                if event.exited is not None:
                    assert event.exited.exit_code == 130
                    assert event.exited.duration_ms < 5000
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()

    arun(main())


def test_stop_escalates_past_a_sigint_trap(client) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            script = "trap 'echo ignoring INT' INT; echo up; while true; do sleep 0.05; done"
            started = await c.start(s.id, Program(script=script))
            out = b""
            async for event in watch:
                if event.output is not None:
                    out += event.output.data
                    if event.output.data.startswith(b"up"):
                        await c.stop(started.execution_id)
                if event.exited is not None:
                    assert event.exited.signal in ("SIGTERM", "SIGKILL"), event.exited
                    assert event.exited.exit_code in (143, 137)
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()
            assert b"ignoring INT" in out  # it did get (and ignore) SIGINT first

    arun(main())


def test_stop_kill_mode(client) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, Program(script="trap '' INT TERM; echo up; sleep 100"))
            async for event in watch:
                if event.output is not None:
                    await c.stop(started.execution_id, kill=True)
                if event.exited is not None:
                    assert (event.exited.exit_code, event.exited.signal) == (137, "SIGKILL")
                    break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()

    arun(main())


def test_ten_concurrent_executions_over_one_watch(client) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            ids = {}
            for i in range(10):
                script = f"for j in $(seq 1 300); do echo {i}:$j; done"
                ids[(await c.start(s.id, Program(script=script))).execution_id] = i
            outputs = dict.fromkeys(ids, b"")
            exited = set()
            async for event in watch:
                if event.output is not None:
                    outputs[event.execution_id] += event.output.data
                if event.exited is not None:
                    assert event.exited.exit_code == 0
                    exited.add(event.execution_id)
                    if exited == set(ids):
                        break
            else:
                pytest.fail("the stream ended without an exited event")
            await watch.aclose()
            for eid, i in ids.items():
                assert outputs[eid] == b"".join(f"{i}:{j}\n".encode() for j in range(1, 301))

    arun(main())


def test_sessions_are_listed_and_deleted(client) -> None:
    async def main() -> None:
        async with client() as c:
            s = await c.create_session(metadata={"tab": "t1"})
            await c.run(Program(script="true", known_name="first"), session_id=s.id)
            listed = {x.id: x for x in await c.list_sessions()}
            assert listed[s.id].metadata == {"tab": "t1"}
            assert [e.known_name for e in listed[s.id].executions] == ["first"]
            assert listed[s.id].executions[0].exit_code == 0
            await c.delete_session(s.id)
            assert s.id not in {x.id for x in await c.list_sessions()}
            with pytest.raises(ConnectError) as err:
                await c.start(s.id, Program(script="true"))
            assert err.value.code == Code.NOT_FOUND

    arun(main())


def test_get_info(client, runner) -> None:
    async def main():  # type: ignore[no-untyped-def]
        async with client() as c:
            return await c.get_info()

    info = arun(main())
    assert info.version == fenced.__version__  # what the app's version check compares with its own
    assert info.hostname and info.user
    assert info.default_shell.endswith("bash")
    assert info.limits.buffer_bytes >= 8 * 1024 * 1024
    assert info.limits.stop_grace_ms == 3000  # the fixture's --stop-grace 3


def test_ctrl_c_typed_into_the_terminal_interrupts(client) -> None:
    """The PTY is the cell's controlling terminal, so ^C reaches its foreground process group. (A ^C that
    lands while bash is between forking `sleep` and exec'ing it is lost, by bash's own design, so like a
    user the test presses it again until the cell ends.)"""

    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            watch = c.watch(s.id)
            started = await c.start(s.id, Program(script="echo up; sleep 100", interactive=True))
            events: asyncio.Queue[Event] = asyncio.Queue()

            async def follow() -> None:
                async for event in watch:
                    events.put_nowait(event)

            follower = asyncio.create_task(follow())
            while True:
                event = await asyncio.wait_for(events.get(), 30)
                if event.output is not None and b"up" in event.output.data:
                    break
            for _ in range(20):
                await c.send_input(started.execution_id, b"\x03")
                try:
                    while (event := await asyncio.wait_for(events.get(), 1.0)).exited is None:
                        pass
                except TimeoutError:
                    continue  # not ended yet: ^C again
                assert event.exited.exit_code == 130
                break
            else:
                pytest.fail("^C did not end the cell")
            follower.cancel()
            await watch.aclose()

    arun(main())


def test_sessions_say_when_each_execution_started_and_how_long_it_ran(client, tmp_path: Path) -> None:
    """A client that attaches later (a reloaded page) counts a running cell's time from its start on the
    runner: the runner says when it started and how long it has run, on its own clocks."""
    import time

    flag = tmp_path / "go"

    async def main() -> None:
        async with client() as c:
            s = await c.create_session()
            before = time.time() * 1000
            started = await c.start(s.id, Program(script=f"while [ ! -e {flag} ]; do sleep 0.02; done"))
            after = time.time() * 1000

            async def summary() -> object:
                listed = {x.id: x for x in await c.list_sessions()}
                return {e.id: e for e in listed[s.id].executions}[started.execution_id]

            first = await summary()
            assert first.running and before - 5 <= first.started_at_ms <= after + 5
            while (now := await summary()).elapsed_ms < 300:  # the runner's clock moves on
                assert now.running
            assert now.started_at_ms == first.started_at_ms
            flag.touch()
            watch = c.watch(s.id)
            async for event in watch:
                if event.exited is not None and event.execution_id == started.execution_id:
                    duration = event.exited.duration_ms
                    break
            await watch.aclose()
            done = await summary()
            assert not done.running and done.elapsed_ms == duration >= 300

    arun(main())
