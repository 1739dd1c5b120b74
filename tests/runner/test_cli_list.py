"""`fenced list [PATH...]`: the runnable cells of a repository of runbooks, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.runner.clisupport import fenced


def make_tree(root: Path) -> None:
    (root / "docs" / "guide").mkdir(parents=True)
    (root / "node_modules" / "pkg").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "README.md").write_text('# Top\n\n```sh {"name":"hello"}\necho hello\n```\n')
    (root / "docs" / "guide" / "install.mdx").write_text(
        "import Tabs from '@theme/Tabs';\n\n<Tabs>\n\n"
        '```bash {"name":"install","category":"setup","background":"true"}\n$ apt-get install jq\n```\n\n'
        "```text\nReading package lists\n```\n\n</Tabs>\n"
    )
    (root / "docs" / "index.md").write_text(
        '```sh {"excludeFromRunAll":"true","interactive":"false"}\n# comment\nrm -rf build\n```\n\n'
        "```sh\n{\n  echo grouped\n}\n```\n\n"
        '```sh {"promptEnv":"yes"}\nexport REGION=eu\n```\n'
    )
    (root / "docs" / "notes.txt").write_text("```sh\necho not a runbook\n```\n")
    (root / "node_modules" / "pkg" / "README.md").write_text("```sh\necho vendored\n```\n")
    (root / ".git" / "x.md").write_text("```sh\necho hidden\n```\n")
    (root / "docs" / "broken.md").write_bytes(b"\xff\xfe not utf-8")


def test_list_a_repository_as_json(tmp_path: Path) -> None:
    make_tree(tmp_path)
    result = fenced("list", "--json", cwd=tmp_path)
    assert result.returncode == 1  # one file could not be read: said on stderr, the rest listed
    assert "docs/broken.md" in result.stderr and "not UTF-8" in result.stderr
    rows = json.loads(result.stdout)
    assert [(r["file"], r["name"]) for r in rows] == [
        ("README.md", "hello"),
        ("docs/guide/install.mdx", "install"),
        ("docs/index.md", "rm-rf"),
        ("docs/index.md", "cell-2"),
        ("docs/index.md", "export-region"),
    ]
    install = rows[1]
    assert install["language"] == "bash" and install["first_line"] == "apt-get install jq"
    assert install["tags"] == ["setup"] and "background" in install["flags"]
    assert install["line"] == 5 and install["run_all"] is True
    rm = rows[2]
    assert rm["run_all"] is False and "excluded" in rm["flags"] and "non-interactive" in rm["flags"]
    assert rows[3]["runme_name"] == "" and "fallback-name" in rows[3]["flags"]
    assert rows[4]["prompts"] == ["REGION"]


def test_list_as_a_table(tmp_path: Path) -> None:
    make_tree(tmp_path)
    result = fenced("list", "docs", cwd=tmp_path)  # paths as `fenced run` takes them
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["FILE", "NAME", "LANGUAGE", "FIRST", "LINE", "FLAGS"]
    assert any(line.startswith("docs/guide/install.mdx:5") and "install" in line for line in lines[1:]), lines
    assert not any("Reading package" in line or "vendored" in line for line in lines)


def test_list_one_file_and_errors(tmp_path: Path) -> None:
    make_tree(tmp_path)
    one = fenced("list", str(tmp_path / "README.md"), "--json")
    assert one.returncode == 0 and [r["name"] for r in json.loads(one.stdout)] == ["hello"]
    missing = fenced("list", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
