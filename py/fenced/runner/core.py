"""The `Runner`: sessions by id, executions by id, limits, timers, and shutdown without orphans.

Executions belong to the runner, not to the RPC that started or watches them: a stream handler that is
cancelled when its client goes away only detaches its watcher. A session left without watchers has its
foreground executions stopped after `disconnect_grace`; idle sessions expire. Every process a cell
starts is tracked by `lifetime` and ended with its session, or at shutdown. How one cell is started
(where, with what, the spawn, the path of its output) is `launch`'s; the books around it are kept here.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import platform
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Protocol

from connectrpc.code import Code

from fenced import __version__
from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner import checks, shells
from fenced.runner.config import RunnerConfig
from fenced.runner.errors import RunnerError
from fenced.runner.flow import Flow
from fenced.runner.launch import launch_cell, output_path, script_of
from fenced.runner.lifetime import Lifetime
from fenced.runner.masking import OutputMask
from fenced.runner.process import Process
from fenced.runner.review import Request, ReviewedRunbooks
from fenced.runner.session import DIRECTORY_MISSING, Execution, Session, log

__all__ = ["Runner", "RunnerError", "parse_env"]
parse_env = checks.parse_env


def _fast_tmp() -> str | None:
    """tmpfs (/dev/shm) for the per-execution script files when it is usable, else the default temp dir."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def new_id() -> str:
    return uuid.uuid4().hex


class ExecutionObserver(Protocol):
    """Told when an execution starts (with the command it runs) and when it has ended (e.g. the audit log).

    Called on the runner's loop, inside the starting request's context; an observer must not block.
    """

    def execution_started(self, execution: Execution, script: str) -> None: ...

    def execution_ended(self, execution: Execution) -> None: ...


class Runner:
    """All live state of one runner process; lives on one asyncio loop."""

    def __init__(
        self,
        config: RunnerConfig,
        *,
        base_env: dict[str, str] | None = None,
        observers: Iterable[ExecutionObserver] = (),
    ) -> None:
        self.config = config
        self.observers = list(observers)
        self.shell = shells.default_shell(config.shell)
        env = dict(os.environ if base_env is None else base_env)
        for key in [k for k in env if k.startswith("FENCED_RUNNER_")]:
            del env[key]  # e.g. FENCED_RUNNER_TOKEN: never hand the token to the cells
        self.base_env = env
        self.sessions: dict[str, Session] = {}
        self.executions: dict[str, Execution] = {}
        self.lifetime = Lifetime(_fast_tmp())
        self.workdir = self.lifetime.workdir
        self.closing = False
        self._running = 0  # executions spawning or running (the --max-executions budget)
        self._grace_timers: dict[str, asyncio.TimerHandle] = {}
        self._janitor: asyncio.Task[None] | None = None
        self.flows: dict[str, Flow] = {}  # $__ and fenced_out, by session id
        self.review = ReviewedRunbooks(config.allow_runbooks) if config.allow_runbooks else None

    # -- info -----------------------------------------------------------------------------------
    def info(self) -> pb.GetInfoResponse:
        c = self.config
        return pb.GetInfoResponse(
            version=__version__,
            hostname=socket.gethostname(),
            user=getpass.getuser(),
            default_shell=self.shell,
            os=f"{platform.system()} {platform.release()} {platform.machine()}",
            limits=pb.Limits(
                max_executions=c.max_executions,
                buffer_bytes=c.buffer_bytes,
                max_request_bytes=c.max_request_bytes,
                session_idle_timeout_ms=int(c.session_idle_timeout * 1000),
                disconnect_grace_ms=int(c.disconnect_grace * 1000),
                stop_grace_ms=int(c.stop_grace * 1000),
                max_sessions=c.max_sessions,
                max_watchers=c.max_watchers,
                max_metadata_bytes=c.max_metadata_bytes,
                write_timeout_ms=int(c.write_timeout * 1000),
            ),
            reviewed_runbooks_only=self.review is not None,
        )

    # -- sessions -------------------------------------------------------------------------------
    def create_session(
        self,
        *,
        env: list[str] | tuple[str, ...] = (),
        directory: str = "",
        shell: str = "",
        metadata: dict[str, str] | None = None,
    ) -> Session:
        if self.closing:
            raise RunnerError(Code.UNAVAILABLE, "the runner is shutting down")
        own_env = checks.parse_env(env)
        checks.text(shell, "shell")
        meta = checks.metadata(metadata or {}, self.config.max_metadata_bytes)
        cwd = (
            os.path.abspath(os.path.expanduser(checks.text(directory, "directory")))
            if directory
            else os.getcwd()
        )
        if not os.path.isdir(cwd):
            raise RunnerError(Code.INVALID_ARGUMENT, f"directory does not exist: {cwd}")
        if len(self.sessions) >= self.config.max_sessions:
            raise RunnerError(
                Code.RESOURCE_EXHAUSTED, f"{self.config.max_sessions} sessions already exist (--max-sessions)"
            )
        if self.review is not None:
            refusal = self.review.check_session(shell, own_env)
            if refusal:
                log.warning("refused session: %s", refusal)
                raise RunnerError(Code.PERMISSION_DENIED, refusal)
        session = Session(
            new_id(),
            cwd=cwd,
            env={**self.base_env, **own_env},
            shell=shell,
            metadata=meta,
            owner=self,
            max_watchers=self.config.max_watchers,
            grace=self.config.disconnect_grace,
        )
        self.sessions[session.id] = session
        self._ensure_janitor()
        return session

    def session(self, session_id: str) -> Session:
        session = self.sessions.get(session_id)
        if session is None:
            raise RunnerError(Code.NOT_FOUND, f"no session {session_id!r}")
        session.touch()
        return session

    def delete_session(self, session_id: str) -> None:
        session = self.session(session_id)
        self._drop_session(session)

    def drop_if_done(self, session: Session) -> None:
        """Forget a one-off session (from Execute) once its stream delivered everything."""
        if session.ephemeral and not session.watchers and not session.running and not session.deleted:
            self._drop_session(session)

    def _drop_session(self, session: Session) -> None:
        session.deleted = True
        self.sessions.pop(session.id, None)
        timer = self._grace_timers.pop(session.id, None)
        if timer:
            timer.cancel()
        for execution in list(session.executions.values()):
            if execution.running:
                execution.stop(self.config.stop_grace, reason="stopped: session deleted")
            elif not self.closing:
                self.executions.pop(execution.id, None)
        flow = self.flows.pop(session.id, None)
        if flow is not None:
            flow.close()
        self.lifetime.end(session.id, self.config.stop_grace)  # and whatever finished cells left behind
        session.watchers.clear()  # streams see `deleted` and end

    # -- executions -----------------------------------------------------------------------------
    def execution(self, execution_id: str) -> Execution:
        execution = self.executions.get(execution_id)
        if execution is None:
            raise RunnerError(Code.NOT_FOUND, f"no execution {execution_id!r}")
        execution.session.touch()
        return execution

    async def start(
        self, session: Session, config: pb.ProgramConfig, winsize: pb.Winsize | None
    ) -> Execution:
        """Spawn a cell; its events flow into the session (raises RunnerError when refused).

        The fork/exec runs in a worker thread. A cancelled caller (client gone) does not cancel it: the
        execution still lands in its session, where Watch shows it and the disconnect grace applies.
        """
        if self.closing:
            raise RunnerError(Code.UNAVAILABLE, "the runner is shutting down")
        checks.program(config)
        checks.winsize(winsize)
        if self.review is not None:
            await self._review(session, config)
        if self._running >= self.config.max_executions:
            raise RunnerError(
                Code.RESOURCE_EXHAUSTED, f"{self.config.max_executions} executions are already running"
            )
        self._running += 1  # reserved now: concurrent Starts must not overshoot the limit while spawning
        try:
            task = asyncio.ensure_future(self._start(session, config, winsize))
        except BaseException:
            self._running -= 1
            raise
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved even if we are gone
        return await asyncio.shield(task)

    async def _review(self, session: Session, config: pb.ProgramConfig) -> None:
        """Refuse (permission_denied) what no reviewed runbook has (--allow-runbooks); the files are
        looked at again in a worker thread."""
        assert self.review is not None
        request = Request(
            script=script_of(config),
            language=config.language_id,
            program_name=config.program_name,
            arguments=tuple(config.arguments),
            directory=config.directory,
            env_names=tuple(checks.parse_env(config.env)),
        )
        refusal = await asyncio.to_thread(self.review.check, request)
        if refusal:
            log.warning("refused session=%s cell=%s: %s", session.id, config.known_name or "-", refusal)
            raise RunnerError(Code.PERMISSION_DENIED, refusal)

    def _flow(self, session: Session) -> Flow:
        flow = self.flows.get(session.id)
        if flow is None:
            flow = self.flows[session.id] = Flow(self.workdir / f"flow-{session.id}")
        return flow

    async def _start(
        self, session: Session, config: pb.ProgramConfig, winsize: pb.Winsize | None
    ) -> Execution:
        try:
            cell = await launch_cell(
                session,
                config,
                winsize,
                execution_id=new_id(),
                default_shell=self.shell,
                workdir=self.workdir,
                buffer_bytes=self.config.buffer_bytes,
                flow_of=self._flow,
            )
        except BaseException:
            self._running -= 1
            raise
        execution = cell.execution
        tree = self.lifetime.adopt(cell.spawned.child.pid, session.id, cell.started)
        mask = OutputMask(config.mask_values)
        on_output, on_end = output_path(execution, cell.flow, mask)
        process = Process(
            cell.spawned,
            interactive=config.interactive,
            on_output=on_output,
            on_end=on_end,
            started=cell.began,
        )
        session.executions[execution.id] = execution
        self.executions[execution.id] = execution
        execution.attach(process, tree)
        if cell.missing:
            execution.warn(
                DIRECTORY_MISSING,
                f"the session's directory {cell.missing} no longer exists: running in {session.cwd}",
            )
        log.info(
            "start session=%s execution=%s cell=%s pid=%d program=%s",
            session.id,
            execution.id,
            execution.spec.known_name or "-",
            process.pid,
            execution.spec.program,
        )
        command = mask.text(cell.script)  # the audit log's digest never stands for a secret
        self._observe(lambda o: o.execution_started(execution, command))
        if not session.watchers:
            self.on_watchers_changed(session)
        if self.closing or session.deleted:  # shutdown began, or the session went, while it was spawning
            why = "runner shutting down" if self.closing else "session deleted"
            execution.stop(self.config.stop_grace, kill=True, reason=f"stopped: {why}")
        return execution

    def on_execution_end(self, execution: Execution, forgotten: list[Execution]) -> None:
        self._running -= 1
        self._observe(lambda o: o.execution_ended(execution))
        if execution.session.deleted and not self.closing:
            self.executions.pop(execution.id, None)
        for gone in forgotten:
            self.executions.pop(gone.id, None)

    def _observe(self, tell: Callable[[ExecutionObserver], None]) -> None:
        for observer in self.observers:
            try:
                tell(observer)
            except Exception:  # an observer's failure must not fail the cell
                log.exception("execution observer %s failed", type(observer).__name__)

    # -- timers ---------------------------------------------------------------------------------
    def on_watchers_changed(self, session: Session) -> None:
        """Start or cancel the disconnect grace period of a session's foreground executions."""
        timer = self._grace_timers.pop(session.id, None)
        if timer:
            timer.cancel()
        if session.watchers or session.deleted:
            return
        if any(not e.spec.background for e in session.running):
            loop = asyncio.get_running_loop()
            self._grace_timers[session.id] = loop.call_later(
                self.config.disconnect_grace, self._grace_over, session
            )

    def _grace_over(self, session: Session) -> None:
        self._grace_timers.pop(session.id, None)
        if session.watchers:
            return
        grace = self.config.disconnect_grace
        for execution in session.running:
            if not execution.spec.background:
                execution.stop(
                    self.config.stop_grace, reason=f"stopped: no watcher for {grace:g}s after disconnect"
                )

    def _ensure_janitor(self) -> None:
        if self._janitor is None or self._janitor.done():
            self._janitor = asyncio.get_running_loop().create_task(self._expire_idle())

    async def _expire_idle(self) -> None:
        period = max(0.05, min(30.0, self.config.session_idle_timeout / 4))
        while (self.sessions or self.lifetime.trees) and not self.closing:
            await asyncio.sleep(period)
            now = time.monotonic()
            for session in list(self.sessions.values()):
                idle = now - session.last_activity
                if not session.watchers and not session.running and idle >= self.config.session_idle_timeout:
                    self._drop_session(session)
            self.lifetime.prune()

    # -- shutdown -------------------------------------------------------------------------------
    async def close(self, grace: float | None = None) -> None:
        """Stop every execution (SIGINT, SIGTERM, SIGKILL), reap them all, end every stream."""
        self.closing = True
        grace = self.config.stop_grace if grace is None else grace
        running = [e for e in self.executions.values() if e.running]
        for execution in running:
            execution.stop(grace, reason="stopped: runner shutting down")
        if running:
            await asyncio.wait(
                [asyncio.ensure_future(e.ended.wait()) for e in running], timeout=3 * grace + 5
            )
        for session in list(self.sessions.values()):
            self._drop_session(session)
        if self._janitor is not None:
            self._janitor.cancel()
        for timer in self._grace_timers.values():
            timer.cancel()
        await self.lifetime.close(grace)  # jobs any cell left behind, deleted and forgotten cells' too
