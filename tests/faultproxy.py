"""A WAN on loopback: a TCP proxy with fixed latency each way, a bandwidth cap, and resets on demand.

For tests and benchmarks only (bench/wan.py): asyncio on a thread of its own, so synchronous code
(Playwright's sync API) drives it. It binds 127.0.0.1 only and is bounded: at most `max_connections`
at once, and each direction of a connection holds at most `window` bytes in flight, then stops reading
(so the sender sees TCP back-pressure, as behind a real bottleneck).

The model of a direction (`Link`, shared by every connection, like one access line): a chunk read at
time t leaves the bottleneck at max(t, when the previous chunk left) + size / rate, and arrives
`latency` later. Chunks of one connection arrive in order. A new connection costs a round trip, as the
TCP handshake does: the client's loopback connect returns at once, so its first bytes are held back
until one RTT after the accept.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
CHUNK = 16 * 1024  # the bottleneck's granularity: a 16 KiB chunk takes 13 ms at 10 Mbit/s
DEFAULT_WINDOW = 256 * 1024


@dataclass
class Link:
    """One direction of the line: fixed one-way `latency` (s) and a shared `rate` cap (bits/s, None = no
    cap). `bytes` counts what crossed it."""

    latency: float = 0.0
    rate: float | None = None
    free_at: float = 0.0
    bytes: int = 0

    def schedule(self, now: float, size: int) -> float:
        """When a chunk of `size` bytes read `now` (or then ready to go) arrives at the other end."""
        start = max(now, self.free_at)
        done = start + (size * 8 / self.rate if self.rate else 0.0)
        self.free_at = done
        self.bytes += size
        return done + self.latency


@dataclass(eq=False)
class _Conn:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class FaultProxy:
    """`with FaultProxy(("127.0.0.1", port), rtt=0.1, rate=10e6) as proxy:` then connect to `proxy.port`."""

    def __init__(
        self,
        target: tuple[str, int],
        *,
        rtt: float = 0.0,
        rate: float | None = None,
        window: int = DEFAULT_WINDOW,
        max_connections: int = 256,
    ) -> None:
        self.target = target
        self.up = Link(rtt / 2, rate)  # client -> target
        self.down = Link(rtt / 2, rate)  # target -> client
        self.window = window
        self.max_connections = max_connections
        self.refuse = False
        self.connections_opened = 0
        self.resets = 0
        self._conns: set[_Conn] = set()
        self._handlers: set[asyncio.Task[Any]] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="faultproxy")
        self._thread.start()
        self._server = self._call(self._listen())
        self.port: int = self._server.sockets[0].getsockname()[1]

    # --- control (from any thread) ----------------------------------------------------------------

    def reset(self) -> int:
        """Reset (TCP RST) every open connection on both sides; returns how many there were."""
        return self._call(self._reset_all())

    @property
    def open_connections(self) -> int:
        return len(self._conns)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    # --- the proxy (on its loop) ------------------------------------------------------------------

    async def _listen(self) -> asyncio.Server:
        return await asyncio.start_server(self._accept, "127.0.0.1", 0)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._proxy(reader, writer)
        finally:
            self._handlers.discard(task)

    async def _proxy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse or len(self._conns) >= self.max_connections:
            _abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _abort(writer)
            return
        for w in (writer, up_writer):
            sock = w.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections_opened += 1
        conn = _Conn(writer, up_writer)
        self._conns.add(conn)
        handshake_done = asyncio.get_running_loop().time() + 2 * self.up.latency
        conn.tasks = [
            asyncio.ensure_future(self._pipe(reader, up_writer, self.up, handshake_done)),
            asyncio.ensure_future(self._pipe(up_reader, writer, self.down)),
        ]
        await asyncio.gather(*conn.tasks, return_exceptions=True)
        self._conns.discard(conn)
        for w in (writer, up_writer):
            w.close()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link, ready: float = 0.0
    ) -> None:
        """Read, schedule through the link (not before `ready`), deliver in order; pass a half-close on."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        room = asyncio.Semaphore(max(1, self.window // CHUNK))

        async def deliver() -> None:
            while True:
                at, data = await queue.get()
                delay = at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not data:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                writer.write(data)
                room.release()
                await writer.drain()

        sender = asyncio.ensure_future(deliver())
        try:
            while True:
                await room.acquire()
                data = await reader.read(CHUNK)
                if not data:
                    queue.put_nowait((link.schedule(max(loop.time(), ready), 0), b""))
                    break
                queue.put_nowait((link.schedule(max(loop.time(), ready), len(data)), data))
            await sender
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            sender.cancel()

    async def _reset_all(self) -> int:
        conns, self._conns = list(self._conns), set()
        for conn in conns:
            for task in conn.tasks:
                task.cancel()
            _abort(conn.client)
            _abort(conn.upstream)
        self.resets += len(conns)
        return len(conns)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        await self._reset_all()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a middlebox that drops a connection does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def wait_until(condition: Callable[[], T], timeout: float = 30, interval: float = 0.01) -> T:
    """Poll until `condition()` is truthy; returns it (raises TimeoutError after `timeout` s)."""
    import time

    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(interval)
    return value
