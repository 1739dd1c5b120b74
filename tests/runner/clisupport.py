"""Running the `fenced` command line in tests: a clean environment (no user config, no FENCED_* variables)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.runner.support import ROOT

FENCED = [sys.executable, "-m", "fenced.cli"]
_EMPTY_CONFIG = tempfile.mkdtemp(prefix="fenced-test-xdg-")
_STATE = tempfile.mkdtemp(prefix="fenced-test-state-")  # the run history of tests never lands in ~/.local


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without FENCED_* variables, with an empty XDG_CONFIG_HOME (no user profile leaks in) and
    an XDG_STATE_HOME of the tests' own (the run history)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FENCED_")}
    env["XDG_CONFIG_HOME"] = _EMPTY_CONFIG
    env["XDG_STATE_HOME"] = _STATE
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def fenced(
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
    stdin: Any = subprocess.DEVNULL,
    cwd: Path | str = ROOT,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`fenced ARGS` with stdin from /dev/null (never the developer's terminal) unless `input` is given."""
    return subprocess.run(
        [*FENCED, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        input=input,
        stdin=None if input is not None else stdin,
    )
