"""Raw sockets against a real runner: clients that vanish, stall, or never finish their request.

httpx cannot misbehave on purpose, so these helpers speak HTTP/1.1 by hand on a plain socket.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

from tests.runner.support import RunnerProcess

SERVICE = "/fenced.runner.v1.RunnerService/"


def envelope(data: bytes, flags: int = 0) -> bytes:
    return struct.pack(">BI", flags, len(data)) + data


def request_bytes(
    proc: RunnerProcess,
    method: str,
    body: bytes,
    *,
    content_type: str = "application/connect+json",
    token: str | None = "",
    extra: dict[str, str] | None = None,
) -> bytes:
    token = proc.token if token == "" else token
    headers = {
        "Host": f"127.0.0.1:{proc.port}",
        "Content-Type": content_type,
        "Connect-Protocol-Version": "1",
        "Content-Length": str(len(body)),
        **({"Authorization": f"Bearer {token}"} if token is not None else {}),
        **(extra or {}),
    }
    head = f"POST {SERVICE}{method} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


def open_stream(
    proc: RunnerProcess, method: str, message: dict[str, Any], *, rcvbuf: int = 0
) -> socket.socket:
    """Send a Connect streaming request (JSON) and return the socket, response unread.

    `rcvbuf` shrinks the receive buffer (before connecting, so the window is small) for a client that
    stalls without the kernel soaking up megabytes for it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", proc.port))
    sock.sendall(request_bytes(proc, method, envelope(json.dumps(message).encode())))
    return sock


def read_at_least(sock: socket.socket, nbytes: int, timeout: float = 30) -> int:
    """Read and discard until `nbytes` arrived; returns how many did."""
    sock.settimeout(timeout)
    got = 0
    while got < nbytes:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    return got


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """Drain the socket until the runner closes it (True) or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(1 << 20):
                return True
        except TimeoutError:
            return False
        except OSError:  # reset
            return True
    return False


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """One whole HTTP/1.1 response (any framing) from a kept-alive socket: (status, body)."""
    import http.client

    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read()
