"""Runner under faults (issue 10): lossless resume under cuts, and the runner under a slowloris and 300 watchers.

    .venv/bin/python bench/runner_faults.py [--cuts 1000] [--seconds 20] [--watchers 300] [--json OUT]

(a) `yes 0123456789abcdef` (as fast as it writes) followed by the Python client (`fenced.connect`, the
    same loop as the browser engine and the CLI) whose stream is cut `--cuts` times at random points:
    bytes received vs. the total the runner reports at the exit, and `Truncated` events. The same with an
    older client (no watcher id, no Ack), for comparison, with 100 cuts.
(b) 1,100 connections that send half a request and trickle a header byte every 2 s, reopened when the
    runner closes them, for `--seconds`; the runner started with a 1,024 soft open-files limit (as in the
    report): GetInfo latency (p50, p99, failures) from a fresh client during it, runner RSS peak.
(c) `--watchers` Watch streams on one session reading `yes` output as fast as they can for `--seconds`:
    runner RSS peak, GetInfo p50/p99, how many streams were served and their output; once with the
    default --max-watchers (the rest are refused with resource_exhausted), once with --max-watchers
    raised to allow them all.

Everything runs on 127.0.0.1 ephemeral ports; processes started here are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from fenced.connect import Code, ConnectError, Event, Program, RunnerClient  # noqa: E402
from fenced.connect.httpx_transport import HttpxTransport  # noqa: E402
from fenced.connect.protocol import HttpRequest  # noqa: E402

SERVICE = "/fenced.runner.v1.RunnerService/"
YES = "yes 0123456789abcdef"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Runner:
    def __init__(self, *args: str, soft_files: int | None = None) -> None:
        self.token = secrets.token_hex(16)
        cmd = [
            sys.executable,
            "-m",
            "fenced.cli",
            "runner",
            "--port",
            "0",
            f"--token={self.token}",
            "--quiet",
            *args,
        ]
        if soft_files:
            cmd = ["sh", "-c", f'ulimit -Sn {soft_files} && exec "$@"', "sh", *cmd]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"runner did not start: {line!r}")
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.ps = psutil.Process(self.proc.pid)
        self.stderr: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def rss_mb(self) -> float:
        return self.ps.memory_info().rss / 2**20

    def client(self, transport: Any = None) -> RunnerClient:
        return RunnerClient(self.url, self.token, transport=transport or HttpxTransport())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(60)


# -- (a) cuts ------------------------------------------------------------------------------------------
class RandomCuts(HttpxTransport):
    def __init__(self, cuts: int, seed: int = 1) -> None:
        super().__init__()
        self.left, self.cuts, self.rng = cuts, 0, random.Random(seed)

    async def open_stream(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        handle = await super().open_stream(request)
        if self.left <= 0:
            return handle
        self.left -= 1
        after, inner, outer = self.rng.randint(16 * 1024, 2 * 1024 * 1024), handle.chunks, self

        async def chunks() -> AsyncIterator[bytes]:
            count = 0
            async for chunk in inner():
                yield chunk
                count += len(chunk)
                if count >= after:
                    outer.cuts += 1
                    await handle.aclose()
                    raise ConnectError(Code.UNAVAILABLE, "cut")

        handle.chunks = chunks  # type: ignore[method-assign]
        return handle


async def cuts_with_acks(runner: Runner, cuts: int) -> dict[str, Any]:
    transport = RandomCuts(cuts)
    async with runner.client(transport) as c:
        s = await c.create_session()
        watch = c.watch(s.id)
        started = await c.start(s.id, Program(script=YES))
        received, truncated, stopped, exited = 0, 0, False, None
        t0 = time.perf_counter()
        async for event in watch:
            if event.truncated is not None:
                truncated += 1
            if event.output is not None:
                if event.output.offset > received:
                    break  # a silent gap would show here
                received += len(event.output.data)
                if transport.left == 0 and not stopped:
                    stopped = True
                    await c.stop(started.execution_id)
            if event.exited is not None:
                exited = event.exited
                break
        elapsed = time.perf_counter() - t0
        await watch.aclose()
        await c.delete_session(s.id)
    total = exited.stdout_bytes if exited else -1
    return {
        "cuts": transport.cuts,
        "reconnects": watch.reconnects,
        "mb_received": received / 1e6,
        "seconds": elapsed,
        "bytes_lost": total - received,
        "truncated_events": truncated,
    }


async def cuts_without_acks(runner: Runner, cuts: int) -> dict[str, Any]:
    """An older client: Watch(cursor) again after each cut, no watcher id, no Ack."""
    transport = RandomCuts(cuts, seed=2)
    async with runner.client(transport) as c:
        s = await c.create_session()
        started = await c.start(s.id, Program(script=YES))
        cursor, received, lost, truncated, exited, stopped = 0, 0, 0, 0, None, False
        while exited is None:
            try:
                async for message in c.stream("Watch", {"sessionId": s.id, "cursor": str(cursor)}):
                    for event in map(Event.from_json, message.get("events") or ()):
                        if event.seq <= cursor:
                            continue
                        cursor = event.seq
                        if event.truncated is not None:
                            truncated += 1
                            lost += max(0, event.truncated.offset - received)
                            received = max(received, event.truncated.offset)
                        if event.output is not None:
                            received = event.output.offset + len(event.output.data)
                        if event.exited is not None:
                            exited = event.exited
                    if transport.left == 0 and not stopped:
                        stopped = True
                        await c.stop(started.execution_id)
                    if exited is not None:
                        break
            except ConnectError:
                await asyncio.sleep(0.01)
        await c.delete_session(s.id)
    return {
        "cuts": transport.cuts,
        "bytes_lost": lost,
        "truncated_events": truncated,
        "mb_total": received / 1e6,
    }


# -- load helpers --------------------------------------------------------------------------------------
def get_info_once(runner: Runner, client: httpx.Client) -> float | None:
    t0 = time.perf_counter()
    try:
        r = client.post(
            runner.url + SERVICE + "GetInfo",
            content=b"{}",
            headers={"content-type": "application/json", "authorization": f"Bearer {runner.token}"},
            timeout=10,
        )
    except httpx.HTTPError:
        return None
    return time.perf_counter() - t0 if r.status_code == 200 else None


def measure(runner: Runner, seconds: float, stop: threading.Event) -> dict[str, Any]:
    """GetInfo every 50 ms on fresh connections, and the runner's RSS, for `seconds`."""
    latencies: list[float] = []
    failures, rss = 0, 0.0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with httpx.Client() as client:
            latency = get_info_once(runner, client)
        if latency is None:
            failures += 1
        else:
            latencies.append(latency)
        rss = max(rss, runner.rss_mb())
        time.sleep(0.05)
    stop.set()
    return {
        "getinfo_p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "getinfo_p99_ms": pct(latencies, 99) * 1000 if latencies else None,
        "getinfo_ok": len(latencies),
        "getinfo_failed": failures,
        "rss_peak_mib": rss,
    }


# -- (b) slowloris -------------------------------------------------------------------------------------
def slowloris(runner: Runner, count: int, stop: threading.Event, stats: dict[str, int]) -> None:
    head = f"POST {SERVICE}GetInfo HTTP/1.1\r\nHost: 127.0.0.1:{runner.port}\r\nX-Slow: ".encode()

    def connect() -> socket.socket | None:
        try:
            s = socket.create_connection(("127.0.0.1", runner.port), timeout=5)
            s.sendall(head)
            s.setblocking(False)
            stats["opened"] += 1
            return s
        except OSError:
            return None

    socks = [s for s in (connect() for _ in range(count)) if s is not None]
    while not stop.wait(2.0):
        alive = []
        for s in socks:
            try:
                if s.recv(1024) == b"":  # the runner closed it
                    raise ConnectionError
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                stats["cut_by_runner"] += 1
                continue
            try:
                s.send(b"x")
                alive.append(s)
            except OSError:
                s.close()
                stats["cut_by_runner"] += 1
        while len(alive) < count and not stop.is_set():
            s = connect()
            if s is None:
                break
            alive.append(s)
        socks = alive
    for s in socks:
        s.close()


def under_slowloris(seconds: float) -> dict[str, Any]:
    runner = Runner(soft_files=1024)
    try:
        idle = runner.rss_mb()
        stop = threading.Event()
        stats = {"opened": 0, "cut_by_runner": 0}
        thread = threading.Thread(target=slowloris, args=(runner, 1100, stop, stats), daemon=True)
        thread.start()
        time.sleep(3)  # let it open its 1,100 connections
        result = measure(runner, seconds, stop)
        thread.join(30)
        result.update(
            connections=1100,
            rss_idle_mib=idle,
            **stats,
            stderr_bytes=len("".join(runner.stderr)),
            open_files_limit=runner.ps.rlimit(psutil.RLIMIT_NOFILE),
        )
        return result
    finally:
        runner.stop()


# -- (c) many watchers ---------------------------------------------------------------------------------
def readers(runner: Runner, session_id: str, count: int, stop: threading.Event, totals: list[int]) -> None:
    """`count` Watch streams read as fast as they come and discarded, on one thread (a selector)."""
    body = json.dumps({"sessionId": session_id}).encode()
    env = len(body).to_bytes(4, "big")
    request = (
        (
            f"POST {SERVICE}Watch HTTP/1.1\r\nHost: 127.0.0.1:{runner.port}\r\n"
            f"Content-Type: application/connect+json\r\nConnect-Protocol-Version: 1\r\n"
            f"Authorization: Bearer {runner.token}\r\nContent-Length: {5 + len(body)}\r\n\r\n"
        ).encode()
        + b"\0"
        + env
        + body
    )
    sel = selectors.DefaultSelector()
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", runner.port))
        s.sendall(request)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
    while not stop.is_set():
        for key, _ in sel.select(0.2):
            try:
                data = key.fileobj.recv(1 << 20)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            if not data:  # refused (resource_exhausted) or ended
                sel.unregister(key.fileobj)
                key.fileobj.close()  # type: ignore[union-attr]
                continue
            totals[key.data] += len(data)
    for key in list(sel.get_map().values()):
        key.fileobj.close()  # type: ignore[union-attr]


def with_watchers(count: int, seconds: float, cap: int | None) -> dict[str, Any]:
    runner = Runner(*(("--max-watchers", str(cap)) if cap else ()))
    try:
        idle = runner.rss_mb()

        async def start() -> tuple[str, str]:
            async with runner.client() as c:
                s = await c.create_session()
                return s.id, ""

        session_id, _ = asyncio.run(start())
        stop = threading.Event()
        totals = [0] * count
        thread = threading.Thread(target=readers, args=(runner, session_id, count, stop, totals), daemon=True)
        thread.start()

        async def run_yes() -> None:
            async with runner.client() as c:
                expected = min(count, cap or 32)
                while True:  # all open (those refused are gone)
                    if next(s for s in await c.list_sessions() if s.id == session_id).watchers >= expected:
                        break
                    await asyncio.sleep(0.1)
                await c.start(session_id, Program(script=YES))

        asyncio.run(run_yes())
        result = measure(runner, seconds, stop)
        thread.join(30)
        per = sorted(t for t in totals if t > 1_000_000)
        result.update(
            watchers=count,
            served=len(per),
            max_watchers=cap or 32,
            rss_idle_mib=idle,
            mb_per_watcher_min=per[0] / 1e6,
            mb_per_watcher_median=per[len(per) // 2] / 1e6,
            mb_per_watcher_max=per[-1] / 1e6,
        )
        return result
    finally:
        runner.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cuts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--watchers", type=int, default=300)
    parser.add_argument("--only", choices=("cuts", "slowloris", "watchers"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if args.only in (None, "cuts"):
        runner = Runner()
        try:
            results["cuts_with_acks"] = asyncio.run(cuts_with_acks(runner, args.cuts))
            print("cuts, fenced.connect:", results["cuts_with_acks"], flush=True)
            results["cuts_older_client"] = asyncio.run(cuts_without_acks(runner, min(args.cuts, 100)))
            print("cuts, older client:", results["cuts_older_client"], flush=True)
        finally:
            runner.stop()
    if args.only in (None, "slowloris"):
        results["slowloris"] = under_slowloris(args.seconds)
        print("slowloris:", results["slowloris"], flush=True)
    if args.only in (None, "watchers"):
        for name, cap in (("watchers_default_cap", None), ("watchers_all_allowed", args.watchers)):
            results[name] = with_watchers(args.watchers, args.seconds, cap)
            print(f"{name}:", results[name], flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
