"""The static server: no-cache + ETag revalidation for every file, HTTP/1.1 keep-alive, no path escapes."""

from __future__ import annotations

import http.client
import os
import urllib.parse
from pathlib import Path
from typing import Any

from fenced.static import serving


def _conn(url: str) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)


def test_no_cache_etag_and_keep_alive(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>hi</h1>")
    (tmp_path / "vendor").mkdir()
    wasm = tmp_path / "vendor" / "x.wasm"
    wasm.write_bytes(b"\0asm" + b"\1" * 100)
    os.utime(wasm, (499_162_500, 499_162_500))  # 1985, like npm's files
    with serving(tmp_path) as url:
        conn = _conn(url)
        conn.request("GET", "/")
        r1 = conn.getresponse()
        assert r1.status == 200 and r1.read() == b"<h1>hi</h1>"
        assert r1.getheader("Cache-Control") == "no-cache"
        # What a CSP <meta> cannot say: no framing by other sites; and no Referer from the page.
        assert r1.getheader("Content-Security-Policy") == "frame-ancestors 'none'"
        assert r1.getheader("Referrer-Policy") == "no-referrer"
        sock = conn.sock
        # Same connection (keep-alive): the socket object survives the second request.
        conn.request("GET", "/vendor/x.wasm")
        r2 = conn.getresponse()
        body = r2.read()
        assert conn.sock is sock
        assert r2.status == 200 and body == wasm.read_bytes()
        assert r2.getheader("Content-Type") == "application/wasm"
        assert r2.getheader("Cache-Control") == "no-cache"
        assert r2.getheader("Last-Modified") is None  # 1985 dates must not drive caching
        etag = r2.getheader("ETag")
        assert etag
        conn.request("GET", "/vendor/x.wasm", headers={"If-None-Match": etag})
        r3 = conn.getresponse()
        assert r3.status == 304 and r3.read() == b""
        # A new version of the file with the same (1985) mtime and size still gets a new ETag.
        replacement = tmp_path / "vendor" / "x.wasm.new"
        replacement.write_bytes(b"\0asm" + b"\2" * 100)
        os.utime(replacement, (499_162_500, 499_162_500))
        os.replace(replacement, wasm)
        conn.request("GET", "/vendor/x.wasm", headers={"If-None-Match": etag})
        r4 = conn.getresponse()
        assert r4.status == 200 and r4.read() == wasm.read_bytes()
        conn.close()


def test_missing_and_escaping_paths_are_404(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("no")
    with serving(root) as url:
        conn = _conn(url)
        for path in ("/nope.js", "/../secret.txt", "/%2e%2e/secret.txt"):
            conn.request("GET", path)
            r = conn.getresponse()
            assert r.status == 404, path
            assert r.read() != b"no"
        conn.close()


def test_a_client_gone_mid_response_is_not_reported_other_errors_are(tmp_path: Path, capsys: Any) -> None:
    """A reload or a closed tab resets connections mid-response: `fenced serve` prints no traceback for
    that, but still does for a real failure."""
    from fenced.static import make_server

    server = make_server(tmp_path)
    try:
        for gone in (ConnectionResetError(), BrokenPipeError()):
            try:
                raise gone
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a bug" in capsys.readouterr().err
    finally:
        server.server_close()


def test_responses_are_sent_without_nagle_delay(tmp_path: Path) -> None:
    """Headers and body are two writes: with Nagle's algorithm on, a small body waited for the client's
    delayed ACK of the headers (40 ms on Linux), so each small file of a cold page load took ~45 ms."""
    import socket
    import threading

    from fenced.static import StaticHandler, StaticServer

    seen: list[int] = []

    class Probe(StaticHandler):
        root = tmp_path

        def handle(self) -> None:
            seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            super().handle()

    (tmp_path / "a.js").write_text("x")
    server = StaticServer(("127.0.0.1", 0), Probe)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.socket.getsockname()[:2]
        conn = _conn(f"http://{host}:{port}/")
        conn.request("GET", "/a.js")
        assert conn.getresponse().read() == b"x"
    finally:
        server.shutdown()
        server.server_close()
    assert seen and all(seen)
