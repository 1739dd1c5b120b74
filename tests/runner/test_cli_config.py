"""Runner URL and token for `fenced run`: flags, profiles in a config file, the environment; never echoed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fenced.commands.running.config import ConfigError, resolve
from tests.runner.clisupport import clean_env, fenced

BOOK = '```sh {"name":"hi"}\necho hi from the runner\n```\n'


def write_config(home: Path, text: str) -> Path:
    path = home / "fenced" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_precedence(tmp_path: Path) -> None:
    token_file = tmp_path / "tok"
    token_file.write_text("from-file\n")
    config = write_config(
        tmp_path,
        'profile = "local"\n'
        '[profiles.local]\nrunner = "http://127.0.0.1:1111"\n'
        f'token_file = "{token_file}"\n'
        '[profiles.staging]\nrunner = "https://staging.example"\ntoken_env = "STAGING_TOKEN"\n',
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    default = resolve(env=env)
    assert (default.url, default.token) == ("http://127.0.0.1:1111", "from-file")
    assert "profile 'local'" in default.url_source and str(token_file) in default.token_source
    # the environment beats the config file's default profile ...
    by_env = resolve(env={**env, "FENCED_RUNNER_URL": "http://127.0.0.1:2222", "FENCED_RUNNER_TOKEN": "e"})
    assert (by_env.url, by_env.token, by_env.token_source) == (
        "http://127.0.0.1:2222",
        "e",
        "$FENCED_RUNNER_TOKEN",
    )
    # ... a profile asked for by name beats the environment ...
    staging = resolve(profile="staging", env={**env, "FENCED_RUNNER_URL": "http://x", "STAGING_TOKEN": "s"})
    assert (staging.url, staging.token) == ("https://staging.example", "s")
    # ... and flags beat everything.
    flags = resolve(runner="http://127.0.0.1:3333", token="f", profile="staging", env=env)
    assert (flags.url, flags.token, flags.token_source) == ("http://127.0.0.1:3333", "f", "--token")
    assert resolve(env={"XDG_CONFIG_HOME": str(tmp_path / "none")}).url == "http://127.0.0.1:8765"
    assert resolve(config=config, env={}).token == "from-file"
    assert "from-file" not in repr(default)  # the token never shows in a repr
    none = str(tmp_path / "none")
    short = resolve(
        env={"XDG_CONFIG_HOME": none, "FENCED_RUNNER": "http://h:1", "FENCED_TOKEN_FILE": str(token_file)}
    )
    assert (short.url, short.token) == ("http://h:1", "from-file")
    both = {"XDG_CONFIG_HOME": none, "FENCED_RUNNER_TOKEN": "long", "FENCED_TOKEN": "short"}
    assert resolve(env=both).token == "long"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profile = 'nope'\n[profiles.a]\nrunner = 'http://h'\n", "no profile 'nope'"),
        ("[profiles.a]\nrunnr = 'http://h'\n", "unknown key 'runnr'"),
        ("[profiles.a\n", "not valid TOML"),
        ("[profiles.a]\ntoken_file = '/nonexistent/tok'\n", "/nonexistent/tok"),
    ],
)
def test_config_errors(tmp_path: Path, text: str, message: str) -> None:
    write_config(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        resolve(profile="a" if "nope" not in text else None, env={"XDG_CONFIG_HOME": str(tmp_path)})


def test_run_with_a_profile_and_a_token_file(runner, tmp_path: Path) -> None:
    book = tmp_path / "b.md"
    book.write_text(BOOK)
    token_file = tmp_path / "runner.token"
    token_file.write_text(runner.token + "\n")
    os.chmod(token_file, 0o600)
    write_config(tmp_path, f'[profiles.dev]\nrunner = "{runner.url}"\ntoken_file = "{token_file}"\n')
    env = clean_env(XDG_CONFIG_HOME=str(tmp_path))
    ok = fenced("run", str(book), "hi", "--profile", "dev", env=env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "hi from the runner\n"
    by_env = fenced(
        "run", str(book), "hi", env=clean_env(FENCED_PROFILE="dev", XDG_CONFIG_HOME=str(tmp_path))
    )
    assert by_env.returncode == 0, by_env.stderr
    file_env = clean_env(FENCED_RUNNER_URL=runner.url, FENCED_RUNNER_TOKEN_FILE=str(token_file))
    assert fenced("run", str(book), "hi", env=file_env).returncode == 0
    dry = fenced("run", str(book), "hi", "--profile", "dev", "--dry-run", env=env)
    assert runner.url in dry.stdout and str(token_file) in dry.stdout and runner.token not in dry.stdout
    bad = fenced("run", str(book), "hi", "--runner", runner.url, "--token", "wrong-token-value", env=env)
    assert bad.returncode == 2 and "unauthenticated" in bad.stderr and "wrong-token-value" not in bad.stderr
