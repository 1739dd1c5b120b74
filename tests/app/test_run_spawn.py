"""`jsffi.spawn(..., eager=True)` works on every Python we support: `asyncio.Task(eager_start=...)` only
exists from 3.12 (Pyodide ships 3.14; `requires-python` is >= 3.11)."""

from __future__ import annotations

import subprocess
import sys

# jsffi.py imports `js` and `pyodide`; stand-ins let its pure `spawn` run under CPython, in a child
# process so that the fakes never leak into other tests.
CHILD = """
import asyncio, sys
from unittest import mock
for name in ("js", "pyodide", "pyodide.ffi", "pyodide.code"):
    sys.modules[name] = mock.MagicMock(name=name)
from fenced.app.jsffi import spawn

async def main() -> None:
    ran = []

    async def job() -> str:
        ran.append("started")
        await asyncio.sleep(0)
        return "done"

    task = spawn(job(), eager=True)
    started_at_once = bool(ran)
    print(await task, started_at_once)

asyncio.run(main())
"""


def test_eager_spawn_runs_on_this_python() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    result, started_at_once = out.stdout.split()
    assert result == "done"
    # Eager start (the click's Start request leaves at once) where asyncio has it.
    assert started_at_once == str(sys.version_info >= (3, 12))
