"""Which program runs a cell, and the wrapper that lets a POSIX shell hand its env and cwd back.

A cell runs as a script file under a shell: the request's program, else the session's (e.g. a runbook's
frontmatter `shell`), else the runner's `--shell`, else bash, else sh. For a POSIX shell the script is
sourced by a small wrapper whose EXIT trap writes `$PWD` and `env -0` to a state file, which is how
`export FOO=1` and `cd /tmp` carry over to the next execution of the session (Runme does the same).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

POSIX_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"})
INTERPRETERS = {
    "python": "python3",
    "py": "python3",
    "python3": "python3",
    "js": "node",
    "javascript": "node",
    "node": "node",
    "ruby": "ruby",
    "rb": "ruby",
    "perl": "perl",
}
# Variables a shell sets for itself; carrying them over would be wrong, not helpful.
VOLATILE_ENV = frozenset({"_", "SHLVL", "PWD"})
STATE_END = "FENCED_STATE_END"


def default_shell(configured: str | None = None) -> str:
    """The configured shell, else bash, else sh, as an absolute path when it can be found."""
    for candidate in (configured, "bash", "sh"):
        if candidate:
            found = shutil.which(candidate)
            if found or configured == candidate:
                return found or candidate
    return "/bin/sh"


@dataclass(frozen=True)
class Program:
    """The argv to spawn and whether it reports its final env/cwd through a state file."""

    argv: list[str]
    captures_state: bool


def is_posix_shell(program: str) -> bool:
    return Path(program).name in POSIX_SHELLS


def resolve_program(program_name: str, language_id: str, session_shell: str, runner_shell: str) -> str:
    """Pick the program for a cell (see module docstring); interpreters by language when none is named."""
    if program_name:
        return shutil.which(program_name) or program_name
    interpreter = INTERPRETERS.get(language_id.lower())
    if interpreter:
        return shutil.which(interpreter) or interpreter
    return session_shell or runner_shell


def wrapper_script(script_path: Path, state_path: Path) -> str:
    """POSIX sh that sources the cell and, on any exit, writes `$PWD\\0` + `env -0` to `state_path`."""
    state = shlex.quote(str(state_path))
    return (
        "__fenced_exit() {\n"
        f"  {{ printf '%s\\0' \"$PWD\"; env -0; printf '{STATE_END}'; }} > {state} 2>/dev/null\n"
        "}\n"
        "trap __fenced_exit EXIT\n"
        f". {shlex.quote(str(script_path))}\n"
    )


def build_program(
    program: str, arguments: list[str], script: str, workdir: Path, execution_id: str
) -> Program:
    """Write the cell (and wrapper) into `workdir` and return the argv that runs it."""
    script_path = workdir / f"{execution_id}.script"
    script_path.write_text(script if script.endswith("\n") or not script else script + "\n")
    if is_posix_shell(program):
        wrapper = workdir / f"{execution_id}.sh"
        wrapper.write_text(wrapper_script(script_path, state_path(workdir, execution_id)))
        return Program([program, str(wrapper), *arguments], captures_state=True)
    return Program([program, *arguments, str(script_path)], captures_state=False)


def state_path(workdir: Path, execution_id: str) -> Path:
    return workdir / f"{execution_id}.state"


def read_state(path: Path) -> tuple[str, dict[str, str]] | None:
    """Parse the wrapper's state file into (cwd, exported env); None when the shell never wrote it."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.endswith(STATE_END.encode()):
        return None  # killed while writing it, or `env -0` is missing
    cwd_raw, sep, env_raw = raw[: -len(STATE_END)].partition(b"\0")
    if not sep:
        return None
    env: dict[str, str] = {}
    for entry in env_raw.split(b"\0"):
        key, eq, value = entry.partition(b"=")
        if eq and key:
            name = os.fsdecode(key)
            if name not in VOLATILE_ENV:
                env[name] = os.fsdecode(value)
    return os.fsdecode(cwd_raw), env


def cleanup(workdir: Path, execution_id: str) -> None:
    for suffix in (".script", ".sh", ".state"):
        with contextlib.suppress(FileNotFoundError):
            (workdir / f"{execution_id}{suffix}").unlink()
