"""Connect streaming envelopes: 1 flag byte + 4-byte big-endian length + payload, decoded incrementally.

`EnvelopeDecoder.feed` accepts chunks cut anywhere (mid-header, mid-payload, several envelopes at
once), which is how both fetch's ReadableStream and httpx deliver bytes.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass

from fenced.connect.errors import Code, ConnectError

FLAG_COMPRESSED = 0x01
FLAG_END_STREAM = 0x02
HEADER = struct.Struct(">BI")
DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024


@dataclass(frozen=True)
class Envelope:
    flags: int
    data: bytes

    @property
    def end_stream(self) -> bool:
        return bool(self.flags & FLAG_END_STREAM)


def encode_envelope(data: bytes, flags: int = 0) -> bytes:
    return HEADER.pack(flags, len(data)) + data


class EnvelopeDecoder:
    """Turns arbitrary byte chunks into whole envelopes; `compression` is the stream's encoding."""

    def __init__(self, compression: str = "identity", max_message: int = DEFAULT_MAX_MESSAGE) -> None:
        if compression not in ("identity", "", "gzip"):
            raise ConnectError(Code.INTERNAL, f"unsupported stream compression {compression!r}")
        self._gzip = compression == "gzip"
        self._max = max_message
        self._buf = bytearray()
        self._pos = 0  # start of unconsumed bytes in _buf
        self._need: int | None = None  # payload length once the header is read
        self._flags = 0

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[Envelope]:
        """The envelopes `chunk` completes. Each payload is copied once, out of the chunk itself when
        nothing is held from before (the usual case for bulk output: a network chunk holds whole
        envelopes), else out of the held bytes; only an unfinished envelope's bytes are kept."""
        out: list[Envelope] = []
        if self._pos == len(self._buf):  # nothing held: read the chunk where it is
            self._buf.clear()
            self._pos = 0
            with memoryview(chunk) as view:
                pos = self._parse(view, 0, out)
                self._buf += view[pos:]
            return out
        self._buf += chunk
        with memoryview(self._buf) as view:
            pos = self._parse(view, self._pos, out)
        if pos * 2 >= len(self._buf):  # drop consumed bytes now and then, not per envelope
            del self._buf[:pos]
            pos = 0
        self._pos = pos
        return out

    def _parse(self, view: memoryview, pos: int, out: list[Envelope]) -> int:
        """Append the whole envelopes in `view` from `pos` to `out`; return where the rest begins."""
        size = len(view)
        while True:
            if self._need is None:
                if size - pos < HEADER.size:
                    return pos
                self._flags, self._need = HEADER.unpack_from(view, pos)
                pos += HEADER.size
                if self._need > self._max:
                    raise ConnectError(
                        Code.RESOURCE_EXHAUSTED, f"message of {self._need} bytes exceeds {self._max}"
                    )
            if size - pos < self._need:
                return pos
            data = bytes(view[pos : pos + self._need])
            pos += self._need
            flags, self._need = self._flags, None
            if flags & FLAG_COMPRESSED:
                if not self._gzip:
                    raise ConnectError(Code.INTERNAL, "compressed envelope on an uncompressed stream")
                data = gzip.decompress(data)
            out.append(Envelope(flags, data))

    @property
    def pending(self) -> int:
        """Bytes held that do not yet form a whole envelope (non-zero at EOF means a cut stream)."""
        return len(self._buf) - self._pos + (HEADER.size if self._need is not None else 0)
