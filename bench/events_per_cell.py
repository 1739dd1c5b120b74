"""Output events per cell (issue 17): how many pieces a cell's output reaches every client in.

Each event is stored, framed, sent and decoded by every client on its own (in the page: a wake-up of its
Python), so fewer is cheaper for all of them. Runs `--cells` cells of each command on a PTY (as the page
runs them) in one session followed on one Watch, and prints the output events per cell.

    .venv/bin/python bench/events_per_cell.py [--cells 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.runner.support import RunnerProcess  # noqa: E402

from fenced.connect import Program, RunnerClient  # noqa: E402

COMMANDS = {
    "seq 1 20000 (109 kB, line-buffered on a PTY)": "seq 1 20000",
    "a line a millisecond for 0.3 s": "exec 3<> <(:); for i in $(seq 1 300); do echo $i; read -t 0.001 -u 3; done",
    "head -c 2M /dev/zero | base64 (a flood)": "head -c 2M /dev/zero | base64",
}


async def count(url: str, token: str, script: str, cells: int) -> list[int]:
    async with RunnerClient(url, token=token) as c:
        session = await c.create_session()
        watch = c.watch(session.id)
        counts: list[int] = []
        for _ in range(cells):
            started = await c.start(session.id, Program(script=script, interactive=True))
            n = 0
            async for event in watch:
                if event.execution_id != started.execution_id:
                    continue
                n += event.output is not None
                if event.exited is not None:
                    break
            counts.append(n)
        await watch.aclose()
        return counts


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cells", type=int, default=20)
    args = parser.parse_args()
    with RunnerProcess("--quiet") as runner:
        for label, script in COMMANDS.items():
            counts = asyncio.run(count(runner.url, runner.token, script, args.cells))
            print(
                f"{label}: output events per cell median {statistics.median(counts):g}, "
                f"min {min(counts)}, max {max(counts)} ({args.cells} cells)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
