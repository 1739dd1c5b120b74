"""Many people on one runner: named tokens re-read on SIGHUP, the audit log, and the probe endpoint."""

from __future__ import annotations

import hashlib
import json
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fenced.cli import build_parser
from fenced.runner.tokens import TokenBook, TokensFileError, parse_tokens
from tests.runner.support import RunnerProcess, arun, wait_for

SERVICE = "/fenced.runner.v1.RunnerService/"
ORIGIN = "https://app.fenced.test"
ALICE, BOB, CAROL = "alice-" + "a" * 24, "bob-" + "b" * 24, "carol-" + "c" * 24


def get_info(proc: RunnerProcess, token: str) -> int:
    r = httpx.post(
        proc.url + SERVICE + "GetInfo",
        content=b"{}",
        headers={
            "content-type": "application/json",
            **({"authorization": f"Bearer {token}"} if token else {}),
        },
        timeout=10,
    )
    return r.status_code


# --- the tokens file ------------------------------------------------------------------------------


def test_tokens_file_lines_comments_and_errors_with_line_numbers() -> None:
    assert parse_tokens(f"# team\n\nalice {ALICE}\n  bob\t{BOB}  \n") == {"alice": ALICE, "bob": BOB}
    for text, needle in [
        ("", "holds no token"),
        ("# only a comment\n", "holds no token"),
        (f"alice {ALICE} extra\n", "line 1: expected 'name token', got 3"),
        (f"alice {ALICE}\nbob\n", "line 2: expected 'name token', got 1"),
        (f"alice {ALICE}\nalice {BOB}\n", "line 2: the name 'alice' appears twice"),
        (f"alice {ALICE}\nbob {ALICE}\n", "line 2: 'bob' has the same token as 'alice'"),
        (f"al/ice {ALICE}\n", "line 1: 'al/ice' is not a usable name"),
    ]:
        with pytest.raises(TokensFileError, match=needle):
            parse_tokens(text, "tokens")


def test_token_book_names_the_token_and_keeps_old_tokens_when_the_file_breaks(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"alice {ALICE}\nbob {BOB}\n")
    book = TokenBook.from_file(path)
    assert (book.name_of(ALICE), book.name_of(BOB), book.name_of(CAROL), book.name_of("")) == (
        "alice",
        "bob",
        None,
        None,
    )
    path.write_text("bob\n")  # broken: the runner keeps serving the tokens it had
    assert not book.reload()
    assert book.name_of(BOB) == "bob"
    path.write_text(f"carol {CAROL}\n")
    assert book.reload()
    assert (book.name_of(BOB), book.name_of(CAROL)) == (None, "carol")


def test_tokens_file_excludes_the_single_token_flags() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["runner", "--token", "x", "--tokens-file", "f"])
    args = parser.parse_args(["runner", "--tokens-file", "f", "--audit-log", "a.jsonl"])
    assert (str(args.tokens_file), str(args.audit_log)) == ("f", "a.jsonl")


def test_an_unusable_tokens_file_stops_the_runner_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"alice {ALICE}\nbob\n")
    with pytest.raises(RuntimeError) as info:
        RunnerProcess("--tokens-file", str(path), with_token=False)
    assert f"{path}, line 2: expected 'name token'" in str(info.value)


@pytest.fixture()
def team(tmp_path: Path) -> Iterator[tuple[RunnerProcess, Path, Path]]:
    tokens, audit = tmp_path / "tokens", tmp_path / "audit.jsonl"
    tokens.write_text(f"# the team\nalice {ALICE}\nbob {BOB}\n")
    args = ("--tokens-file", str(tokens), "--audit-log", str(audit), "--allow-origin", ORIGIN)
    with RunnerProcess(*args, with_token=False) as proc:
        yield proc, tokens, audit


def test_sighup_revokes_and_adds_tokens_without_a_restart(team: tuple[RunnerProcess, Path, Path]) -> None:
    proc, tokens, _ = team
    assert [get_info(proc, t) for t in (ALICE, BOB, CAROL, "")] == [200, 200, 401, 401]
    tokens.write_text(f"alice {ALICE}\ncarol {CAROL}\n")  # bob leaves the team, carol joins
    assert get_info(proc, BOB) == 200  # nothing changes before the signal
    proc.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: get_info(proc, BOB) == 401, timeout=10)
    assert [get_info(proc, t) for t in (ALICE, CAROL)] == [200, 200]
    tokens.write_text("carol\n")  # a broken edit: keep serving the tokens of the last good file
    proc.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: any("tokens not reloaded" in line for line in proc.stderr_lines), timeout=10)
    assert [get_info(proc, t) for t in (ALICE, CAROL, BOB)] == [200, 200, 401]
    assert proc.proc.poll() is None


# --- the audit log --------------------------------------------------------------------------------


async def _run_cells(
    url: str, token: str, origin: str, cells: list[tuple[str, str]], mask: tuple[str, ...] = ()
) -> list[dict]:
    from fenced.connect import Program, RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    transport = HttpxTransport(httpx.AsyncClient(headers={"origin": origin}, timeout=30))
    results = []
    async with RunnerClient(url, token, transport=transport) as client:
        session = await client.create_session(env={"SECRET_VALUE": "hunter2-do-not-log"})
        for name, script in cells:
            program = Program(script=script, known_name=name, mask_values=mask)
            result = await client.run(program, session_id=session.id)
            started = next(e.started for e in result.events if e.started is not None)
            exited = next(e.exited for e in result.events if e.exited is not None)
            results.append(
                {
                    "session": session.id,
                    "execution": next(e.execution_id for e in result.events),
                    "pid": started.pid,
                    "exit_code": exited.exit_code,
                    "stdout": bytes(result.stdout),
                }
            )
    return results


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_audit_log_says_who_ran_what_and_how_it_ended_never_env_or_output(
    team: tuple[RunnerProcess, Path, Path],
) -> None:
    proc, _, audit = team
    script = 'echo "the output $SECRET_VALUE"\nexit 3'
    [run] = arun(_run_cells(proc.url, BOB, ORIGIN, [("deploy", script)]))
    assert run["stdout"] == b"the output hunter2-do-not-log\n" and run["exit_code"] == 3
    assert wait_for(lambda: audit.exists() and len(_lines(audit)) == 1, timeout=10)
    [line] = _lines(audit)  # one line per execution, once it has ended
    expected = {
        "token": "bob",
        "origin": ORIGIN,
        "session": run["session"],
        "execution": run["execution"],
        "cell": "deploy",
        "command_sha256": hashlib.sha256(script.encode()).hexdigest(),
        "pid": run["pid"],
    }
    assert {k: line[k] for k in expected} == expected
    assert line["exit_code"] == 3 and line["signal"] == "" and 0 <= line["duration_ms"] < 30_000
    assert line["time"].endswith("Z") and line["time"][:4].isdigit()
    text = audit.read_text()
    assert "hunter2" not in text and "the output" not in text and "SECRET_VALUE" not in text
    assert audit.stat().st_mode & 0o777 == 0o600


def test_audit_digest_never_stands_for_a_masked_value(team: tuple[RunnerProcess, Path, Path]) -> None:
    """A script with a prompt's answer written into it: a digest of the script as sent would let anyone
    who reads the log try guesses of a weak secret; the digest is of the script with the values the
    client asked to mask masked."""
    proc, _, audit = team
    script = "DB_PASSWORD='summer2024'\nmysql -p\"$DB_PASSWORD\" 2>/dev/null; true"
    arun(_run_cells(proc.url, ALICE, ORIGIN, [("login", script)], mask=("summer2024",)))
    assert wait_for(lambda: audit.exists() and len(_lines(audit)) == 1, timeout=10)
    [line] = _lines(audit)
    masked = script.replace("summer2024", "\u2022\u2022\u2022\u2022")
    assert line["command_sha256"] == hashlib.sha256(masked.encode()).hexdigest()


def test_audit_log_is_reopened_on_sighup_for_logrotate(team: tuple[RunnerProcess, Path, Path]) -> None:
    proc, _, audit = team
    arun(_run_cells(proc.url, ALICE, ORIGIN, [("one", "true")]))
    assert wait_for(lambda: audit.exists() and len(_lines(audit)) == 1, timeout=10)
    rotated = audit.with_name("audit.jsonl.1")
    audit.rename(rotated)  # what logrotate does, then it signals the runner
    proc.proc.send_signal(signal.SIGHUP)
    assert wait_for(audit.exists, timeout=10)
    arun(_run_cells(proc.url, ALICE, ORIGIN, [("two", "true")]))
    assert wait_for(lambda: len(_lines(audit)) == 1, timeout=10)
    assert [r["cell"] for r in _lines(rotated)] == ["one"]
    assert [(r["cell"], r["token"]) for r in _lines(audit)] == [("two", "alice")]


# --- probes and proxies ---------------------------------------------------------------------------


def test_healthz_answers_ok_without_token_or_allowed_host(team: tuple[RunnerProcess, Path, Path]) -> None:
    proc, _, _ = team
    for host in (None, "10.1.2.3:8765", "pod.namespace.svc"):
        r = httpx.get(proc.url + "/healthz", headers={"host": host} if host else {}, timeout=10)
        assert (r.status_code, r.text, r.headers["content-type"]) == (
            200,
            "ok\n",
            "text/plain; charset=utf-8",
        )
    assert httpx.head(proc.url + "/healthz", timeout=10).status_code == 200
    # nothing else opens without the token or from a name the runner does not serve
    assert get_info(proc, "") == 401
    r = httpx.get(proc.url + "/", headers={"host": "evil.example"}, timeout=10)
    assert r.status_code == 403


def test_audit_log_records_cells_started_the_browsers_way(team: tuple[RunnerProcess, Path, Path]) -> None:
    """The page uses Start + Watch (not Execute): the caller is known there too."""
    from fenced.connect import Program, RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    proc, _, audit = team

    async def go() -> tuple[str, str, int]:
        transport = HttpxTransport(httpx.AsyncClient(headers={"origin": ORIGIN}, timeout=30))
        async with RunnerClient(proc.url, ALICE, transport=transport) as client:
            session = await client.create_session()
            started = await client.start(session.id, Program(script="exit 5", known_name="via-start"))
            async for event in client.watch(session.id):
                if event.exited is not None and event.execution_id == started.execution_id:
                    break
            return session.id, started.execution_id, started.pid

    session, execution, pid = arun(go())
    assert wait_for(lambda: audit.exists() and len(_lines(audit)) == 1, timeout=10)
    [line] = _lines(audit)
    assert (
        line["token"],
        line["origin"],
        line["session"],
        line["execution"],
        line["cell"],
        line["pid"],
    ) == (
        "alice",
        ORIGIN,
        session,
        execution,
        "via-start",
        pid,
    )
    assert line["exit_code"] == 5


def test_cells_still_running_when_the_runner_stops_are_logged(tmp_path: Path) -> None:
    from fenced.connect import Program, RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport

    audit = tmp_path / "audit.jsonl"
    with RunnerProcess("--audit-log", str(audit), "--stop-grace", "0.5", "--quiet") as proc:

        async def go() -> str:
            async with RunnerClient(proc.url, proc.token, transport=HttpxTransport()) as client:
                session = await client.create_session()
                return (
                    await client.start(session.id, Program(script="sleep 600", known_name="long"))
                ).execution_id

        execution = arun(go())
        proc.terminate()  # SIGTERM: the runner stops its cells, then exits
    [line] = _lines(audit)
    assert (line["execution"], line["cell"], line["token"]) == (execution, "long", "token")
    assert line["exit_code"] != 0 and line["signal"] in ("SIGINT", "SIGTERM", "SIGKILL")
