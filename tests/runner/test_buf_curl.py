"""A third-party client: `buf curl` (from npm @bufbuild/buf) with the schema read from proto/."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.runner.support import ROOT

BUF = ROOT / "node_modules" / ".bin" / "buf"


def buf_curl(
    runner, protocol: str, method: str, data: dict, token: str | None = None
) -> subprocess.CompletedProcess:
    if not BUF.exists() and not shutil.which("buf"):
        pytest.fail("buf not found: run `npm ci` (devDependency @bufbuild/buf)")
    cmd = [
        str(BUF if BUF.exists() else shutil.which("buf")),
        "curl",
        "--schema",
        str(ROOT / "proto"),
        "--protocol",
        protocol,
        "-H",
        f"Authorization: Bearer {token or runner.token}",
        "-d",
        json.dumps(data),
        f"{runner.url}/fenced.runner.v1.RunnerService/{method}",
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def messages(stdout: str) -> list[dict]:
    """buf curl prints one pretty JSON document per response message."""
    decoder, out, text = json.JSONDecoder(), [], stdout.strip()
    while text:
        obj, end = decoder.raw_decode(text)
        out.append(obj)
        text = text[end:].strip()
    return out


@pytest.mark.parametrize("protocol", ["connect", "grpcweb"])
def test_buf_curl_get_info_and_execute(runner, protocol: str) -> None:
    info = buf_curl(runner, protocol, "GetInfo", {})
    assert info.returncode == 0, info.stderr
    assert messages(info.stdout)[0]["defaultShell"].endswith("bash")

    run = buf_curl(runner, protocol, "Execute", {"config": {"script": "echo hello; echo oops >&2; exit 4"}})
    assert run.returncode == 0, run.stderr
    events = [e for m in messages(run.stdout) for e in m.get("events", [])]
    assert list(events[0]) == ["seq", "executionId", "started"]
    import base64

    out = {
        s: b"".join(
            base64.b64decode(e["output"]["data"])
            for e in events
            if "output" in e and e["output"].get("stream") == s
        )
        for s in ("STREAM_STDOUT", "STREAM_STDERR")
    }
    assert out == {"STREAM_STDOUT": b"hello\n", "STREAM_STDERR": b"oops\n"}
    assert events[-1]["exited"]["exitCode"] == 4


@pytest.mark.parametrize("protocol", ["connect", "grpcweb"])
def test_buf_curl_wrong_token(runner, protocol: str) -> None:
    result = buf_curl(runner, protocol, "GetInfo", {}, token="nope")
    assert result.returncode != 0
    assert "unauthenticated" in result.stdout + result.stderr
