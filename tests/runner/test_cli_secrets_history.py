"""`fenced run` keeps secrets out of what it prints and records, and keeps a run history (issue 15)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from fenced.document.history import HistoryRecord
from tests.runner.clisupport import FENCED, clean_env, fenced
from tests.runner.ptyterm import Terminal
from tests.runner.support import ROOT

MASK = "\u2022\u2022\u2022\u2022"
BOOK = """---
shell: bash
secrets: [CONN_STR]
---

```sh {"name":"show"}
echo "pw=$DB_PASSWORD conn=$CONN_STR url=$API_URL plain=$PLAIN_VALUE"
```

```sh {"name":"split"}
printf 'a-%s' "${DB_PASSWORD:0:3}"; sleep 0.2; printf '%s-b\\n' "${DB_PASSWORD:3}"
```

```sh {"name":"many"}
for i in $(seq 1 20); do echo "line $i"; done
echo "last one $DB_PASSWORD"
exit 3
```
"""
SPEC = "API_URL=The API's URL with its key # Secret!\nPLAIN_VALUE=Not secret # Plain!\n"
ENV = [
    "--env",
    "DB_PASSWORD=hunter22x",
    "--env",
    "CONN_STR=postgres://u:p@h/db",
    "--env",
    "API_URL=https://k@api",
    "--env",
    "PLAIN_VALUE=visible-value",
]


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.md"
    path.write_text(BOOK)
    (tmp_path / ".env.example").write_text(SPEC)
    return path


def common(runner) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--runner", runner.url, "--token", runner.token]


def state(tmp_path: Path) -> dict[str, str]:
    return clean_env(XDG_STATE_HOME=str(tmp_path / "state"))


def test_secret_values_never_printed(runner, book: Path, tmp_path: Path) -> None:
    result = fenced("run", str(book), "show", "split", *ENV, *common(runner), env=state(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"pw={MASK} conn={MASK} url={MASK} plain=visible-value\na-{MASK}-b\n"
    for value in ("hunter22x", "postgres://u:p@h/db", "https://k@api"):
        assert value not in result.stdout + result.stderr


def test_history_records_every_execution_without_secrets(runner, book: Path, tmp_path: Path) -> None:
    env = state(tmp_path)
    result = fenced("run", str(book), "show", "many", *ENV, *common(runner), env=env)
    assert result.returncode == 3
    path = tmp_path / "state" / "fenced" / "history.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_text()
    assert "hunter22x" not in raw and "postgres://u:p@h/db" not in raw and "https://k@api" not in raw
    records = [HistoryRecord.from_json(line) for line in raw.splitlines()]
    assert [r.cell for r in records if r] == ["show", "many"]
    many = records[1]
    assert many is not None and many.exit_code == 3 and many.runner == runner.url.rstrip("/")
    assert many.document == str(book.resolve()) and many.started is not None
    assert many.first_lines == ("line 1", "line 2", "line 3")
    assert many.last_lines == ("line 19", "line 20", f"last one {MASK}") and many.left_out == 15
    shown = fenced("run", "--history", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "show" in shown.stdout and "exit 3" in shown.stdout and "exit 0" in shown.stdout
    assert f"| last one {MASK}" in shown.stdout and "15 more lines" in shown.stdout
    assert runner.url.rstrip("/") in shown.stdout
    other = tmp_path / "other.md"
    other.write_text(BOOK)
    assert fenced("run", "--history", str(other), env=env).stdout == ""
    assert fenced("run", str(book), "show", "--no-history", *ENV, *common(runner), env=env).returncode == 0
    assert len(path.read_text().splitlines()) == 2
    cleared = fenced("run", "--clear-history", env=env)
    assert cleared.returncode == 0 and "cleared" in cleared.stderr and not path.exists()
    assert fenced("run", "--history", env=env).stdout == ""


def test_history_is_bounded(tmp_path: Path) -> None:
    from fenced.commands.running.history import HistoryFile

    history = HistoryFile(tmp_path / "h.jsonl", max_bytes=4000)
    for i in range(200):
        history.append(HistoryRecord(cell=f"cell-{i}", first_lines=("x" * 50,)))
        assert history.path.stat().st_size <= 4000 + 200
    kept = history.read()
    assert kept[-1].cell == "cell-199" and 4 < len(kept) < 200
    assert [r.cell for r in kept] == [f"cell-{i}" for i in range(200 - len(kept), 200)]
    json.loads(history.path.read_text().splitlines()[0])  # whole lines only


def test_a_secret_typed_at_a_prompt_is_masked(runner, tmp_path: Path) -> None:
    path = tmp_path / "book.md"
    path.write_text('```sh {"name":"login"}\nexport API_TOKEN=""\necho "token is $API_TOKEN"\n```\n')
    env = state(tmp_path)
    command = [*FENCED, "run", str(path), "login", *common(runner)]
    with Terminal(command, env=env, cwd=ROOT) as term:
        term.expect("API_TOKEN.*: ")
        term.send(b"s3cr3t-t0ken\r")
        term.expect(f"token is {MASK}")
        assert term.wait() == 0
        assert "s3cr3t-t0ken" not in term.text()
    assert "s3cr3t-t0ken" not in (tmp_path / "state" / "fenced" / "history.jsonl").read_text()
    assert os.environ.get("API_TOKEN") != "s3cr3t-t0ken"
