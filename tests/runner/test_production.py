"""Issue 15 on a real runner: `$__` and `fenced_out`, secret variables reported at exit (never logged),
reviewed-only runners (`--allow-runbooks`), with the Python client and with `fenced run`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fenced.connect import Code, ConnectError, Program
from fenced.document.history import HistoryRecord
from tests.runner.clisupport import clean_env, fenced
from tests.runner.support import RunnerProcess, arun, wait_for

MASK = "\u2022\u2022\u2022\u2022"


def common(runner: RunnerProcess) -> list[str]:
    return ["--runner", runner.url, "--token", runner.token]


# -- $__ and fenced_out ----------------------------------------------------------------------------


def test_previous_output_and_output_by_name(client) -> None:  # type: ignore[no-untyped-def]
    async def main() -> list[bytes]:
        async with client() as c:
            session = await c.create_session()
            outs = []
            for program in (
                Program(script="echo first-out", known_name="first"),
                Program(script="printf 'bg-log\\n'", known_name="server", background=True),
                Program(script="printf '\\033[32mgreen\\033[0m\\r\\n'", known_name="tty", interactive=True),
                Program(
                    script='echo "prev=[$__]"; fenced_out first; x=$(fenced_out server); echo "bg=$x"',
                    known_name="third",
                ),
                Program(script="import os; print('py sees', os.environ['__'])", language_id="python"),
                Program(script="fenced_out nope; echo status=$?", known_name="missing"),
            ):
                r = await c.run(program, session_id=session.id)
                outs.append(bytes(r.stdout) + bytes(r.stderr))
            return outs

    outs = arun(main())
    assert (
        outs[3] == b"prev=[green]\nfirst-out\nbg=bg-log\n"
    )  # the terminal's output as text; background left out
    assert outs[4] == b"py sees prev=[green]\nfirst-out\nbg=bg-log\n"
    assert b"status=1" in outs[5] and b"no output of a cell named nope" in outs[5]


def test_previous_output_in_fenced_run(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "flow.md"
    book.write_text(
        '```sh {"name":"version"}\necho v1.2.3\n```\n\n```sh {"name":"use"}\necho "[$__] [$(fenced_out version)]"\n```\n'
    )
    result = fenced("run", str(book), "version", "use", *common(runner))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "v1.2.3\n[v1.2.3] [v1.2.3]\n"


# -- secret variables a cell exported --------------------------------------------------------------


@pytest.fixture(scope="module")
def secret_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess("--stop-grace", "3", env={"HOST_API_TOKEN": "host-only-token-value"}) as proc:
        yield proc


def test_exported_secrets_reported_at_exit_and_never_logged(secret_runner: RunnerProcess) -> None:
    from fenced.connect import RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    async def main() -> list[dict[str, str]]:
        async with RunnerClient(secret_runner.url, secret_runner.token, transport=HttpxTransport()) as c:
            session = await c.create_session()
            found = []
            for program in (
                Program(
                    script="export API_TOKEN=tok-0123456789; export PLAIN=1; export DB_URL=postgres://u:pw@db",
                    secret_names=("DB_URL",),
                    known_name="login",
                ),
                Program(
                    script="echo $HOST_API_TOKEN >/dev/null; export API_TOKEN=tok-0123456789",
                    known_name="again",
                ),
                Program(script="export API_TOKEN=tok-changed-99", known_name="change"),
            ):
                r = await c.run(program, session_id=session.id)
                (exited,) = [e.exited for e in r.events if e.exited is not None]
                found.append(exited.secret_env)
            return found

    assert arun(main()) == [
        {"API_TOKEN": "tok-0123456789", "DB_URL": "postgres://u:pw@db"},
        {},
        {"API_TOKEN": "tok-changed-99"},
    ]
    log = "\n".join(secret_runner.stderr_lines)
    assert "login" in log  # it does log executions...
    for value in ("tok-0123456789", "postgres://u:pw@db", "tok-changed-99", "host-only-token-value"):
        assert value not in log  # ...but never a value


def test_values_the_client_marks_are_masked_at_the_source(client) -> None:  # type: ignore[no-untyped-def]
    """A prompt's answer that the script uses and never exports (`unset`, or only passed to a command):
    no `Exited.secret_env` tells a reloaded page about it, so the client hands it over in `mask_values`
    and the runner masks it before keeping or sending a byte: the live stream, a replay from the start
    (what a reloaded page reads), both streams, a value cut between two writes, and the next cell's `$__`.
    A value too short to mask is left alone, as everywhere."""
    secret = "hunter22-pass"

    async def main() -> tuple[bytes, bytes, bytes, bytes]:
        async with client() as c:
            session = await c.create_session()
            program = Program(
                script=(
                    f"PW='{secret}'\n"
                    "printf 'pw=hunter22'; sleep 0.1; printf -- '-pass and ab\\n'\n"
                    'echo "err=$PW" >&2\nunset PW'
                ),
                known_name="login",
                mask_values=(secret, "ab"),
            )
            live = await c.run(program, session_id=session.id)
            replay, stream = bytearray(), c.watch(session.id, 0, resume=False)
            async for event in stream:
                if event.output is not None and event.output.stream == "stdout":
                    replay += event.output.data
                if event.exited is not None:
                    break
            await stream.aclose()
            after = await c.run(Program(script='echo "prev=[$__]"'), session_id=session.id)
            return bytes(live.stdout), bytes(live.stderr), bytes(replay), bytes(after.stdout)

    stdout, stderr, replay, after = arun(main())
    assert stdout == replay == f"pw={MASK} and ab\n".encode()
    assert stderr == f"err={MASK}\n".encode()
    assert after == f"prev=[pw={MASK} and ab]\n".encode()


def test_fenced_run_masks_what_a_cell_exported(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "login.md"
    book.write_text(
        "---\nsecrets: [SESSION_COOKIE]\n---\n\n"
        '```sh {"name":"login"}\nexport API_TOKEN=tok-0123456789\nexport SESSION_COOKIE=c00kie-value\n```\n\n'
        '```sh {"name":"use"}\necho "token $API_TOKEN cookie $SESSION_COOKIE"\n```\n'
    )
    env = clean_env(XDG_STATE_HOME=str(tmp_path / "state"))
    result = fenced("run", str(book), "login", "use", *common(runner), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"token {MASK} cookie {MASK}\n"
    assert "tok-0123456789" not in (tmp_path / "state" / "fenced" / "history.jsonl").read_text()


# -- reviewed-only runners -------------------------------------------------------------------------

OPS = """---
shell: bash
---

```sh {"name":"restart"}
echo "restarting $SERVICE"
```

```sh {"name":"configure"}
export SERVICE=""
echo "service is $SERVICE"
```

```sh {"name":"confirm"}
read -r answer
echo "you said $answer"
```
"""


@pytest.fixture()
def reviewed(tmp_path: Path) -> Iterator[tuple[RunnerProcess, Path]]:
    folder = tmp_path / "reviewed"
    folder.mkdir()
    (folder / "ops.md").write_text(OPS)
    with RunnerProcess("--stop-grace", "3", "--allow-runbooks", str(folder)) as proc:
        yield proc, folder


def test_reviewed_only_runner(reviewed: tuple[RunnerProcess, Path], tmp_path: Path) -> None:
    runner, folder = reviewed
    env = clean_env(XDG_STATE_HOME=str(tmp_path / "state"))
    ok = fenced("run", str(folder / "ops.md"), "restart", *common(runner), env=env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "restarting \n"
    # the same cell with one character changed, from a copy outside the folder
    changed = tmp_path / "changed.md"
    changed.write_text(OPS.replace('echo "restarting', 'echo "Restarting'))
    refused = fenced("run", str(changed), "restart", *common(runner), env=env)
    assert refused.returncode == 2
    assert (
        "could not start 'restart': [permission_denied] this runner only runs reviewed runbooks: "
        "this cell differs from ops.md#restart" in refused.stderr
    )
    assert refused.stdout == ""
    history = (tmp_path / "state" / "fenced" / "history.jsonl").read_text().splitlines()
    last = HistoryRecord.from_json(history[-1])
    assert (
        last is not None and last.cell == "restart" and "this cell differs from ops.md#restart" in last.error
    )
    # a file added under the folder is picked up at once
    (folder / "new.md").write_text(changed.read_text())
    assert fenced("run", str(changed), "restart", *common(runner), env=env).returncode == 0


def test_reviewed_prompts_input_and_environment(reviewed: tuple[RunnerProcess, Path], tmp_path: Path) -> None:
    runner, folder = reviewed
    book = str(folder / "ops.md")
    answered = fenced("run", book, "configure", "--env", "SERVICE=api; rm -rf /", *common(runner))
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout == "service is api; rm -rf /\n"
    typed = fenced("run", book, "confirm", *common(runner), input="yes\n")
    assert typed.returncode == 0 and typed.stdout == "you said yes\n"  # input to a reviewed cell: allowed
    other_env = fenced("run", book, "restart", "--env", "BASH_ENV=/tmp/x", *common(runner))
    assert (
        other_env.returncode == 2
        and "environment variables no reviewed runbook asks for: BASH_ENV" in other_env.stderr
    )


def test_reviewed_runner_says_so_and_refuses_over_the_wire(reviewed: tuple[RunnerProcess, Path]) -> None:
    from fenced.connect import RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    runner, _ = reviewed

    async def main() -> tuple[bool, ConnectError | None]:
        async with RunnerClient(runner.url, runner.token, transport=HttpxTransport()) as c:
            info = await c.get_info()
            try:
                await c.run(Program(script='echo "restarting $SERVICE" && id'))
            except ConnectError as exc:
                return info.reviewed_runbooks_only, exc
            return info.reviewed_runbooks_only, None

    only, error = arun(main())
    assert only and error is not None and error.code is Code.PERMISSION_DENIED
    assert error.message == "this runner only runs reviewed runbooks: this cell differs from ops.md#restart"
    assert wait_for(lambda: any("refused" in line for line in runner.stderr_lines))
