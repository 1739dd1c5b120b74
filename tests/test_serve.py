"""`fenced serve` (the demo command) serves the app and a runner that accepts the printed token and origin."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import psutil


def test_serve_prints_a_working_url_and_cleans_up(built_app: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "fenced.cli", "serve", "--port", "0", "--dist", str(built_app)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout
        url = ""
        for line in proc.stdout:
            m = re.search(r"(http://127\.0\.0\.1:\d+/\?runner=\S+#token=\S+)", line)
            if m:
                url = m.group(1)
                break
        assert url, "serve printed no URL to open"
        parts = urllib.parse.urlsplit(url)
        app_origin = f"{parts.scheme}://{parts.netloc}"
        runner_url = urllib.parse.parse_qs(parts.query)["runner"][0]
        token = parts.fragment.removeprefix("token=")
        with urllib.request.urlopen(app_origin + "/") as r:
            assert r.status == 200 and b'data-app-state="loading"' in r.read()

        from fenced.connect import RunnerClient

        async def info() -> str:
            async with RunnerClient(runner_url, token) as client:
                return (await client.get_info()).hostname

        # Playwright's sync API may own this thread's event loop: run the client in its own thread.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, info()).result(timeout=30)
        # The runner answers CORS for the app's origin (and only with the token for RPCs).
        req = urllib.request.Request(
            runner_url + "/fenced.runner.v1.RunnerService/GetInfo",
            method="OPTIONS",
            headers={
                "Origin": app_origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        with urllib.request.urlopen(req) as r:
            assert r.headers["Access-Control-Allow-Origin"] == app_origin
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the runner should run as a child process"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    _gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []
