"""State carry-over fails loudly and never wipes: env capture that cannot run, values too big to pass on,
and a working directory deleted under the session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fenced.connect import Program, RunnerClient
from fenced.runner import shells
from tests.runner.support import arun

HOME = os.path.expanduser("~")


async def _two_cells(c: RunnerClient, first: Program, second: Program, **session: object):  # type: ignore[no-untyped-def]
    s = await c.create_session(env={"FROM_SESSION": "kept"}, **session)  # type: ignore[arg-type]
    one = await c.run(first, session_id=s.id)
    two = await c.run(second, session_id=s.id)
    await c.delete_session(s.id)
    return one, two


def warnings(result) -> list:  # type: ignore[no-untyped-def]
    return [e.warning for e in result.events if e.warning is not None]


def test_a_path_without_env_keeps_the_environment(client) -> None:
    async def main() -> None:
        async with client() as c:
            one, two = await _two_cells(
                c,
                Program(script="export PATH=~/bin; export MINE=1"),
                Program(script='echo "$MINE|$FROM_SESSION|$HOME|$PATH"'),
            )
            assert one.exit_code == 0 and not warnings(one)
            assert bytes(two.stdout).decode() == f"1|kept|{HOME}|{HOME}/bin\n"

    arun(main())


def test_a_function_named_env_does_not_fool_the_capture(client) -> None:
    async def main() -> None:
        async with client() as c:
            _one, two = await _two_cells(
                c,
                Program(script="env() { echo not-the-env; }; export MINE=2"),
                Program(script='echo "$MINE|$FROM_SESSION|$HOME"'),
            )
            assert bytes(two.stdout).decode() == f"2|kept|{HOME}\n"

    arun(main())


def test_a_value_too_big_to_pass_on_is_dropped_with_a_warning(client) -> None:
    """A 200 KB variable cannot be handed to a process (128 KiB per string): it is not carried over, the rest is."""

    async def main() -> None:
        async with client() as c:
            one, two = await _two_cells(
                c,
                Program(script="export BIG=$(printf 'x%.0s' $(seq 200000)); export MINE=3"),
                Program(script='echo "${#BIG}|$MINE|$FROM_SESSION|$HOME"'),
            )
            assert one.exit_code == 0
            (warning,) = warnings(one)
            assert warning.kind == "state_not_captured" and "BIG" in warning.message
            assert two.exit_code == 0
            assert bytes(two.stdout).decode() == f"0|3|kept|{HOME}\n"

    arun(main(), timeout=120)


def test_a_failed_capture_keeps_the_previous_environment_and_warns(client) -> None:
    """sh (dash) has no fallback once `env` cannot run: the session keeps what it had, and says so."""

    async def main() -> None:
        async with client() as c:
            one, two = await _two_cells(
                c,
                Program(
                    script="export BIG=$(printf 'x%.0s' $(seq 200000)); export LOST=1; cd /",
                    program_name="sh",
                ),
                Program(script='echo "[$LOST]|$FROM_SESSION|$HOME"; pwd'),
            )
            assert one.exit_code == 0
            (warning,) = warnings(one)
            assert warning.kind == "state_not_captured"
            assert bytes(two.stdout).decode() == f"[]|kept|{HOME}\n/\n"  # the cd still carried over

    arun(main(), timeout=120)


def test_a_deleted_working_directory_falls_back_to_its_parent(client, tmp_path: Path) -> None:
    gone = tmp_path / "a" / "b"

    async def main() -> None:
        async with client() as c:
            s = await c.create_session(directory=str(tmp_path))
            await c.run(Program(script=f"mkdir -p {gone}; cd {gone}"), session_id=s.id)
            shutil.rmtree(tmp_path / "a")  # gone under the session's feet
            r = await c.run(Program(script="pwd"), session_id=s.id)
            assert r.exit_code == 0 and bytes(r.stdout) == f"{tmp_path}\n".encode()
            (warning,) = warnings(r)
            assert warning.kind == "directory_missing" and str(gone) in warning.message
            again = await c.run(Program(script="pwd"), session_id=s.id)
            assert bytes(again.stdout) == f"{tmp_path}\n".encode() and not warnings(again)

    arun(main())


def test_read_state_refuses_a_state_without_environment(tmp_path: Path) -> None:
    path = tmp_path / "x.state"
    path.write_bytes(b"/tmp\0" + shells.STATE_END.encode())
    state = shells.read_state(path)
    assert state is not None and state.cwd == "/tmp" and state.env is None and state.problem
    path.write_bytes(b"/tmp\0A=1\0HOME=/root\0" + shells.STATE_END.encode())
    state = shells.read_state(path)
    assert state is not None and state.env == {"A": "1", "HOME": "/root"} and not state.problem


def test_bash_hands_back_values_intact_and_exported_functions_carry_over(client) -> None:
    """Values with newlines and `=` come back whole through bash's builtins; a cell that exports a function
    goes through `env`, which is what passes the function on to the next cell."""

    async def main() -> None:
        async with client() as c:
            _one, two = await _two_cells(
                c,
                Program(script="export MINE=$'two\\nlines=and equals'"),
                Program(script='printf "%s|%s" "$MINE" "$FROM_SESSION"'),
            )
            assert bytes(two.stdout).decode() == "two\nlines=and equals|kept"
            _one, two = await _two_cells(
                c,
                Program(script="greet() { echo hello from $1; }; export -f greet; export ALSO=1"),
                Program(script='greet "$ALSO"'),
            )
            assert bytes(two.stdout).decode() == "hello from 1\n"

    arun(main())


def test_the_bash_wrapper_runs_no_program_at_exit_unless_functions_are_exported(tmp_path: Path) -> None:
    import subprocess

    marker = tmp_path / "env-ran"
    fake = tmp_path / "env"
    fake.write_text(f'#!/bin/sh\ntouch {marker}\nexec /usr/bin/env "$@"\n')
    fake.chmod(0o755)
    bash = shutil.which("bash")
    assert bash is not None
    for script, uses_env in (("export X=1", False), ("f() { :; }; export -f f", True)):
        marker.unlink(missing_ok=True)
        cell, state = tmp_path / "cell.script", tmp_path / "cell.state"
        cell.write_text(script + "\n")
        from unittest import mock

        with mock.patch.object(shells, "env_program", lambda: str(fake)):
            wrapper = shells.wrapper_script(cell, state, bash)
        (tmp_path / "cell.sh").write_text(wrapper)
        subprocess.run([bash, str(tmp_path / "cell.sh")], check=True, env={"PATH": "/usr/bin:/bin"})
        got = shells.read_state(state)
        assert got is not None and got.env is not None and got.env.get("X", "1") == "1"
        assert marker.exists() == uses_env, script
