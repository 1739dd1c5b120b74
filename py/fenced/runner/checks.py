"""Request values checked before they reach a file, a process or a reply: bad ones are `invalid_argument`.

A string with a NUL byte cannot be an argument, an environment entry or a path (the exec or the open
would fail with a traceback and leave files behind), and one that is not valid UTF-8 (a lone surrogate
from JSON) cannot be written to a script file or serialized back in an event. Terminal sizes are 16-bit.
"""

from __future__ import annotations

from collections.abc import Iterable

from connectrpc.code import Code

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner.errors import RunnerError

MAX_WINSIZE = 0xFFFF


def text(value: str, what: str) -> str:
    """`value` unchanged if it can be an argument, a path or an environment entry."""
    if "\0" in value:
        raise RunnerError(Code.INVALID_ARGUMENT, f"{what} must not contain a NUL byte")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RunnerError(Code.INVALID_ARGUMENT, f"{what} is not valid UTF-8") from None
    return value


def texts(values: Iterable[str], what: str) -> list[str]:
    return [text(v, what) for v in values]


def parse_env(entries: Iterable[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for entry in entries:
        key, eq, value = text(entry, "an env entry").partition("=")
        if not eq or not key:
            raise RunnerError(Code.INVALID_ARGUMENT, f"env entry must be KEY=VALUE, got {entry!r}")
        env[key] = value
    return env


def program(config: pb.ProgramConfig) -> None:
    """Every string of a ProgramConfig (the script too: it is written to a file)."""
    text(config.program_name, "program_name")
    texts(config.arguments, "an argument")
    text(config.directory, "directory")
    text(config.language_id, "language_id")
    text(config.known_id, "known_id")
    text(config.known_name, "known_name")
    text(config.script, "script")
    texts(config.commands.items, "a command")
    parse_env(config.env)


def winsize(size: pb.Winsize | None, *, required: bool = False) -> tuple[int, int] | None:
    """(rows, cols) of a terminal size; None when unset (0) and not `required`."""
    if size is None or (not size.rows and not size.cols and not required):
        return None
    for name in ("rows", "cols", "x", "y"):
        if getattr(size, name) > MAX_WINSIZE:
            raise RunnerError(Code.INVALID_ARGUMENT, f"winsize {name} must be at most {MAX_WINSIZE}")
    if not size.rows or not size.cols:
        if required:
            raise RunnerError(Code.INVALID_ARGUMENT, "winsize needs rows and cols")
        return None
    return size.rows, size.cols


def metadata(values: dict[str, str], limit: int) -> dict[str, str]:
    size = 0
    for key, value in values.items():
        text(key, "a metadata key")
        text(value, "a metadata value")
        size += len(key.encode()) + len(value.encode())
    if size > limit:
        raise RunnerError(
            Code.RESOURCE_EXHAUSTED,
            f"session metadata of {size} bytes is over the limit of {limit} (--max-metadata-bytes)",
        )
    return dict(values)
