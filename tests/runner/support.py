"""A real runner process on an ephemeral loopback port, and small helpers for async tests."""

from __future__ import annotations

import asyncio
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import psutil

from fenced.runner.config import generate_token

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
PROTO_OUT = ROOT / "py" / "fenced" / "_proto"


def load_generate() -> Any:
    """proto/generate.py as a module (it is a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fenced_proto_generate", ROOT / "proto" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def ensure_proto() -> None:
    """A fresh checkout before `build.py` has no generated code: generate it as the build would."""
    if not (PROTO_OUT / "GENERATED").exists():
        load_generate().generate(PROTO_OUT)


def arun(coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    """Run a coroutine to completion, failing (not hanging) after `timeout` seconds.

    On a thread of its own: Playwright's sync API (the browser tests) leaves a loop running on the main one.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()


def wait_for(condition: Callable[[], object], timeout: float = 10, interval: float = 0.02) -> bool:
    """Poll a condition until it holds (True) or the deadline passes (False)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


async def until(condition: Callable[[], object], timeout: float = 10, interval: float = 0.02) -> None:
    """Poll a condition from async code until it holds; TimeoutError if it does not within `timeout`.
    For state kept by other objects (a page's output, the engine's cursor) that offer nothing to await."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110  # polling is the point: there is nothing to await
            await asyncio.sleep(interval)


class RunnerProcess:
    """`fenced runner --port 0` as a subprocess; `url`, `token`, `mark` (an env var every cell inherits)."""

    def __init__(
        self,
        *args: str,
        token: str | None = None,
        command: list[str] | None = None,
        with_token: bool = True,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        nofile: tuple[int, int | None] | None = None,
    ) -> None:
        """`command`: what runs `fenced` (default: this interpreter's `-m fenced.cli`); `with_token=False`
        passes no `--token` (e.g. with `--tokens-file` in `args`); `env` is added to this process's;
        `nofile`: start it with this soft (and hard, unless None) open-files limit."""
        self.token = token or generate_token(16)
        self.mark = f"fenced-test-{secrets.token_hex(6)}"
        env = {**os.environ, **(env or {}), "FENCED_TEST_MARK": self.mark, "PYTHONUNBUFFERED": "1"}
        fenced = command or [sys.executable, "-m", "fenced.cli"]
        if nofile is not None:
            soft, hard = nofile
            limits = f"ulimit -Sn {soft}" + (f" && ulimit -Hn {hard}" if hard is not None else "")
            fenced = ["sh", "-c", f'{limits} && exec "$@"', "sh", *fenced]
        token_args = [f"--token={self.token}"] if with_token else []
        self.proc = subprocess.Popen(
            [*fenced, "runner", "--port", "0", *token_args, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd or ROOT,
            text=True,
        )
        self.stdout_lines: queue.Queue[str] = queue.Queue()
        self.stderr_lines: list[str] = []
        self._pumps = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines.put), daemon=True),
            threading.Thread(
                target=self._pump, args=(self.proc.stderr, self.stderr_lines.append), daemon=True
            ),
        ]
        for pump in self._pumps:
            pump.start()
        self.url = self._wait_listening()
        self.port = int(self.url.rsplit(":", 1)[1])

    @staticmethod
    def _pump(stream: Any, put: Any) -> None:
        for line in stream:
            put(line.rstrip("\n"))

    def _wait_listening(self) -> str:
        from fenced.runner.server import LISTENING

        for _ in range(300):
            try:
                line = self.stdout_lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if line.startswith(LISTENING):
                return line[len(LISTENING) :].strip()
        self.terminate(signal.SIGKILL)
        raise RuntimeError(f"runner did not start: {self.stderr_lines}")

    def marked_processes(self) -> list[psutil.Process]:
        """Live processes (zombies included) that inherited this runner's mark: its cells and their children."""
        found = []
        for proc in psutil.process_iter(["pid"]):
            try:
                if proc.pid != self.proc.pid and proc.environ().get("FENCED_TEST_MARK") == self.mark:
                    found.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        finally:
            for pump in self._pumps:  # they end at EOF, which the exit brings
                pump.join(5)
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()

    def __enter__(self) -> RunnerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.terminate()
