"""promptEnv: which export lines ask for a value, in which mode, and how answers rewrite the script."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.conftest import FIXTURES

from fenced.document.prompts import (
    ALWAYS,
    AUTO,
    EMPTY,
    EXPRESSION,
    LITERAL,
    NEVER,
    PLACEHOLDER,
    Prompt,
    apply_answers,
    classify,
    find_exports,
    is_secret,
    parse_mode,
    prompts_for,
)


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("", EMPTY, ""),
        ('""', EMPTY, ""),
        ("''", EMPTY, ""),
        ('"<insert-env-here>"', PLACEHOLDER, "<insert-env-here>"),
        ("<your name>", PLACEHOLDER, "<your name>"),
        ("'<x>'", PLACEHOLDER, "<x>"),
        ("${NAME:-}", PLACEHOLDER, ""),
        ('"${NAME:-fallback}"', PLACEHOLDER, "fallback"),
        ("${NAME-x}", PLACEHOLDER, "x"),
        ("1", LITERAL, "1"),
        ("'Placeholder 1'", LITERAL, "Placeholder 1"),
        ('"a b"', LITERAL, "a b"),
        ("Message", LITERAL, "Message"),
        ("1 # comment", LITERAL, "1"),
        ("$(pwd)", EXPRESSION, ""),
        ("`pwd`", EXPRESSION, ""),
        ('"$HOME/x"', EXPRESSION, ""),
        ("${OTHER:-}", EXPRESSION, ""),
        ("this is a value", EXPRESSION, ""),
        ("'$literal'", LITERAL, "$literal"),
        ('"[Enter your GCP project]"', PLACEHOLDER, "[Enter your GCP project]"),
        ("'[your-project-id]'", PLACEHOLDER, "[your-project-id]"),
        ("[region]", PLACEHOLDER, "[region]"),
        ('\'["a", "b"]\'', LITERAL, '["a", "b"]'),
        ('"[1,2]"', LITERAL, "[1,2]"),
        ('"[]"', LITERAL, "[]"),
    ],
)
def test_classify(raw: str, kind: str, value: str) -> None:
    assert classify("NAME", raw) == (kind, value)


def test_modes() -> None:
    assert [
        parse_mode(v) for v in ("", "auto", "yes", "no", "true", "false", "always", "never", None, "junk")
    ] == [
        AUTO,
        AUTO,
        ALWAYS,
        NEVER,
        ALWAYS,
        NEVER,
        ALWAYS,
        NEVER,
        AUTO,
        AUTO,
    ]
    assert parse_mode(True) == ALWAYS and parse_mode(False) == NEVER


SCRIPT = """$ export EMPTY=
$ export HINT="<insert-env-here>"
export PLAIN=value
export COMPUTED=$(date)
export SELF=${SELF:-dflt}
  export EMPTY=again
f() {
  export INSIDE=
}
cat <<EOF
export HEREDOC=
EOF
echo "$EMPTY $HINT"
"""


def test_find_exports_top_level_only() -> None:
    names = [e.name for e in find_exports(SCRIPT)]
    assert names == ["EMPTY", "HINT", "PLAIN", "COMPUTED", "SELF", "EMPTY"]


def test_prompts_by_mode() -> None:
    assert prompts_for(SCRIPT) == [
        Prompt("EMPTY", "", ""),
        Prompt("HINT", "<insert-env-here>", ""),
        Prompt("SELF", "dflt", "dflt"),
    ]
    assert [p.name for p in prompts_for(SCRIPT, ALWAYS)] == ["EMPTY", "HINT", "PLAIN", "SELF"]
    assert prompts_for(SCRIPT, ALWAYS)[2] == Prompt("PLAIN", "", "value")
    assert prompts_for(SCRIPT, NEVER) == []
    assert prompts_for(SCRIPT, ALWAYS, skip_prompts=True) == []
    # Answered earlier in the session: auto does not ask again; always asks with the answer prefilled.
    assert [p.name for p in prompts_for(SCRIPT, answered={"EMPTY": "x"})] == ["HINT", "SELF"]
    assert prompts_for(SCRIPT, ALWAYS, answered={"EMPTY": "x"})[0] == Prompt("EMPTY", "", "x")


def test_apply_answers_runs_in_a_shell() -> None:
    script = apply_answers(SCRIPT, {"EMPTY": "it's me", "HINT": "a b"}, known={"SELF": "s", "PLAIN": "old"})
    assert "$ export EMPTY='it'\"'\"'s me'" in script
    assert "export PLAIN=value" in script  # a real value in the script beats an old answer
    assert "export SELF=s" in script
    assert "  export INSIDE=\n" in script  # untouched
    lines = [line.removeprefix("$ ") for line in script.splitlines() if "$(date)" not in line]
    out = subprocess.run(["sh", "-c", "\n".join(lines)], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("it's me a b")  # the indented EMPTY line was answered too


def test_runme_fixtures(runme_corpus: Path) -> None:
    skip = (
        FIXTURES / "runmedev-runme" / "examples" / "frontmatter" / "skipPrompts" / "ENABLED.md"
    ).read_text()
    assert [p.name for p in prompts_for(skip)] == ["ENV"]
    envs = (FIXTURES / "runmedev-runme" / "examples" / "envs" / "README.md").read_text()
    assert [p.name for p in prompts_for(envs)] == ["VAR_NAME3"]
    assert [p.name for p in prompts_for(envs, ALWAYS)][:4] == [
        "VAR_NAME1",
        "VAR_NAME2",
        "VAR_NAME3",
        "VAR_NAME4",
    ]


def test_bracketed_hint_is_prompted_for() -> None:
    """Issue 14: `export PROJECT_ID="[Enter your GCP project]"` exported the placeholder."""
    prompts = prompts_for('export PROJECT_ID="[Enter your GCP project]"\necho $PROJECT_ID')
    assert prompts == [Prompt("PROJECT_ID", "[Enter your GCP project]", "")]
    assert apply_answers('export PROJECT_ID="[Enter your GCP project]"', {"PROJECT_ID": "p1"}) == (
        "export PROJECT_ID=p1"
    )


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("password", True),
        ("MY_SECRET_THING", True),
        ("GITHUB_TOKEN", True),
        ("tokens_dir", True),
        ("AWS_ACCESS_KEY", True),
        ("api_key", True),
        ("GOOGLE_APPLICATION_CREDENTIALS", True),
        ("KEYBOARD", False),
        ("KEY_NAME", False),
        ("PROJECT_ID", False),
        ("MONKEY", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret(name) is secret
    assert Prompt(name, "", "").secret is secret
