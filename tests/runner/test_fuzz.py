"""A fuzz of 10,000 malformed requests against a real runner (loopback): zero 5xx, zero tracebacks.

Requests are made by hand (raw HTTP/1.1 over a few kept-alive sockets) so that headers, bodies and
envelopes can be wrong in every way: random and mutated messages for every method and codec, broken
envelopes, bad compression, odd Origin/Host/timeout headers, missing or wrong tokens, other HTTP methods.
Programs it may run are harmless by construction (scripts come from a fixed list). The seed and count can be
changed with FENCED_FUZZ_SEED / FENCED_FUZZ_COUNT.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os
import random
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from tests.runner.support import RunnerProcess, arun

SERVICE = "/fenced.runner.v1.RunnerService/"
METHODS = (
    "GetInfo", "CreateSession", "ListSessions", "DeleteSession", "Start", "SendInput", "Resize", "Stop",
    "Ack", "Watch", "Execute",
)  # fmt: skip
STREAMS = ("Watch", "Execute")
SAFE_SCRIPTS = ("true", "exit 3", "echo fuzz", "", "\u0000", "echo $0 >&2")
STRINGS = (
    "", "x", "\u0000", "a\u0000b", "/", "..", "/nonexistent", "bash", "sh", "python", "-c", "é€😀",
    "A=1", "=1", "A=", "A=\u0000", "x" * 5000, "%s%n", "\\", '"', "\ud800",
)  # fmt: skip
NUMBERS = (
    0,
    1,
    -1,
    24,
    65535,
    65536,
    70000,
    2**31,
    2**32,
    2**63,
    -(2**63),
    1.5,
    "12",
    "-3",
    "1e3",
    "x",
    None,
)
CONTENT_TYPES = (
    "application/json", "application/proto", "application/connect+json", "application/connect+proto",
    "application/grpc", "application/grpc+proto", "application/grpc-web", "application/grpc-web+json",
    "application/grpc-web+proto", "text/plain", "", "application/json; charset=utf-8", "application/connect+xml",
    "multipart/form-data; boundary=x",
)  # fmt: skip


class Fuzzer:
    def __init__(self, seed: int, token: str, port: int, session_id: str) -> None:
        self.rng = random.Random(seed)
        self.token = token
        self.port = port
        self.session_id = session_id  # a live session: Start, Resize, Execute... reach their checks

    def value(self, depth: int = 0) -> Any:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(STRINGS)
        if r < 0.6:
            return self.rng.choice(NUMBERS)
        if r < 0.7 or depth > 2:
            return self.rng.choice((True, False, None))
        if r < 0.85:
            return [self.value(depth + 1) for _ in range(self.rng.randint(0, 3))]
        return {self.rng.choice(("a", "rows", "items", "", "\u0000")): self.value(depth + 1)}

    def maybe(self, good: Any) -> Any:
        return good if self.rng.random() < 0.6 else self.value()

    def program(self) -> dict[str, Any]:
        config: dict[str, Any] = {"script": self.rng.choice(SAFE_SCRIPTS)}
        for key, good in (
            ("programName", self.rng.choice(("", "bash", "sh", "/nonexistent", "ba\u0000sh", "python3"))),
            ("arguments", [self.rng.choice(("-x", "x", "\u0000", "-c"))]),
            ("directory", self.rng.choice(("", "/", "..", "/nonexistent", "/t\u0000mp", "~"))),
            ("languageId", self.rng.choice(("", "sh", "python", "\u0000", "ruby"))),
            ("env", [self.rng.choice(("A=1", "A=\u0000", "\u0000=1", "=", "PATH=", "X" * 3000 + "=1"))]),
            ("interactive", self.rng.choice((True, False))),
            ("background", self.rng.choice((True, False))),
            ("knownName", self.rng.choice(("", "n", "\u0000"))),
            ("commands", {"items": [self.rng.choice(SAFE_SCRIPTS)]}),
        ):
            if self.rng.random() < 0.3:
                config[key] = self.maybe(good)
        if "commands" in config:
            del config["script"]
        return config

    def message(self, method: str) -> Any:
        winsize = {k: self.maybe(self.rng.choice((24, 80, 0, 70000))) for k in ("rows", "cols", "x", "y")}
        fields: dict[str, Any] = {
            "sessionId": self.maybe(
                self.rng.choice(("", "nope", "0" * 32, self.session_id, self.session_id))
            ),
            "executionId": self.maybe(self.rng.choice(("", "nope"))),
            "watcherId": self.maybe(self.rng.choice(("", "w", "w" * 100))),
            "cursor": self.maybe(self.rng.choice(("0", "5", "-1", "18446744073709551616"))),
            "config": self.program() if self.rng.random() < 0.8 else self.value(),
            "winsize": winsize,
            "inputData": self.maybe(base64.b64encode(b"hi").decode()),
            "env": [self.rng.choice(STRINGS)],
            "metadata": {self.rng.choice(STRINGS): self.rng.choice(STRINGS)},
            "mode": self.maybe(self.rng.choice(("STOP_MODE_KILL", "STOP_MODE_UNSPECIFIED", 7, "NOPE"))),
            "directory": self.rng.choice(STRINGS),
            "shell": self.rng.choice(("", "bash", "\u0000", "/nonexistent")),
            "closeStdin": self.maybe(True),
            "release": self.maybe(True),
            self.rng.choice(("unknownField", "\u0000", "")): self.value(),
        }
        if method == "Watch" or (method == "Execute" and self.rng.random() < 0.5):
            fields["sessionId"] = "nope"  # never follow a live session: the stream would not end
        keys = self.rng.sample(sorted(fields), self.rng.randint(0, 6))
        return {k: fields[k] for k in keys}

    def body(self, method: str, content_type: str) -> bytes:
        r = self.rng.random()
        if r < 0.55:
            raw = json.dumps(self.message(method), ensure_ascii=self.rng.random() < 0.5).encode(
                "utf-8", "surrogatepass"
            )
        elif r < 0.7:
            raw = bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 64)))
        elif r < 0.8:
            raw = self.rng.choice(
                (b"{", b"[]", b"null", b"1", b'"x"', b"{}" * 3, b"\xff\xfe", b'{"a":' * 200)
            )
        else:
            raw = b"{}"
        if "connect+" in content_type or "grpc" in content_type or self.rng.random() < 0.15:
            flags = self.rng.choice((0, 0, 0, 1, 2, 3, 0x80))
            length = len(raw) if self.rng.random() < 0.8 else self.rng.choice((0, 1, 2**31, len(raw) + 9))
            if self.rng.random() < 0.1:
                raw = gzip.compress(raw)
            head = struct.pack(">BI", flags, length & 0xFFFFFFFF)
            raw = (head + raw)[: self.rng.choice((None, None, None, 3, 6))]
            if self.rng.random() < 0.1:
                raw += raw
        return raw

    def request(self) -> bytes:
        method_name = self.rng.choice((*METHODS, "Nope", "")) if self.rng.random() < 0.95 else "../x"
        path = (
            SERVICE + method_name if self.rng.random() < 0.95 else self.rng.choice(("/", "/x", "//", "/%00"))
        )
        content_type = self.rng.choice(CONTENT_TYPES)
        if method_name in STREAMS and self.rng.random() < 0.6:
            content_type = self.rng.choice(("application/connect+json", "application/connect+proto"))
        body = self.body(method_name, content_type)
        verb = self.rng.choice(("POST",) * 12 + ("GET", "PUT", "OPTIONS", "DELETE", "HEAD"))
        if verb == "GET" and self.rng.random() < 0.5:
            path += "?encoding=json&message=" + self.rng.choice(("%7B%7D", "%00", "x", "")) + "&base64=" + "1"
        headers = {"Host": f"127.0.0.1:{self.port}", "Content-Type": content_type}
        token = self.rng.random()
        if token < 0.75:
            headers["Authorization"] = f"Bearer {self.token}"
        elif token < 0.85:
            headers["Authorization"] = self.rng.choice(
                ("Bearer", "Bearer x", "Basic x", "bearer " + self.token)
            )
        for name, values in (
            ("Origin", ("http://a:b", "http://a:99999", "http://[::1", "null", "http://127.0.0.1:9", "\x7f")),
            ("Host", ("127.0.0.1:evil.com", "evil", "", "127.0.0.1", "[::1", f"localhost:{self.port}")),
            ("Connect-Timeout-Ms", ("0", "-1", "x", "99999999999", "1")),
            ("Connect-Protocol-Version", ("2", "", "1")),
            ("Content-Encoding", ("gzip", "br", "x", "identity")),
            ("Connect-Content-Encoding", ("gzip", "x")),
            ("Connect-Accept-Encoding", ("gzip", "x")),
            ("Grpc-Timeout", ("1S", "x", "99999999999H")),
            ("Access-Control-Request-Method", ("POST", "X")),
        ):
            if self.rng.random() < 0.08:
                headers[name] = self.rng.choice(values)
        headers["Content-Length"] = str(len(body))
        head = f"{verb} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return head.encode("latin-1", "replace") + b"\r\n" + body


async def read_response(reader: asyncio.StreamReader, head: bool) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if head:
        return status, headers, body
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, body


def stream_error_codes(body: bytes) -> list[str]:
    codes = []
    while len(body) >= 5:
        flags, length = struct.unpack(">BI", body[:5])
        payload, body = body[5 : 5 + length], body[5 + length :]
        if flags & 2:
            try:
                error = json.loads(payload).get("error")
            except ValueError:
                continue
            if error:
                codes.append(error.get("code", ""))
    return codes


async def fuzz(proc: RunnerProcess, count: int, seed: int, workers: int = 6) -> dict[str, Any]:
    results: dict[str, Any] = {"statuses": {}, "server_errors": [], "stream_unknown": []}
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    import httpx

    async with httpx.AsyncClient() as client:
        created = await client.post(
            proc.url + SERVICE + "CreateSession",
            content=b"{}",
            headers={"content-type": "application/json", "authorization": f"Bearer {proc.token}"},
        )
    fuzzer = Fuzzer(seed, proc.token, proc.port, created.json()["session"]["id"])
    for i in range(count):
        queue.put_nowait((i, fuzzer.request()))

    async def worker() -> None:
        reader = writer = None
        while not queue.empty():
            _i, request = queue.get_nowait()
            for _attempt in range(2):
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", proc.port)
                assert reader is not None
                try:
                    writer.write(request)
                    await writer.drain()
                    head = request.split(b" ", 1)[0]
                    status, headers, body = await asyncio.wait_for(read_response(reader, head == b"HEAD"), 30)
                except (
                    ConnectionError,
                    asyncio.IncompleteReadError,
                    ValueError,
                    IndexError,
                    TimeoutError,
                ) as exc:
                    results.setdefault("dropped", []).append((repr(exc), request[:300]))
                    writer.close()
                    reader = writer = None
                    continue
                results["statuses"][status] = results["statuses"].get(status, 0) + 1
                if status >= 500:
                    results["server_errors"].append((status, request[:300], body[:300]))
                if "unknown" in stream_error_codes(body) and head != b"HEAD":
                    results["stream_unknown"].append((request[:300], body[:300]))
                if headers.get("connection") == "close" or head == b"HEAD":
                    writer.close()
                    reader = writer = None
                break

    await asyncio.gather(*(worker() for _ in range(workers)))
    return results


@pytest.fixture(scope="module")
def fuzzed_runner() -> Iterator[RunnerProcess]:
    with RunnerProcess("--allow-origin", "http://127.0.0.1:9", "--stop-grace", "0.2") as proc:
        yield proc


def test_ten_thousand_malformed_requests_get_no_5xx_and_no_traceback(fuzzed_runner: RunnerProcess) -> None:
    count = int(os.environ.get("FENCED_FUZZ_COUNT", "10000"))
    seed = int(os.environ.get("FENCED_FUZZ_SEED", "20261127"))
    results = arun(fuzz(fuzzed_runner, count, seed), timeout=600)
    assert sum(results["statuses"].values()) == count
    assert not results["server_errors"], results["server_errors"][:5]
    assert not results["stream_unknown"], results["stream_unknown"][:5]
    log = "\n".join(fuzzed_runner.stderr_lines)
    assert "Traceback" not in log and "Exception in ASGI" not in log, log[-5000:]
