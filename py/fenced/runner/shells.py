"""Which program runs a cell, and the wrapper that lets a POSIX shell hand its env and cwd back.

A cell runs as a script file under a shell: the request's program, else the session's (e.g. a runbook's
frontmatter `shell`), else the runner's `--shell`, else bash, else sh. For a POSIX shell the script is
sourced by a small wrapper whose EXIT trap writes `$PWD` and `env -0` to a state file, which is how
`export FOO=1` and `cd /tmp` carry over to the next execution of the session (Runme does the same).

The capture must not be fooled by the cell: `env` is run by absolute path through `command` (a changed
PATH or a function named `env` cannot get in the way), and when it cannot run at all (a value over the
kernel's 128 KiB per string makes the exec fail) bash lists its exported variables with builtins instead;
other shells then mark the capture as failed, and the session keeps its previous variables. A state file
that is incomplete, marked failed, or holds no variable never replaces the session's environment.
"""

from __future__ import annotations

import contextlib
import functools
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
STATE_FAILED = "FENCED_STATE_FAILED"
MAX_ENV_STRING = 128 * 1024  # the kernel refuses an exec with any "NAME=value" this long (MAX_ARG_STRLEN)
ENV_TOTAL_MARGIN = 256 * 1024  # room left under ARG_MAX for the program's arguments


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


@functools.cache
def env_program() -> str:
    """`env` by absolute path (looked up once, in the runner's PATH, not the cell's)."""
    return shutil.which("env") or "/usr/bin/env"


# bash only: exported variables listed with builtins, for when `env` cannot be executed.
_BASH_FALLBACK = (
    "    local IFS=$' \\t\\n' __fenced_n\n"
    '    for __fenced_n in $(compgen -e); do printf \'%s=%s\\0\' "$__fenced_n" "${!__fenced_n}"; done\n'
    f"    printf '{STATE_END}'\n"
)


def wrapper_script(script_path: Path, state_path: Path, shell: str = "sh", prelude: str = "") -> str:
    """POSIX sh that sources the cell and, on any exit, writes `$PWD\\0` + `env -0` to `state_path`,
    ending with STATE_END, or STATE_FAILED when the variables could not be listed (see module docstring).

    bash lists its exported variables with builtins first (`compgen -e` into a file beside the state,
    read back with `read`): no process is started at the exit, where `env` costs a fork and an exec
    (about a third of a trivial cell's CPU, which counts when a thousand cells start at once). `env` is
    still used when the cell exported functions (`export -f`), which only `env` lists as bash passes them
    on (`BASH_FUNC_name%%`)."""
    state = shlex.quote(str(state_path))
    names = shlex.quote(str(state_path.with_suffix(".names")))
    is_bash = Path(shell).name == "bash"
    fallback = _BASH_FALLBACK if is_bash else f"    printf '{STATE_FAILED}'\n"
    listing = f"    if command {shlex.quote(env_program())} -0 2>/dev/null; then printf '{STATE_END}'; else\n"
    if is_bash:
        listing = (
            f"    if declare -Fx > {names} 2>/dev/null && [ ! -s {names} ] && compgen -e > {names} 2>/dev/null; then\n"
            "      local IFS= __fenced_n\n"
            f'      while read -r __fenced_n; do printf \'%s=%s\\0\' "$__fenced_n" "${{!__fenced_n}}"; done < {names}\n'
            f"      printf '{STATE_END}'\n"
            "    el" + listing.lstrip()
        )
    return (
        "__fenced_exit() {\n"
        "  {\n"
        "    printf '%s\\0' \"$PWD\"\n"
        f"{listing}"
        f"{fallback}"
        "    fi\n"
        f"  }} > {state} 2>/dev/null\n"
        "}\n"
        "trap __fenced_exit EXIT\n"
        f"{prelude}"
        f". {shlex.quote(str(script_path))}\n"
    )


def build_program(
    program: str, arguments: list[str], script: str, workdir: Path, execution_id: str, prelude: str = ""
) -> Program:
    """Write the cell (and wrapper) into `workdir` and return the argv that runs it; a POSIX shell's
    wrapper runs `prelude` (shell functions such as `fenced_out`) before the cell."""
    script_path = workdir / f"{execution_id}.script"
    script_path.write_text(script if script.endswith("\n") or not script else script + "\n")
    if is_posix_shell(program):
        wrapper = workdir / f"{execution_id}.sh"
        wrapper.write_text(wrapper_script(script_path, state_path(workdir, execution_id), program, prelude))
        return Program([program, str(wrapper), *arguments], captures_state=True)
    return Program([program, *arguments, str(script_path)], captures_state=False)


def state_path(workdir: Path, execution_id: str) -> Path:
    return workdir / f"{execution_id}.state"


@dataclass(frozen=True)
class State:
    """What the wrapper captured: the shell's $PWD (None if it did not get that far) and its exported
    variables (None if they could not be read, with `problem` saying why when it is worth a warning)."""

    cwd: str | None
    env: dict[str, str] | None
    problem: str = ""


def read_state(path: Path) -> State | None:
    """Parse the wrapper's state file; None when the shell never wrote it (killed, or it ran `exec`)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    cwd_raw, sep, rest = raw.partition(b"\0")
    cwd = os.fsdecode(cwd_raw) if sep and cwd_raw else None
    if rest.endswith(STATE_FAILED.encode()):
        return State(
            cwd, None, "the shell's exported variables could not be listed at its exit (`env` failed)"
        )
    if not rest.endswith(STATE_END.encode()):
        return State(cwd, None)  # killed while writing it
    env: dict[str, str] = {}
    for entry in rest[: -len(STATE_END)].split(b"\0"):
        key, eq, value = entry.partition(b"=")
        if eq and key:
            name = os.fsdecode(key)
            if name not in VOLATILE_ENV:
                env[name] = os.fsdecode(value)
    if not env:
        return State(cwd, None, "the shell's exit showed no exported variable at all")
    return State(cwd, env)


def carryable(env: dict[str, str]) -> tuple[dict[str, str], dict[str, int]]:
    """(variables a process can be given, {name: size} of those too long to be): an exec fails with any
    "NAME=value" over MAX_ENV_STRING bytes, or with all of them over the system's ARG_MAX."""
    kept: dict[str, str] = {}
    dropped: dict[str, int] = {}
    for key, value in env.items():
        size = len(os.fsencode(key)) + len(os.fsencode(value)) + 2
        if size > MAX_ENV_STRING:
            dropped[key] = size
        else:
            kept[key] = value
    total = sum(len(os.fsencode(k)) + len(os.fsencode(v)) + 2 + 8 for k, v in kept.items())
    limit = _arg_max() - ENV_TOTAL_MARGIN
    for key in sorted(kept, key=lambda k: -len(kept[k])):
        if total <= limit:
            break
        size = len(os.fsencode(key)) + len(os.fsencode(kept[key])) + 2
        dropped[key] = size
        total -= size + 8
        del kept[key]
    return kept, dropped


def dropped_message(dropped: dict[str, int]) -> str:
    names = ", ".join(f"{name} ({size} bytes)" for name, size in sorted(dropped.items()))
    return (
        f"not carried over to the next cell, too long to hand to a process (over {MAX_ENV_STRING} bytes each, "
        f"or all together over the system's limit): {names}"
    )


@functools.cache
def _arg_max() -> int:
    try:
        return int(os.sysconf("SC_ARG_MAX"))
    except (ValueError, OSError):
        return 2 * 1024 * 1024


def cleanup(workdir: Path, execution_id: str) -> None:
    for suffix in (".script", ".sh", ".state", ".names"):
        with contextlib.suppress(FileNotFoundError):
            (workdir / f"{execution_id}{suffix}").unlink()
