"""The WAN-on-loopback proxy the network benchmarks rely on: it delays, caps, resets, counts, and bounds."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.faultproxy import FaultProxy


@pytest.fixture()
def echo() -> Iterator[int]:
    """A loopback echo server (a thread per connection) that stops with the test."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


def turned_away(s: socket.socket) -> bool:
    """The proxy dropped this connection: EOF or a reset, never data."""
    try:
        return s.recv(10) == b""
    except ConnectionResetError:
        return True


def refused(port: int) -> bool:
    """A new connection is dropped at once (the reset may come before `connect` even returns)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
    except ConnectionResetError:
        return True
    with s:
        return turned_away(s)


def roundtrip(port: int, payload: bytes) -> tuple[bytes, float]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        began = time.monotonic()
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(65536)
            assert chunk, "closed early"
            got += chunk
        return got, time.monotonic() - began


def test_latency_each_way_adds_up_to_the_round_trip(echo: int) -> None:
    with FaultProxy(("127.0.0.1", echo), rtt=0.2) as proxy:
        got, took = roundtrip(proxy.port, b"ping")
        assert got == b"ping" and took >= 0.4  # a new connection: the handshake's round trip, then ours
        assert proxy.connections_opened == 1
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
            s.sendall(b"a")
            assert s.recv(1) == b"a"
            began = time.monotonic()
            s.sendall(b"b")
            assert s.recv(1) == b"b"
            assert 0.2 <= time.monotonic() - began < 0.4  # on an open connection: one round trip


def test_the_rate_cap_paces_bytes_and_keeps_them_whole(echo: int) -> None:
    payload = bytes(range(256)) * 1000  # 256 kB: 2 s at 1 Mbit/s each way, shared by nothing else
    with FaultProxy(("127.0.0.1", echo), rate=2e6) as proxy:
        got, took = roundtrip(proxy.port, payload)
    assert got == payload
    assert took >= len(payload) * 8 / 2e6  # both directions are capped; pipelined, so about once


def test_reset_cuts_open_connections_and_refuse_keeps_new_ones_out(echo: int) -> None:
    with FaultProxy(("127.0.0.1", echo)) as proxy:
        s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        s.sendall(b"x")
        assert s.recv(10) == b"x"
        assert proxy.reset() == 1
        assert turned_away(s)
        s.close()
        proxy.refuse = True
        assert refused(proxy.port)
        proxy.refuse = False
        assert roundtrip(proxy.port, b"again")[0] == b"again"
        assert proxy.connections_opened == 2 and proxy.resets == 1


def test_it_is_bounded(echo: int) -> None:
    with FaultProxy(("127.0.0.1", echo), max_connections=2) as proxy:
        a = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        b = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        for s in (a, b):
            s.sendall(b"1")
            assert s.recv(1) == b"1"
        assert refused(proxy.port)  # a third is turned away
        assert proxy.open_connections == 2
        a.close()
        b.close()
