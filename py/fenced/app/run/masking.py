"""Secrets masked in what the page shows and keeps of a session's output (issue 15).

Pure (no `js`), unit-tested under CPython. One `Masking` per run engine (per document session): it knows
the secret values of the session -- answers to prompts for secret variables, and the secret variables a
cell exported (`Exited.secret_env`) -- and gives each stream of each execution its own
`fenced.document.redact.Redactor`, so a secret cut between two output events is still masked: the
redactor holds back the end of a chunk that could begin a secret until the next chunk, or until the
execution ends (`flush`). The engine masks output *before* the sink sees it, so the terminal, the
plain-text copy (`data-output-text`), Save with outputs and the export all get masked bytes only.

Values live in this object only (memory): never stored. A page reloaded while a cell runs replays its
output from the runner; the answers typed before the reload are gone, so only exported secrets (the
runner reports them again) are masked in the replay.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from fenced.document.redact import Redactor, maskable, redact_text


class Masking:
    def __init__(self) -> None:
        self.values: set[str] = set()
        self._streams: dict[tuple[Hashable, str], Redactor] = {}

    def learn(self, values: Iterable[str]) -> list[str]:
        """Mask these values from now on (in output still held back too); returns the new maskable ones."""
        new = [v for v in values if maskable(v) and v not in self.values]
        if new:
            self.values.update(new)
            for redactor in self._streams.values():
                redactor.add(new)
        return new

    def feed(self, run: Hashable, stream: str, data: bytes) -> bytes:
        """What may be shown of `data`, the next chunk of `run`'s `stream`."""
        redactor = self._streams.get((run, stream))
        if redactor is None:
            if not self.values:
                return data
            redactor = self._streams[(run, stream)] = Redactor(self.values)
        return redactor.feed(data)

    def flush(self, run: Hashable) -> list[tuple[str, bytes]]:
        """The run ended: what each of its streams still held back, masked (and forget its streams)."""
        out = []
        for key in [k for k in self._streams if k[0] == run]:
            rest = self._streams.pop(key).flush()
            if rest:
                out.append((key[1], rest))
        return out

    def text(self, text: str) -> str:
        """`text` with the session's secrets masked (code, prose, saved outputs)."""
        return redact_text(text, self.values)
