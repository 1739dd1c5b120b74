"""`create_app(config)`: the runner as one ASGI app (guard -> Connect service), for uvicorn or a host app.

The returned `RunnerApp` owns its `Runner` (`app.runner`); ASGI lifespan shutdown, or `await
app.runner.close()`, stops every execution. Requests outside the service path go to `fallback` (e.g. the
static Fenced app of `fenced serve`) or to a small landing page; the Host and Origin checks apply to all.
"""

from __future__ import annotations

from connectrpc.compat import google_protobuf_binary_codec
from connectrpc.compat._codec import ProtoJSONCodec
from google.protobuf.json_format import MessageToJson
from google.protobuf.message import Message as ProtoMessage

from fenced._proto.runner.v1.runner_connect import RunnerServiceASGIApplication
from fenced.runner.config import RunnerConfig
from fenced.runner.core import Runner
from fenced.runner.guard import ASGIApp, BearerAuth, Guard, Receive, Scope, Send
from fenced.runner.service import RunnerServiceImpl

SERVICE_PATH = "/fenced.runner.v1.RunnerService/"


class CompactJSONCodec(ProtoJSONCodec):
    """Proto JSON without the pretty-printing of `MessageToJson`'s default (output streams are large)."""

    def encode(self, message: ProtoMessage) -> bytes:
        return MessageToJson(message, indent=None).encode()


class RunnerApp:
    """ASGI callable; `runner` is the live state, `config` how it was built."""

    def __init__(self, config: RunnerConfig, fallback: ASGIApp | None = None) -> None:
        self.config = config
        self.runner = Runner(config)
        connect = RunnerServiceASGIApplication(
            RunnerServiceImpl(self.runner),
            interceptors=[BearerAuth(config.token)],
            read_max_bytes=config.max_request_bytes,
            codecs=[google_protobuf_binary_codec(), CompactJSONCodec()],
        )
        self._app = Guard(connect, config, SERVICE_PATH, fallback)

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
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(config: RunnerConfig, *, fallback: ASGIApp | None = None) -> RunnerApp:
    """Build the runner's ASGI app; `config.token` must be set (see `fenced.runner.config.generate_token`)."""
    return RunnerApp(config, fallback)
