"""The `fenced runner` and `fenced run` command lines."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fenced.cli import build_parser
from fenced.runner.config import RunnerConfig
from fenced.runner.server import LISTENING, announce
from tests.runner.support import ROOT, RunnerProcess

BOOK = """---
shell: bash
---
# A runbook

```sh {"name":"setup"}
export GREETING=hello
cd /tmp
```

```sh
echo "$GREETING from $(pwd)"
```

```mermaid
graph TD
```

```sh {"name":"fail"}
echo failing >&2
exit 7
```

```sh {"name":"after"}
echo not reached
```
"""


def fenced(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """stdin from /dev/null: never the developer's terminal (a TTY makes interactive cells use a PTY)."""
    return subprocess.run(
        [sys.executable, "-m", "fenced.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _subparser(name: str):  # type: ignore[no-untyped-def]
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices[name]


@pytest.mark.parametrize("name", ["runner", "run"])
def test_help_explains_every_flag(name: str) -> None:
    parser = _subparser(name)
    for action in parser._actions:
        assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    text = parser.format_help()
    for action in parser._actions:
        for flag in action.option_strings:
            assert flag in text


def test_cli_imports_the_runner_lazily() -> None:
    code = "import sys, fenced.cli; fenced.cli.build_parser(); print(any(m.startswith(('fenced.runner', 'uvicorn', 'connectrpc')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_generated_token_is_printed_in_a_ready_to_open_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "fenced.cli", "runner", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        listening = proc.stdout.readline()
        opener = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    match = re.fullmatch(rf"{LISTENING} (http://127\.0\.0\.1:(\d+))\n", listening)
    assert match, listening
    assert re.fullmatch(rf"open: {re.escape(match.group(1))}/#token=[A-Za-z0-9_-]{{40,}}\n", opener), opener


def test_token_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-a-file\n")
    proc2 = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fenced.cli",
            "runner",
            "--port",
            "0",
            "--token-file",
            str(tmp_path / "token"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc2.stdout is not None
        url = proc2.stdout.readline().split()[-1]
        import httpx

        ok = httpx.post(
            url + "/fenced.runner.v1.RunnerService/GetInfo",
            content=b"{}",
            headers={"content-type": "application/json", "authorization": "Bearer from-a-file"},
        )
        assert ok.status_code == 200
    finally:
        proc2.terminate()
        proc2.wait(10)
        proc2.stdout.close()  # type: ignore[union-attr]


def test_non_loopback_without_tls_warns(capsys) -> None:
    out = io.StringIO()
    announce(RunnerConfig(host="0.0.0.0", token="t"), 1234, token_generated=False, out=out)
    assert "WARNING" in capsys.readouterr().err
    announce(RunnerConfig(host="127.0.0.1", token="t"), 1234, token_generated=False, out=out)
    assert "WARNING" not in capsys.readouterr().err
    assert out.getvalue().splitlines()[0] == f"{LISTENING} http://127.0.0.1:1234"


def test_run_lists_cells(tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text(BOOK)
    result = fenced("run", str(book), "--list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["setup", "echo-greeting", "fail", "after"]


def test_run_streams_output_and_exits_with_the_failing_status(runner, tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text(BOOK)
    common = ["--runner", runner.url, "--token", runner.token]
    ok = fenced("run", str(book), "setup", "echo-greeting", *common)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "hello from /tmp\n"
    failed = fenced("run", str(book), "--all", *common)
    assert failed.returncode == 7
    assert failed.stdout == "hello from /tmp\n"  # `after` did not run
    assert "failing" in failed.stderr and "'fail'" in failed.stderr
    missing = fenced("run", str(book), "nope", *common)
    assert missing.returncode != 0 and "nope" in missing.stderr
    wrong = fenced("run", str(book), "setup", "--runner", runner.url, "--token", "bad")
    assert wrong.returncode == 2 and "unauthenticated" in wrong.stderr


def test_listening_socket_is_tcp_nodelay() -> None:
    """Without TCP_NODELAY on accepted sockets every kept-alive unary call waited ~40 ms (delayed ACK)."""
    import socket

    from fenced.runner.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY only on sockets that say so
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()


def test_tls(tmp_path: Path) -> None:
    """--tls-cert/--tls-key serve HTTPS (a self-signed certificate made here with openssl)."""
    import shutil

    import httpx

    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    with RunnerProcess("--tls-cert", str(cert), "--tls-key", str(key), "--quiet") as proc:
        assert proc.url.startswith("https://127.0.0.1:")
        import ssl

        trust = ssl.create_default_context(cafile=str(cert))
        ok = httpx.post(
            proc.url + "/fenced.runner.v1.RunnerService/GetInfo",
            content=b"{}",
            verify=trust,
            headers={"content-type": "application/json", "authorization": f"Bearer {proc.token}"},
        )
        assert ok.status_code == 200 and ok.json()["version"]
