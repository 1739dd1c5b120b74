"""Secret values a client asks the runner to mask in one execution's output (`ProgramConfig.mask_values`).

The page masks what it shows with the secrets it knows, but a page reloaded while or after a cell ran
knows only what the runner tells it again (`Exited.secret_env`: exported secrets). An answer to a prompt
that the script used and never exported (it ran `unset`, or only passed it to a command) was shown
masked before the reload and in clear in the replay. So the client also hands the runner the values it
knows to be secret, and the runner masks them before it keeps or sends a byte: every watcher, every
replay and the next cell's `$__` get masked output. The same rule as everywhere
(`fenced.document.redact`: one `Redactor` per stream, so a value cut between two reads is still masked);
the values live in this object only, for the execution's life.
"""

from __future__ import annotations

from collections.abc import Iterable

from fenced.document.redact import Redactor, maskable, redact_text


class OutputMask:
    def __init__(self, values: Iterable[str]) -> None:
        self._values = sorted({v for v in values if maskable(v)})
        self._streams: dict[int, Redactor] = {}

    @property
    def active(self) -> bool:
        return bool(self._values)

    def feed(self, stream: int, data: bytes) -> bytes:
        """What may be kept and sent of `data`, the next chunk of `stream` (part may be held back)."""
        redactor = self._streams.get(stream)
        if redactor is None:
            redactor = self._streams[stream] = Redactor(self._values)
        return redactor.feed(data)

    def flush(self) -> list[tuple[int, bytes]]:
        """The execution ended: what each stream still held back, masked."""
        out = [(stream, redactor.flush()) for stream, redactor in self._streams.items()]
        self._streams.clear()
        return [(stream, rest) for stream, rest in out if rest]

    def text(self, text: str) -> str:
        """`text` (e.g. the command, for the audit log's digest) with the values masked."""
        return redact_text(text, self._values) if self._values else text
