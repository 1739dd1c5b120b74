"""Runner benchmark (issue 4): latency, throughput, concurrency and memory, next to Jupyter on loopback.

    .venv/bin/python bench/runner.py [--runs 200] [--mb 100] [--concurrent 200] [--no-jupyter] [--json OUT] [--throughput-only]

(a) first-output latency of `echo hi` (Watch open, then Start; and a one-shot Execute), median and p99;
    the same through Jupyter Server + bash_kernel (execute_request -> first `stream` message).
(b) throughput of `head -c <mb>M /dev/urandom | base64` to `RunnerClient`, JSON and binary proto (byte-exact by a
    sha256 the shell computes on the side), with the generated proto classes, and through a local pipe;
    Jupyter gets `seq 1 300000` (2 MB) and we count what arrives.
(c) <concurrent> x `sleep 1; echo done` started at once in one session over one Watch: completion times.
(d) runner RSS idle and the peak during (c).

Everything runs on 127.0.0.1 ephemeral ports; processes are started here and stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from fenced.connect import Program, RunnerClient  # noqa: E402
from fenced.connect.envelope import EnvelopeDecoder, encode_envelope  # noqa: E402
from fenced.connect.httpx_transport import HttpxTransport  # noqa: E402
from fenced.connect.protocol import Codec  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(values: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(values) * 1000, "p99_ms": pct(values, 99) * 1000, "n": len(values)}


# -- the runner ----------------------------------------------------------------------------------------
class Runner:
    def __init__(self, *args: str) -> None:
        self.token = secrets.token_hex(16)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fenced.cli",
                "runner",
                "--port",
                "0",
                f"--token={self.token}",
                "--quiet",
                *args,
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"runner did not start: {line!r}")
        self.url = line.split()[-1]
        self.ps = psutil.Process(self.proc.pid)

    def rss_mb(self) -> float:
        return self.ps.memory_info().rss / 2**20

    def client(self, stream_codec: Codec = "json") -> RunnerClient:
        return RunnerClient(self.url, self.token, transport=HttpxTransport(), stream_codec=stream_codec)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


async def latency(runner: Runner, runs: int) -> dict[str, Any]:
    async with runner.client() as c:
        session = await c.create_session()
        watch = c.watch(session.id)
        events = watch.__aiter__()
        via_watch: list[float] = []
        for _ in range(runs + 5):
            t0 = time.perf_counter()
            started = await c.start(session.id, Program(script="echo hi"))
            while True:
                event = await events.__anext__()
                if event.execution_id == started.execution_id and event.output is not None:
                    via_watch.append(time.perf_counter() - t0)
                    break
            while True:  # let it finish before the next run
                event = await events.__anext__()
                if event.execution_id == started.execution_id and event.exited is not None:
                    break
        await watch.aclose()
        via_execute: list[float] = []
        for _ in range(runs + 5):
            t0 = time.perf_counter()
            async for event in c.execute(Program(script="echo hi"), session_id=session.id):
                if event.output is not None and not via_execute[len(via_execute) :]:
                    via_execute.append(time.perf_counter() - t0)
        await c.delete_session(session.id)
    return {"watch_start": ms(via_watch[5:]), "execute": ms(via_execute[5:])}


def throughput_command(mb: int) -> str:
    return f"head -c {mb}M /dev/urandom | base64 | tee >(sha256sum >&2)"


async def throughput_json(runner: Runner, mb: int, codec: Codec = "json") -> dict[str, Any]:
    """Through `RunnerClient` (`fenced.connect`, what the page runs): JSON, or `codec="proto"` for its
    hand-written binary decoder (`fenced.connect.wire`)."""
    async with runner.client(codec) as c:
        digest, size, side = hashlib.sha256(), 0, b""
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        async for event in c.execute(Program(script=throughput_command(mb))):
            if event.output is not None:
                if event.output.stream == "stdout":
                    digest.update(event.output.data)
                    size += len(event.output.data)
                else:
                    side += event.output.data
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    exact = side.split()[0].decode() == digest.hexdigest()
    return {
        "bytes": size,
        "seconds": elapsed,
        "mb_per_s": size / 1e6 / elapsed,
        "byte_exact": exact,
        "client_cpu_s": cpu,
    }


def throughput_proto(runner: Runner, mb: int) -> dict[str, Any]:
    """Binary proto codec with the generated classes (upb, C): the ceiling for `fenced.connect.wire`."""
    from fenced._proto.runner.v1 import runner_pb2 as pb

    request = pb.ExecuteRequest(config=pb.ProgramConfig(script=throughput_command(mb)))
    headers = {"content-type": "application/connect+proto", "authorization": f"Bearer {runner.token}"}
    digest, size, side = hashlib.sha256(), 0, b""
    decoder = EnvelopeDecoder()
    t0 = time.perf_counter()
    with (
        httpx.Client(timeout=None) as http,
        http.stream(
            "POST",
            runner.url + "/fenced.runner.v1.RunnerService/Execute",
            headers=headers,
            content=encode_envelope(request.SerializeToString()),
        ) as response,
    ):
        for chunk in response.iter_raw():
            for envelope in decoder.feed(chunk):
                if envelope.end_stream:
                    continue
                for event in pb.ExecuteResponse.FromString(envelope.data).events:
                    if event.HasField("output"):
                        if event.output.stream == pb.STREAM_STDOUT:
                            digest.update(event.output.data)
                            size += len(event.output.data)
                        else:
                            side += event.output.data
    elapsed = time.perf_counter() - t0
    return {
        "bytes": size,
        "seconds": elapsed,
        "mb_per_s": size / 1e6 / elapsed,
        "byte_exact": side.split()[0].decode() == digest.hexdigest(),
    }


def throughput_pipe(mb: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        ["bash", "-c", throughput_command(mb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    digest, size = hashlib.sha256(), 0
    while chunk := proc.stdout.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    side = proc.stderr.read() if proc.stderr else b""
    proc.wait()
    elapsed = time.perf_counter() - t0
    return {
        "bytes": size,
        "seconds": elapsed,
        "mb_per_s": size / 1e6 / elapsed,
        "byte_exact": side.split()[0].decode() == digest.hexdigest(),
    }


PTY_COMMAND = ["seq", "1", "2000000"]  # 14.9 MB of short lines; 16.9 MB once the PTY adds its \r


async def throughput_pty(runner: Runner) -> dict[str, Any]:
    """An interactive (PTY) execution's output through the runner and the JSON client."""
    async with runner.client() as c:
        size, events = 0, 0
        t0 = time.perf_counter()
        async for event in c.execute(Program(script=" ".join(PTY_COMMAND), interactive=True)):
            if event.output is not None:
                size += len(event.output.data)
                events += 1
        elapsed = time.perf_counter() - t0
    return {"bytes": size, "seconds": elapsed, "mb_per_s": size / 1e6 / elapsed, "output_events": events}


def throughput_raw_pty() -> dict[str, Any]:
    """The same command on a bare PTY read as fast as possible: what the kernel's line discipline allows."""
    import pty

    master, slave = pty.openpty()
    t0 = time.perf_counter()
    proc = subprocess.Popen(PTY_COMMAND, stdout=slave, stderr=slave)
    os.close(slave)
    size = 0
    while True:
        try:
            chunk = os.read(master, 1 << 18)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        size += len(chunk)
    proc.wait()
    os.close(master)
    elapsed = time.perf_counter() - t0
    return {"bytes": size, "seconds": elapsed, "mb_per_s": size / 1e6 / elapsed}


async def concurrency(runner: Runner, count: int) -> dict[str, Any]:
    peak = runner.rss_mb()
    stop_sampling = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not stop_sampling.is_set():
            peak = max(peak, runner.rss_mb())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_sampling.wait(), 0.05)

    sampler = asyncio.create_task(sample())
    async with runner.client() as c:
        session = await c.create_session()
        watch = c.watch(session.id)
        issued: dict[str, float] = {}
        outputs: dict[str, bytes] = {}
        finished: dict[str, float] = {}
        codes: dict[str, int | None] = {}
        ready = asyncio.Event()

        async def follow() -> None:
            async for event in watch:
                if event.output is not None:
                    outputs[event.execution_id] = outputs.get(event.execution_id, b"") + event.output.data
                if event.exited is not None:
                    finished[event.execution_id] = time.perf_counter()
                    codes[event.execution_id] = event.exited.exit_code
                    if len(finished) == count and ready.is_set():
                        return

        follower = asyncio.create_task(follow())

        async def one() -> None:
            t0 = time.perf_counter()
            started = await c.start(session.id, Program(script="sleep 1; echo done"))
            issued[started.execution_id] = t0

        t_all = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count)))
        ready.set()
        if len(finished) < count:
            await asyncio.wait_for(follower, 60)
        wall = time.perf_counter() - t_all
        follower.cancel()
        await watch.aclose()
        await c.delete_session(session.id)
    stop_sampling.set()
    await sampler
    completion = [finished[eid] - t0 for eid, t0 in issued.items()]
    ok = all(codes.get(e) == 0 and outputs.get(e) == b"done\n" for e in issued)
    return {
        "count": count,
        "all_done_ok": ok,
        "completion_median_s": statistics.median(completion),
        "completion_p99_s": pct(completion, 99),
        "completion_max_s": max(completion),
        "wall_s": wall,
        "rss_peak_mb": peak,
    }


# -- Jupyter ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Jupyter:
    """jupyter-server + bash_kernel on loopback, driven over the kernel's websocket channels."""

    def __init__(self) -> None:
        from jupyter_client.kernelspec import KernelSpecManager

        if "bash" not in KernelSpecManager().find_kernel_specs():  # into this venv, not the system
            subprocess.run(
                [sys.executable, "-m", "bash_kernel.install", "--sys-prefix"], check=True, capture_output=True
            )
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"fenced-bench-jupyter-{os.getpid()}"
        self.dir.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.dir}",
                "--allow-root",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.base}/api/status", params={"token": self.token}).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("jupyter server did not start")
            time.sleep(0.1)
        reply = httpx.post(f"{self.base}/api/kernels", params={"token": self.token}, json={"name": "bash"})
        reply.raise_for_status()
        self.kernel = reply.json()["id"]
        import websocket

        url = f"ws://127.0.0.1:{self.port}/api/kernels/{self.kernel}/channels?token={self.token}"
        self.ws = websocket.create_connection(url, timeout=5)
        self.session = uuid.uuid4().hex
        self.execute("true")  # the kernel's first prompt setup is not what we measure

    def execute(self, code: str, deadline: float = 120) -> tuple[float | None, float, int]:
        """(time to first stream output, time to idle or to the deadline, stdout bytes received)."""
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {
                "msg_id": msg_id,
                "username": "bench",
                "session": self.session,
                "msg_type": "execute_request",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "channel": "shell",
            "buffers": [],
            "content": {
                "code": code,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        }
        t0 = time.perf_counter()
        self.ws.send(json.dumps(msg))
        first, received = None, 0
        import websocket

        while True:
            if time.perf_counter() - t0 > deadline:
                return first, time.perf_counter() - t0, received
            try:
                reply = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = reply["header"]["msg_type"]
            if kind == "stream":
                received += len(reply["content"]["text"].encode())
                if first is None:
                    first = time.perf_counter() - t0
            elif kind == "status" and reply["content"]["execution_state"] == "idle":
                return first, time.perf_counter() - t0, received

    def stop(self) -> None:
        try:
            self.ws.close()
            httpx.delete(f"{self.base}/api/kernels/{self.kernel}", params={"token": self.token})
        finally:
            self.proc.terminate()
            self.proc.wait(30)
            shutil.rmtree(self.dir, ignore_errors=True)


def jupyter_bench(runs: int) -> dict[str, Any]:
    jupyter = Jupyter()
    try:
        firsts = []
        for i in range(runs + 5):
            firsts.append(jupyter.execute("echo hi", deadline=30)[0])
            if i % 50 == 0:
                print(f"jupyter latency run {i}", file=sys.stderr, flush=True)
        firsts = firsts[5:]
        expected = len(subprocess.run(["seq", "1", "300000"], capture_output=True, check=True).stdout)
        _first, seconds, received = jupyter.execute("seq 1 300000", deadline=180)
        return {
            "latency": ms([f for f in firsts if f is not None]),
            "seq_2mb": {"expected_bytes": expected, "received_bytes": received, "seconds": seconds},
        }
    finally:
        jupyter.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200, help="latency samples per variant")
    parser.add_argument("--mb", type=int, default=100, help="MiB of random data for the throughput run")
    parser.add_argument("--concurrent", type=int, default=200, help="executions started at once")
    parser.add_argument("--no-jupyter", action="store_true", help="skip the Jupyter comparison")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--throughput-only", action="store_true", help="only the JSON/proto client throughput runs"
    )
    args = parser.parse_args()

    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}}
    runner = Runner("--max-executions", str(max(64, args.concurrent + 8)))
    try:
        time.sleep(0.5)  # let it settle before reading its idle RSS (a benchmark, not a test)
        results["rss_idle_mb"] = runner.rss_mb()
        if not args.throughput_only:
            results["latency"] = asyncio.run(latency(runner, args.runs))
        results["throughput_json"] = asyncio.run(throughput_json(runner, args.mb))
        results["throughput_client_proto"] = asyncio.run(throughput_json(runner, args.mb, "proto"))
        results["throughput_proto"] = throughput_proto(runner, args.mb)
        if args.throughput_only:
            return _print(results, args.json)
        results["throughput_pipe"] = throughput_pipe(args.mb)
        results["throughput_pty"] = asyncio.run(throughput_pty(runner))
        results["throughput_raw_pty"] = throughput_raw_pty()
        results["concurrency"] = asyncio.run(concurrency(runner, args.concurrent))
        results["rss_after_mb"] = runner.rss_mb()
    finally:
        runner.stop()
    if not args.no_jupyter:
        results["jupyter"] = jupyter_bench(args.runs)
    return _print(results, args.json)


def _print(results: dict[str, Any], out: Path | None) -> int:
    results["machine"]["load_after"] = os.getloadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if out:
        out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
