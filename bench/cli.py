"""CLI benchmark (issue 14): what `fenced run` and `fenced list` cost from a shell, against a local runner.

    .venv/bin/python bench/cli.py [--runs 7] [--cells 20]

(a) `fenced run BOOK one-cell` end to end (interpreter start, file read, session, Start + Watch, exit);
(b) `fenced run BOOK --all` over `--cells` + 1 cells (the per-cell cost is (b - a) / cells);
(c) `fenced list BOOK`. Medians of `--runs` runs, stdin from /dev/null, --quiet. The runner is started here
on an ephemeral loopback port and stopped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.runner.clisupport import FENCED, clean_env  # noqa: E402
from tests.runner.support import RunnerProcess  # noqa: E402


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=clean_env(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"{argv}: {done.stderr.decode()}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cells", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book.md"
        cells = "".join(f'\n```sh {{"name":"c{i}"}}\necho {i}\n```\n' for i in range(args.cells))
        book.write_text('```sh {"name":"hi"}\necho hi\n```\n' + cells)
        with RunnerProcess("--quiet") as runner:
            common = ["--runner", runner.url, "--token", runner.token, "--quiet"]
            one = [timed([*FENCED, "run", str(book), "hi", *common]) for _ in range(args.runs)]
            every = [timed([*FENCED, "run", str(book), "--all", *common]) for _ in range(args.runs)]
        listed = [timed([*FENCED, "list", str(book)]) for _ in range(args.runs)]
    a, b = statistics.median(one), statistics.median(every)
    print(f"fenced run, one cell:        {a * 1000:6.0f} ms (median of {args.runs})")
    print(
        f"fenced run --all, {args.cells + 1} cells: {b * 1000:6.0f} ms -> {(b - a) / args.cells * 1000:.1f} ms a cell"
    )
    print(f"fenced list, one file:       {statistics.median(listed) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
