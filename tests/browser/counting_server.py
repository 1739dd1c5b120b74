"""A loopback HTTP server that records every request it gets: the "somebody else's host" of the tests
that check what opening a runbook contacts (tracking pixels, frames, pings...).

Images (`*.png`) are answered with a 1x1 PNG, anything else with a short text; nothing is cached.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f"
    "00050001ff89993d1d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class CountingServer:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._cond = threading.Condition()
        self.base = ""

    def record(self, seen: Seen) -> None:
        with self._cond:
            self.requests.append(seen)
            self._cond.notify_all()

    def paths(self) -> list[str]:
        with self._cond:
            return [r.path for r in self.requests]

    def wait_for(self, predicate: Callable[[list[Seen]], bool], timeout: float = 10.0) -> list[Seen]:
        """Block until `predicate(requests)` holds (or fail after `timeout` seconds)."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self.requests), timeout):
                raise AssertionError(f"timed out; requests so far: {[r.path for r in self.requests]}")
            return list(self.requests)


@contextmanager
def counting_server() -> Iterator[CountingServer]:
    log = CountingServer()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self, body: bool) -> None:
            log.record(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
            data, ctype = (
                (PNG_1PX, "image/png") if self.path.split("?")[0].endswith(".png") else (b"x", "text/plain")
            )
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def do_POST(self) -> None:  # <a ping> and form posts
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._answer(True)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    host, port = server.socket.getsockname()[:2]
    log.base = f"http://{host}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="counting-server", daemon=True)
    thread.start()
    try:
        yield log
    finally:
        server.shutdown()
        server.server_close()
