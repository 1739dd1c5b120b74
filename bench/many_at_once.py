"""1,000 executions at once (issue 17): bench/runner.py's part (c), with cells started by posix_spawn (the
runner's default) and by subprocess.Popen in worker threads (FENCED_SPAWN=popen: how the runner started
them before), one runner after the other in one run; `--rounds` alternates them.

    .venv/bin/python bench/many_at_once.py [--concurrent 1000] [--rounds 1]

Each: `count` x `sleep 1; echo done` started at once in one session, followed on one Watch, from the
`fenced.connect` Python client; completion = Start sent -> Exited received, per execution. Also printed:
the CPU seconds the run took on the machine, split into the runner process, this client and the rest
(the cells' processes and the kernel's work for them): on 2 cores, p99 is about the 1 s of sleep plus half
of that total.

`--floor` first measures what no runner can beat: the same cells (the runner's own wrapper and script
files, bash, a new session on pipes each) started by a bare loop of posix_spawn, with no HTTP, no
Connect, no client; printed are the time until all have exited and the machine's CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from runner import Runner, concurrency  # noqa: E402


def once(count: int, spawn: str) -> dict[str, object]:
    if spawn == "popen":
        os.environ["FENCED_SPAWN"] = "popen"
    else:
        os.environ.pop("FENCED_SPAWN", None)
    import psutil

    runner = Runner("--max-executions", str(count + 8))
    try:
        runner_proc, client = psutil.Process(runner.proc.pid), psutil.Process()
        before = (_busy(psutil.cpu_times()), _cpu(runner_proc), _cpu(client))
        result = asyncio.run(concurrency(runner, count))
        total, runner_cpu, client_cpu = (
            _busy(psutil.cpu_times()) - before[0],
            _cpu(runner_proc) - before[1],
            _cpu(client) - before[2],
        )
        result["cpu"] = {"total": total, "runner": runner_cpu, "client": client_cpu}
    finally:
        runner.stop()
        os.environ.pop("FENCED_SPAWN", None)
    return result


def floor(count: int) -> dict[str, float]:
    """`count` cells spawned as the runner spawns them, by a bare loop: the time until the last exits."""
    import tempfile

    import psutil

    sys.path.insert(0, str(ROOT / "py"))
    from fenced.runner import shells

    shell = shells.default_shell()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        before, t0 = _busy(psutil.cpu_times()), time.perf_counter()
        children: list[tuple[int, int]] = []
        for i in range(count):
            program = shells.build_program(shell, [], "sleep 1; echo done", workdir, f"e{i}")
            out_r, out_w = os.pipe()
            pid = os.posix_spawn(
                program.argv[0],
                program.argv,
                dict(os.environ),
                file_actions=[(os.POSIX_SPAWN_DUP2, out_w, 1)],
                setsid=True,
            )
            os.close(out_w)
            children.append((pid, out_r))
        ok = True
        for pid, out_r in children:
            _, status = os.waitpid(pid, 0)
            ok = ok and os.waitstatus_to_exitcode(status) == 0 and os.read(out_r, 64) == b"done\n"
            os.close(out_r)
        done = time.perf_counter() - t0
        cpu = _busy(psutil.cpu_times()) - before
    return {"all_done_s": done, "cpu": cpu, "ok": float(ok)}


def _cpu(proc) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def _busy(times) -> float:
    """The machine's busy CPU seconds (all cores) from `psutil.cpu_times()`."""
    return float(times.user + times.nice + times.system + times.irq + times.softirq)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--floor", action="store_true", help="first measure the bare spawns (see above)")
    args = parser.parse_args()
    if args.floor:
        f = floor(args.concurrent)
        print(
            f"floor       {args.concurrent} cells spawned by a bare loop (no runner, no client): all ok "
            f"{bool(f['ok'])}, the last exited at {f['all_done_s']:.2f} s, CPU {f['cpu']:.2f} s",
            flush=True,
        )
    for _ in range(args.rounds):
        for spawn in ("posix_spawn", "popen"):
            load = os.getloadavg()[0]
            r = once(args.concurrent, spawn)
            print(
                f"{spawn:11} {r['count']} at once: all ok {r['all_done_ok']}, completion median "
                f"{r['completion_median_s']:.2f} s, p99 {r['completion_p99_s']:.2f} s, max "
                f"{r['completion_max_s']:.2f} s, wall {r['wall_s']:.2f} s, runner RSS peak "
                f"{r['rss_peak_mb']:.0f} MiB (load {load:.1f} -> {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            cpu = r["cpu"]
            assert isinstance(cpu, dict)
            rest = cpu["total"] - cpu["runner"] - cpu["client"]
            print(
                f"{'':11} CPU {cpu['total']:.2f} s: runner {cpu['runner']:.2f}, client {cpu['client']:.2f}, "
                f"cells and kernel {rest:.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
