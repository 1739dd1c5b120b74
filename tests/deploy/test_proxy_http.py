"""The shipped proxy recipes at the HTTP level (no browser): content types, probes, unbuffered streams."""

from __future__ import annotations

import base64
import json
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fenced.static import SECURITY_HEADERS
from tests.deploy.conftest import Stack
from tests.deploy.proxies import APP_NAME, RUNNER_NAME

SERVICE = "fenced.runner.v1.RunnerService"
JS = ("text/javascript", "application/javascript")


@pytest.fixture()
def http(stack: Stack) -> Iterator[httpx.Client]:
    """A client that reaches the proxy at 127.0.0.1 under the test names (over TLS, HTTP/1.1)."""
    with httpx.Client(base_url=f"https://127.0.0.1:{stack.site.https_port}", verify=False, timeout=20) as c:
        yield c


def test_every_app_file_is_served_with_a_type_the_browser_accepts(
    stack: Stack, http: httpx.Client, built_app: Path
) -> None:
    """Debian nginx's mime.types has no .mjs: the recipe must still serve modules as JavaScript."""
    checked = 0
    for path in sorted(built_app.rglob("*")):
        if path.suffix not in (".mjs", ".js", ".wasm", ".html", ".css", ".json"):
            continue
        r = http.get("/" + path.relative_to(built_app).as_posix(), headers={"host": APP_NAME})
        ctype = r.headers["content-type"].split(";")[0]
        assert r.status_code == 200 and r.content == path.read_bytes(), path
        expected = {
            ".mjs": JS,
            ".js": JS,
            ".wasm": ("application/wasm",),
            ".html": ("text/html",),
            ".css": ("text/css",),
            ".json": ("application/json",),
        }
        assert ctype in expected[path.suffix], f"{path.name} served as {ctype}"
        assert r.headers["x-content-type-options"] == "nosniff"
        for name, value in SECURITY_HEADERS.items():  # as fenced.static serves the app
            assert r.headers[name] == value, (path.name, name)
        checked += 1
    assert checked > 20


def test_healthz_through_both_layouts_without_token(stack: Stack, http: httpx.Client) -> None:
    for path, host in (("/runner/healthz", APP_NAME), ("/healthz", RUNNER_NAME)):
        r = http.get(path, headers={"host": host})
        assert (r.status_code, r.text) == (200, "ok\n"), (path, host)
    rpc = http.post(
        f"/runner/{SERVICE}/GetInfo",
        content=b"{}",
        headers={"host": APP_NAME, "content-type": "application/json"},
    )
    assert rpc.status_code == 401  # the rest still needs the token


def _frames(chunks: Iterator[bytes]) -> Iterator[dict]:
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= 5:
            flags, size = struct.unpack(">BI", buffer[:5])
            if len(buffer) < 5 + size:
                break
            payload, buffer = buffer[5 : 5 + size], buffer[5 + size :]
            yield json.loads(payload) | {"_end": bool(flags & 2)}


class ProxyAnsweredAlone(Exception):
    """The proxy answered without the runner: an empty body, or a stream that ended before the output."""


def _tiny_arrives_while_open(stack: Stack, layout: str) -> None:
    """One attempt, on new connections: a cell's first line reaches a Watch that stays open."""
    base, host = ("/runner/", APP_NAME) if layout == "prefix" else ("/", RUNNER_NAME)
    auth = {"host": host, "authorization": f"Bearer {stack.runner.token}"}
    unary = {**auth, "content-type": "application/json"}
    with httpx.Client(
        base_url=f"https://127.0.0.1:{stack.site.https_port}", verify=False, timeout=20
    ) as http:
        created = http.post(f"{base}{SERVICE}/CreateSession", content=b"{}", headers=unary)
        if created.status_code == 200 and not created.content:
            raise ProxyAnsweredAlone(f"CreateSession: an empty 200, {dict(created.headers)}")
        session = created.json()["session"]["id"]
        body = json.dumps({"sessionId": session}).encode()
        headers = {**auth, "content-type": "application/connect+json", "connect-protocol-version": "1"}
        try:
            with http.stream(
                "POST",
                f"{base}{SERVICE}/Watch",
                content=struct.pack(">BI", 0, len(body)) + body,
                headers=headers,
            ) as stream:
                assert stream.status_code == 200
                frames = _frames(stream.iter_raw())
                first = next(frames, None)
                if first is None:
                    raise ProxyAnsweredAlone(f"Watch: no message at all, {dict(stream.headers)}")
                assert "events" not in first  # the opening message, alone, arrived at once
                start = {
                    "sessionId": session,
                    "config": {"script": "echo tiny; sleep 30", "knownName": "tiny"},
                }
                started = http.post(
                    f"{base}{SERVICE}/Start", content=json.dumps(start).encode(), headers=unary
                )
                started.raise_for_status()
                if not started.content:
                    raise ProxyAnsweredAlone(f"Start: an empty 200, {dict(started.headers)}")
                seen = b""
                while b"tiny\n" not in seen:  # a buffering proxy holds it: this waits, and the test times out
                    frame = next(frames, None)
                    if frame is None:
                        raise ProxyAnsweredAlone(
                            f"Watch: the stream ended before the output, {dict(stream.headers)}"
                        )
                    assert not frame["_end"], frame
                    for event in frame.get("events", ()):
                        if "output" in event:
                            seen += base64.b64decode(event["output"]["data"])
        finally:
            http.post(
                f"{base}{SERVICE}/DeleteSession",
                content=json.dumps({"sessionId": session}).encode(),
                headers=unary,
            )


@pytest.mark.parametrize("layout", ["prefix", "separate"])
def test_a_watch_stream_is_not_buffered_by_the_proxy(stack: Stack, layout: str) -> None:
    """A few bytes of output reach the client while the stream stays open (a buffering proxy would hold
    them until its buffer filled or the stream ended).

    Now and then (1 full run of tests/deploy in 4 to 8, once in 40 runs of this file on a busy machine,
    never in 60 fresh stacks), Caddy answered a request for the runner's own name with an empty 200 of its
    own (what it answers when no site matches) or ended the stream early; not understood yet. Buffering is
    not that (a buffered line never arrives while the stream stays open), so such an attempt is tried again
    on new connections, and said (a warning) instead of hidden."""
    problems: list[str] = []
    for _attempt in range(3):
        try:
            _tiny_arrives_while_open(stack, layout)
            break
        except ProxyAnsweredAlone as exc:
            problems.append(str(exc))
    else:
        pytest.fail(
            f"{stack.kind} never passed the stream on: {problems}\n{stack.proxy.log.read_text()[-4000:]}"
        )
    if problems:
        warnings.warn(f"{stack.kind} answered alone before passing the stream on: {problems}", stacklevel=1)


def test_the_python_client_runs_a_cell_under_the_path_prefix(stack: Stack) -> None:
    from fenced.connect import Program, RunnerClient
    from fenced.connect.httpx_transport import HttpxTransport
    from tests.runner.support import arun

    async def go() -> tuple[bytes, int | None]:
        transport = HttpxTransport(httpx.AsyncClient(verify=False, headers={"host": APP_NAME}, timeout=20))
        url = f"https://127.0.0.1:{stack.site.https_port}/runner/"
        async with RunnerClient(url, stack.runner.token, transport=transport) as client:
            result = await client.run(Program(script="echo through the prefix"))
        return bytes(result.stdout), result.exit_code

    assert arun(go()) == (b"through the prefix\n", 0)
