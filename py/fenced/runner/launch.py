"""Starting one cell: where and with what it runs, the spawn itself, and the path its output takes.

The `Runner` keeps the books around a start (the --max-executions budget, ids, the session's executions,
the lifetime of its processes, observers); this is what lies between a `ProgramConfig` and the callbacks
of its `Process`, apart from the books so that a cell's own rules do not hide among them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connectrpc.code import Code

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner import checks, shells
from fenced.runner.errors import RunnerError
from fenced.runner.flow import Capture, Flow
from fenced.runner.masking import OutputMask
from fenced.runner.process import ExitStatus
from fenced.runner.proctree import start_time
from fenced.runner.session import Execution, Session, Spec
from fenced.runner.spawning import STDOUT, Spawned, spawn


def script_of(config: pb.ProgramConfig) -> str:
    """What the cell runs: its commands, one a line, or its script."""
    source = config.WhichOneof("source")
    return "\n".join(config.commands.items) if source == "commands" else config.script


def nearest_directory(path: str) -> str:
    """`path` if it is a directory, else its nearest existing parent (HOME, then / as the last resort)."""
    for candidate in (Path(path), *Path(path).parents):
        if candidate.is_dir():
            return str(candidate)
    home = os.path.expanduser("~")
    return home if os.path.isdir(home) else "/"


@dataclass(frozen=True)
class Launched:
    """A spawned cell the runner does not track yet: its execution (not attached) and its child."""

    execution: Execution
    spawned: Spawned
    started: int  # the shell's start time (/proc): tells its session from a later one under the same id
    began: float  # the monotonic clock just before the spawn: the execution's duration counts from here
    flow: Flow
    script: str
    missing: str  # the session's directory, if it no longer existed (the cell runs in its nearest parent)


async def launch_cell(
    session: Session,
    config: pb.ProgramConfig,
    winsize: pb.Winsize | None,
    *,
    execution_id: str,
    default_shell: str,
    workdir: Path,
    buffer_bytes: int,
    flow_of: Callable[[Session], Flow],
) -> Launched:
    """Resolve a cell's program, directory and environment, and spawn it; raises RunnerError when it
    cannot start (its script files removed). `flow_of` gives the session's `Flow`, made on first use:
    only once the directory is known to exist, as a refused cell leaves nothing behind."""
    script = script_of(config)
    program = shells.resolve_program(config.program_name, config.language_id, session.shell, default_shell)
    missing = ""
    if not os.path.isdir(session.cwd):  # deleted since: carry on from what is left of it
        missing, session.cwd = session.cwd, nearest_directory(session.cwd)
    directory = session.cwd
    if config.directory:
        directory = os.path.join(session.cwd, os.path.expanduser(config.directory))
    if not os.path.isdir(directory):
        raise RunnerError(Code.INVALID_ARGUMENT, f"directory does not exist: {directory}")
    flow = flow_of(session)
    own_env = {**flow.env(), **checks.parse_env(config.env)}  # a cell's own: not carried over
    env = {**session.env, **own_env, "PWD": directory}
    if config.interactive:
        env.setdefault("TERM", "xterm-256color")
    spec = Spec(
        known_id=config.known_id,
        known_name=config.known_name,
        interactive=config.interactive,
        background=config.background,
        program=program,
        directory=directory,
        own_env=own_env,
        secret_names=frozenset(config.secret_names),
    )
    execution = Execution(session, execution_id, spec, buffer_bytes, workdir)
    prelude = flow.prelude() if shells.is_posix_shell(program) else ""
    rows, cols = checks.winsize(winsize) or (24, 80)
    arguments = list(config.arguments)

    began = time.monotonic()
    try:
        built = shells.build_program(program, arguments, script, workdir, execution.id, prelude)
        spawned = await spawn(
            built.argv, env=env, cwd=directory, interactive=config.interactive, rows=rows, cols=cols
        )
        started = start_time(spawned.child.pid)
    except OSError as exc:
        shells.cleanup(workdir, execution.id)
        raise RunnerError(Code.FAILED_PRECONDITION, f"cannot start {program}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeError) as exc:
        shells.cleanup(workdir, execution.id)
        raise RunnerError(Code.INVALID_ARGUMENT, f"cannot start {program}: {exc}") from exc
    except BaseException:
        shells.cleanup(workdir, execution.id)
        raise
    return Launched(execution, spawned, started, began, flow, script, missing)


def output_path(
    execution: Execution, flow: Flow, mask: OutputMask
) -> tuple[Callable[[int, bytes], None], Callable[[ExitStatus], None]]:
    """The `Process` callbacks of a cell: its output, secrets masked, becomes its events (standard output
    also goes to the capture that `$__` and `fenced_out` read); at the end, what the mask still held goes
    out and the flow records the output before the client hears of the end."""
    spec = execution.spec
    capture = Capture()

    def hand_on(stream: int, data: bytes) -> None:
        if stream == STDOUT:
            capture.add(data)
        execution.on_output(stream, data)

    def on_output(stream: int, data: bytes) -> None:
        if mask.active:
            data = mask.feed(stream, data)
            if not data:
                return
        hand_on(stream, data)

    def on_end(status: ExitStatus) -> None:
        for stream, rest in mask.flush():
            hand_on(stream, rest)
        flow.record(spec.known_name, capture.data, terminal=spec.interactive, background=spec.background)
        execution.on_end(status)

    return on_output, on_end
