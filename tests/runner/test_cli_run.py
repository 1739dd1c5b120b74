"""`fenced run` for daily work (issue 14): safe --all, names people can type, prompts, selection, dry runs,
file errors, the summary; every case against a real runner on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.runner.clisupport import fenced

BOOK = """---
shell: bash
---
# Deploy

```sh {"name":"setup","tag":"prep"}
export GREETING=hello
```

```text
Client: v1.2.3
```

```sh
{
  echo "grouped $GREETING"
}
```

```json
{"not": "a step"}
```

```sh {"name":"dangerous","excludeFromRunAll":"true"}
touch "$MARKER"
```

```sh {"name":"say","category":"talk"}
echo "say $GREETING"
```

```plaintext
more sample output
```

```output
exit 3
```
"""


def common(runner) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--runner", runner.url, "--token", runner.token]


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.md"
    path.write_text(BOOK)
    return path


def test_all_skips_excluded_and_sample_blocks(runner, book: Path, tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    result = fenced("run", str(book), "--all", "--env", f"MARKER={marker}", *common(runner))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "grouped hello\nsay hello\n"
    assert "command not found" not in result.stderr
    # excluded from Run all, like the browser's Run all and Runme's --all: the runner never saw MARKER's touch
    assert not marker.exists()


def test_an_excluded_cell_runs_when_named(runner, book: Path, tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    result = fenced("run", str(book), "dangerous", *common(runner), "--env", f"MARKER={marker}")
    assert result.returncode == 0, result.stderr
    assert marker.exists()


def test_unusable_names_get_a_fallback_and_list_leaves_samples_out(book: Path) -> None:
    listed = fenced("run", str(book), "--list")
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == ["setup", "cell-3", "dangerous", "say"]
    assert "Client" not in listed.stdout and "sample" not in listed.stdout


def test_fallback_name_runs_the_cell(runner, book: Path) -> None:
    result = fenced("run", str(book), "setup", "cell-3", *common(runner))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "grouped hello\n"


@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_name_is_an_error(runner, book: Path, name: str) -> None:
    result = fenced("run", str(book), name, *common(runner))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "empty cell name" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unknown_name_says_did_you_mean(runner, book: Path) -> None:
    result = fenced("run", str(book), "setpu", *common(runner))
    assert result.returncode == 2 and result.stdout == ""
    assert "no cell named 'setpu'" in result.stderr and "did you mean 'setup'" in result.stderr


def test_a_sample_block_named_explicitly_is_refused(runner, tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    path.write_text('```text {"name":"out"}\necho should not run\n```\n')
    result = fenced("run", str(path), "out", *common(runner))
    assert result.returncode == 2 and result.stdout == ""
    assert "sample output" in result.stderr


def test_filter_and_tag_select_from_run_all(runner, book: Path) -> None:
    by_regex = fenced("run", str(book), "--filter", "^(setup|say)$", *common(runner))
    assert by_regex.returncode == 0, by_regex.stderr
    assert by_regex.stdout == "say hello\n"
    by_tag = fenced("run", str(book), "--tag", "talk", *common(runner))
    assert by_tag.returncode == 0 and by_tag.stdout == "say \n"
    by_category = fenced("run", str(book), "--category", "prep,talk", *common(runner))
    assert by_category.stdout == "say hello\n"
    none = fenced("run", str(book), "--tag", "nope", *common(runner))
    assert none.returncode == 2 and "nope" in none.stderr and "prep" in none.stderr
    mixed = fenced("run", str(book), "setup", "--tag", "talk", *common(runner))
    assert mixed.returncode == 2 and "not both" in mixed.stderr


def test_dry_run_prints_and_runs_nothing(book: Path, tmp_path: Path) -> None:
    marker = tmp_path / "touched"
    # no runner at this address: a dry run does not connect
    result = fenced(
        "run",
        str(book),
        "--all",
        "--dry-run",
        "--runner",
        "http://127.0.0.1:9",
        "--token",
        "sekrit-token",
        "--env",
        f"MARKER={marker}",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "setup" in out and "cell-3" in out and "say" in out and "dangerous" not in out
    assert 'echo "grouped $GREETING"' in out and "Client" not in out
    assert "sekrit-token" not in out + result.stderr
    assert not marker.exists()


def test_summary_at_the_end(runner, book: Path, tmp_path: Path) -> None:
    ok = fenced("run", str(book), "--all", *common(runner))
    summary = ok.stderr.strip().splitlines()[-1]
    assert re.search(r"3 cells ran, 0 failed in \d+(\.\d+)? s", summary), ok.stderr
    failing = tmp_path / "f.md"
    failing.write_text(
        '```sh {"name":"a"}\necho a\n```\n\n```sh {"name":"b"}\nexit 4\n```\n\n```sh\necho c\n```\n'
    )
    result = fenced("run", str(failing), "--all", *common(runner))
    assert result.returncode == 4
    last = result.stderr.strip().splitlines()[-1]
    assert "2 cells ran, 1 failed (b: exit 4), 1 not run" in last, result.stderr
    quiet = fenced("run", str(book), "--all", "--quiet", *common(runner))
    assert quiet.stderr == "" and quiet.stdout == "grouped hello\nsay hello\n"


PROMPTS = """```sh {"name":"configure"}
export PROJECT_ID="[Enter your GCP project]"
export API_TOKEN=""
echo "project=$PROJECT_ID token-length=${#API_TOKEN}"
```
"""


def test_prompts_answered_with_env(runner, tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_text(PROMPTS)
    result = fenced(
        "run", str(path), "configure", "--env", "PROJECT_ID=p-1", "--env", "API_TOKEN=abc", *common(runner)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "project=p-1 token-length=3\n"


def test_a_prompt_without_a_terminal_or_env_is_a_clear_error(runner, tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_text(PROMPTS)
    result = fenced("run", str(path), "configure", "--env", "PROJECT_ID=p-1", *common(runner))
    assert result.returncode == 2 and result.stdout == ""
    assert "API_TOKEN" in result.stderr and "--env API_TOKEN=" in result.stderr
    assert "PROJECT_ID=" not in result.stderr.replace("--env PROJECT_ID", "")
    dry = fenced("run", str(path), "configure", "--dry-run", "--env", "API_TOKEN=hush")
    assert dry.returncode == 0 and "hush" not in dry.stdout and "PROJECT_ID" in dry.stdout


def test_bad_env_syntax(book: Path) -> None:
    result = fenced("run", str(book), "setup", "--env", "NOEQUALS")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr


@pytest.mark.parametrize("case", ["missing", "directory", "binary"])
def test_file_errors_are_one_line(tmp_path: Path, case: str) -> None:
    path = tmp_path / "x.md"
    if case == "directory":
        path.mkdir()
    elif case == "binary":
        path.write_bytes(b"# ok\n\xff\xfe\x00bad\n")
    result = fenced("run", str(path), "--list")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(path) in lines[0]
    assert {"missing": "no such file", "directory": "is a directory", "binary": "not UTF-8"}[case] in lines[0]


def test_usage_without_arguments() -> None:
    result = fenced("run")
    assert result.returncode == 2
    assert "required: file, CELL" not in result.stderr
    assert "FILE" in result.stderr and "--all" in result.stderr and "--list" in result.stderr
    no_cells = fenced("run", "README.md")
    assert no_cells.returncode == 2 and "--all" in no_cells.stderr


def test_help_explains_config_and_exit_status() -> None:
    text = fenced("run", "--help").stdout
    for needle in (
        "config.toml",
        "--profile",
        "FENCED_RUNNER_TOKEN",
        "Exit status",
        "130",
        "--env",
        "--dry-run",
    ):
        assert needle in text, needle


def test_runner_errors_are_one_line(book: Path) -> None:
    result = fenced("run", str(book), "setup", "--runner", "http://127.0.0.1:9", "--token", "t")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "127.0.0.1:9" in result.stderr


def test_background_cells_stream_while_others_run_and_are_waited_for(runner, tmp_path: Path) -> None:
    path = tmp_path / "bg.md"
    path.write_text(
        '```sh {"name":"server","background":"true"}\n'
        'for i in 1 2 3; do echo "bg $i"; sleep 0.3; done\n```\n\n'
        '```sh {"name":"client"}\necho fg\n```\n'
    )
    result = fenced("run", str(path), "--all", *common(runner))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(lines) == ["bg 1", "bg 2", "bg 3", "fg"]
    assert lines.index("fg") < lines.index("bg 3")  # the foreground cell did not wait for the background one
    assert "waiting for background cell 'server'" in result.stderr
    assert "2 cells ran, 0 failed" in result.stderr


def test_a_closed_stdout_stops_the_run(runner, tmp_path: Path) -> None:
    """`fenced run ... | head -1`: the reader goes away, the cells stop (no traceback, no endless cell)."""
    import subprocess

    from tests.runner.clisupport import FENCED, clean_env

    path = tmp_path / "yes.md"
    path.write_text('```sh {"name":"loop"}\nwhile true; do echo line; done\n```\n')
    command = " ".join([*FENCED, "run", str(path), "loop", "--runner", runner.url, "--token", runner.token])
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -1"],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.stdout == "line\n"
    assert result.returncode == 141, result.stderr
    assert "Traceback" not in result.stderr and "output closed" in result.stderr
