"""Cost of masking secrets in streamed output (issue 15): `fenced.document.redact.Redactor.feed` throughput
under CPython, for output without secrets, with occurrences, and in small chunks (a terminal's), against
feeding without a redactor. Also the export of a 200-cell runbook with outputs (`export_html`).

Usage: .venv/bin/python bench/redact.py [--mib 32]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))

from fenced.document import loads  # noqa: E402
from fenced.document.export import export_html  # noqa: E402
from fenced.document.outputs import CellRun  # noqa: E402
from fenced.document.redact import Redactor  # noqa: E402

SECRETS = [
    "hunter22-hunter22",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "postgres://u:pw@db/x",
    "s.Z1x2c3v4",
    "AKIAIOSFODNN7EXAMPLE",
]


def feed(data: bytes, chunk: int, redactor: Redactor | None) -> float:
    t = time.perf_counter()
    for i in range(0, len(data), chunk):
        part = data[i : i + chunk]
        if redactor is not None:
            redactor.feed(part)
    if redactor is not None:
        redactor.flush()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=32)
    args = parser.parse_args()
    line = b"2024-05-06T07:08:09Z INFO request handled path=/api/v1/items status=200 took=12ms\n"
    plain = line * (args.mib * 1024 * 1024 // len(line))
    secret_line = line.replace(b"took=12ms", b"tok=" + SECRETS[0].encode())
    hits = (line * 99 + secret_line) * (len(plain) // (100 * len(line)))
    mib = len(plain) / 2**20
    print(f"{mib:.0f} MiB of log lines, 5 secrets")
    for label, data, chunk in (
        ("no secret in the output, 64 KiB chunks", plain, 65536),
        ("1 line in 100 has one, 64 KiB chunks", hits, 65536),
        ("no secret, 4 KiB chunks (a terminal's)", plain, 4096),
        ("1 line in 100 has one, 4 KiB chunks", hits, 4096),
    ):
        runs = [feed(data, chunk, Redactor(SECRETS)) for _ in range(3)]
        print(f"  {label}: {mib / statistics.median(runs):.0f} MiB/s")
    doc = "".join(
        f'## Step {i}\n\nProse.\n\n```sh {{"name":"s{i}"}}\necho step {i} | grep -v x\n```\n\n'
        for i in range(200)
    )
    nb = loads(doc)
    when = dt.datetime.now(dt.UTC)
    runs = {
        i: CellRun("\x1b[32mok\x1b[0m line\n" * 40, 0, when, 120)
        for i, c in enumerate(nb.cells)
        if c.kind == "code"
    }
    times = []
    for _ in range(5):
        t = time.perf_counter()
        html = export_html(nb, runs, secrets=SECRETS)
        times.append(time.perf_counter() - t)
    print(
        f"export_html, 200 cells with 40-line coloured outputs: {statistics.median(times) * 1000:.0f} ms, {len(html) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
