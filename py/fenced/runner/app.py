"""`create_app(config)`: the runner as one ASGI app (guard -> Connect service), for uvicorn or a host app.

The returned `RunnerApp` owns its `Runner` (`app.runner`); ASGI lifespan shutdown, or `await
app.runner.close()`, stops every execution. Requests outside the service path go to `fallback` (e.g. the
static Fenced app of `fenced serve`) or to a small landing page; the Host and Origin checks apply to all.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from pathlib import Path

from connectrpc.compat import google_protobuf_binary_codec
from connectrpc.compat._codec import ProtoJSONCodec
from connectrpc.compression.gzip import GzipCompression
from google.protobuf.json_format import MessageToJson
from google.protobuf.message import Message as ProtoMessage

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced._proto.runner.v1.runner_connect import RunnerServiceASGIApplication
from fenced.runner.audit import AuditLog
from fenced.runner.compress import GzipStreams
from fenced.runner.config import RunnerConfig
from fenced.runner.core import Runner
from fenced.runner.guard import ASGIApp, Guard, Receive, Scope, Send
from fenced.runner.health import HealthCheck
from fenced.runner.service import RunnerServiceImpl
from fenced.runner.tokens import TokenAuth, TokenBook
from fenced.runner.unbuffered import Unbuffered

SERVICE_PATH = "/fenced.runner.v1.RunnerService/"


class CompactJSONCodec(ProtoJSONCodec[ProtoMessage]):
    """Proto JSON, compact, with a fast path for the output-heavy stream messages.

    `MessageToJson` pretty-prints and runs `json.dumps` over every base64 payload, which capped a stream
    at ~40 MB/s; base64 and hex ids need no escaping, so output events are spliced together directly. An
    output event going to several watchers is encoded once (base64 was a quarter of the runner's time
    with 300 of them): a small cache by every field the encoding holds (data compared, not hashed).
    """

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[tuple[str, int, int, int], tuple[bytes, bytes]] = {}  # -> (data, encoded event)
        self._cached = 0

    def encode(self, message: ProtoMessage) -> bytes:
        if isinstance(message, (pb.WatchResponse, pb.ExecuteResponse)):
            return _encode_stream_message(message, self._event)
        return MessageToJson(message, indent=None).encode()

    def _event(self, event: pb.Event) -> bytes:
        if not event.HasField("output"):
            return _encode_event(event)
        out = event.output
        key, data = (event.execution_id, event.seq, out.stream, out.offset), out.data
        hit = self._cache.get(key)
        if hit is not None and hit[0] == data:
            return hit[1]
        encoded = _encode_event(event)
        self._cache[key] = (data, encoded)
        self._cached += len(data) + len(encoded)
        while self._cached > ENCODED_CACHE_BYTES:  # oldest first (dicts keep insertion order)
            old_data, old_encoded = self._cache.pop(next(iter(self._cache)))
            self._cached -= len(old_data) + len(old_encoded)
        return encoded


ENCODED_CACHE_BYTES = 8 * 1024 * 1024


_STREAM_NAMES = {pb.STREAM_STDOUT: b"STREAM_STDOUT", pb.STREAM_STDERR: b"STREAM_STDERR"}


def _encode_event(event: pb.Event) -> bytes:
    if not event.HasField("output"):
        return MessageToJson(event, indent=None).encode()
    out = event.output
    return b"".join(
        (
            b'{"seq":"',
            str(event.seq).encode(),
            b'","executionId":',
            json.dumps(event.execution_id).encode(),
            b',"output":{"stream":"',
            _STREAM_NAMES.get(out.stream, b"STREAM_UNSPECIFIED"),
            b'","offset":"',
            str(out.offset).encode(),
            b'","data":"',
            binascii.b2a_base64(out.data, newline=False),
            b'"}}',
        )
    )


def _encode_stream_message(
    message: pb.WatchResponse | pb.ExecuteResponse, encode_event: Callable[[pb.Event], bytes] = _encode_event
) -> bytes:
    parts = []
    if isinstance(message, pb.ExecuteResponse):
        parts.append(b'"sessionId":' + json.dumps(message.session_id).encode())
        parts.append(b'"executionId":' + json.dumps(message.execution_id).encode())
    if message.events:
        parts.append(b'"events":[' + b",".join(encode_event(e) for e in message.events) + b"]")
    if message.cursor:
        parts.append(b'"cursor":"' + str(message.cursor).encode() + b'"')
    if message.ack_bytes:
        parts.append(b'"ackBytes":"' + str(message.ack_bytes).encode() + b'"')
    return b"{" + b",".join(parts) + b"}"


class RunnerApp:
    """ASGI callable; `runner` is the live state, `config` how it was built, `tokens` whom it serves.

    Layers, outermost first: /healthz (no token, no Host check), Guard (Host, CORS), streams marked
    unbuffered for reverse proxies and gzipped for remote clients, the token check, the Connect service.
    """

    def __init__(self, config: RunnerConfig, fallback: ASGIApp | None = None) -> None:
        self.config = config
        self.tokens = (
            TokenBook.from_file(Path(config.tokens_file))
            if config.tokens_file
            else TokenBook.single(config.token)
        )
        self.audit = AuditLog(Path(config.audit_log)) if config.audit_log else None
        self.runner = Runner(config, observers=[self.audit] if self.audit else [])
        connect = RunnerServiceASGIApplication(
            RunnerServiceImpl(self.runner),
            interceptors=[TokenAuth(self.tokens)],
            read_max_bytes=config.max_request_bytes,
            codecs=[google_protobuf_binary_codec(), CompactJSONCodec()],
            compressions=[GzipCompression()],  # as the guard's ENCODINGS says
        )
        streams = Unbuffered(GzipStreams(connect, config.compress))
        guarded = Guard(streams, config, SERVICE_PATH, fallback)
        self._app = HealthCheck(guarded, lambda: not self.runner.closing)

    def reload(self) -> None:
        """SIGHUP: re-read the tokens file and reopen the audit log (after logrotate moved it)."""
        self.tokens.reload()
        if self.audit is not None:
            self.audit.reopen()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self._app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.runner.close()
                if self.audit is not None:
                    self.audit.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(config: RunnerConfig, *, fallback: ASGIApp | None = None) -> RunnerApp:
    """Build the runner's ASGI app; `config.token` (or `config.tokens_file`) must be set (see
    `fenced.runner.config.generate_token`). Raises `TokensFileError` for an unusable tokens file."""
    return RunnerApp(config, fallback)
