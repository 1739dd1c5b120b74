"""A small static file server for the built app (demo and tests): HTTP/1.1 keep-alive, revalidation always.

Every response carries `Cache-Control: no-cache` and a strong-enough ETag (size, mtime in ns, inode), so the
browser revalidates each file and gets a cheap 304 when nothing changed. We deliberately send no
`Last-Modified`: npm ships vendored files with 1985 mtimes, so a date would both invite heuristic caching for
years and make two different versions of a file look the same to `If-Modified-Since`.
Any real static host works for production; this one exists so the demo and tests need nothing else.

Every response also carries the security headers a `<meta>` cannot give (docs/security.md): the page may
not be framed by another site (`frame-ancestors 'none'`: a runbook app that runs commands must not be
click-jacked) and sends no Referer. The page's own Content-Security-Policy is the `<meta>` in index.html.
"""

from __future__ import annotations

import http.server
import mimetypes
import os
import posixpath
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".py": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".map": "application/json",
}


#: Sent with every response; what index.html's CSP <meta> cannot say.
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


class StaticHandler(http.server.BaseHTTPRequestHandler):
    """GET/HEAD for files under `root`; directory requests serve their index.html."""

    protocol_version = "HTTP/1.1"  # keep-alive: every response has a Content-Length
    # Headers and body are two writes: with Nagle's algorithm on, a small body waited for the browser's
    # delayed ACK of the headers (40 ms on Linux), so every small file of a cold load took ~45 ms.
    disable_nagle_algorithm = True
    server_version = "fenced-static"
    root: Path = Path(".")

    def log_message(self, format: str, *args: object) -> None:
        if os.environ.get("FENCED_STATIC_LOG"):
            super().log_message(format, *args)

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _resolve(self) -> Path | None:
        path = urllib.parse.urlsplit(self.path).path
        path = posixpath.normpath(urllib.parse.unquote(path))
        parts = [p for p in path.split("/") if p and p not in (".", "..")]
        target = self.root.joinpath(*parts)
        if target.is_dir():
            target = target / "index.html"
        try:
            target.resolve().relative_to(self.root.resolve())
        except ValueError:
            return None
        return target if target.is_file() else None

    def _serve(self, body: bool) -> None:
        target = self._resolve()
        if target is None:
            self._send_plain(404, b"not found\n", body)
            return
        st = target.stat()
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}-{st.st_ino:x}"'
        if etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(st.st_size))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("ETag", etag)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            with target.open("rb") as f:
                while chunk := f.read(1 << 20):
                    self.wfile.write(chunk)

    def _send_plain(self, status: int, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)


class StaticServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A browser that closes a connection mid-response (a reload, a closed tab) is routine: no
        traceback in the terminal for it; anything else is still reported."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        super().handle_error(request, client_address)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0) -> StaticServer:
    """A server for `root` bound to host:port (0 = ephemeral); call serve_forever() or use `serving`."""
    handler = type("BoundStaticHandler", (StaticHandler,), {"root": Path(root)})
    return StaticServer((host, port), handler)


def url_of(server: StaticServer) -> str:
    host, port = server.socket.getsockname()[:2]
    return f"http://{host}:{port}/"


@contextmanager
def serving(root: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `root` in a background thread for the duration of the block; yields the base URL."""
    server = make_server(root, host, port)
    thread = threading.Thread(target=server.serve_forever, name="fenced-static", daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
