"""Secret values masked in output: ``••••`` for every occurrence, in whole texts and in byte streams.

One rule for the browser (terminal, plain text, saved outputs, export) and the CLI (printed output,
history): every byte that lies inside an occurrence of a secret value is covered, and each run of covered
bytes -- occurrences that overlap or touch -- becomes one :data:`MASK`. So ``abcd`` printed twice in a row
is one mask, and two secrets that overlap are one mask: the output never says how long a secret is or
where one ends.

Which values: a value shorter than :data:`MIN_SECRET_CHARS` characters is not masked (:func:`maskable`):
``1``, ``yes`` or ``dev`` occur in ordinary output everywhere, so masking them would garble the output
and, by where the masks fall, tell more about the value than it hides; such a value is no real secret
(callers say so rather than mask it). Each value is also masked with surrounding whitespace stripped (a
value read with its newline is printed without it) and with ``\\n`` written ``\\r\\n`` (how a terminal
prints a multi-line value). Values are matched as UTF-8 bytes; since UTF-8 is self-synchronising, a match
never starts or ends inside another character. Not masked: a value printed transformed (base64, URL or
JSON escaping, colour codes in the middle of it).

Streams (:class:`Redactor`) arrive in arbitrary chunks, so a secret may be cut between two. The redactor
holds back the shortest end of what it was given that could still be the start of a secret -- never more
than the longest secret less one byte, and nothing at all when the chunk does not end with the beginning
of a secret -- and releases it with the next chunk or :meth:`Redactor.flush` at the end of the stream.
The live cost is thus a delay only for output that ends in what looks like the start of a secret (``hun``
of ``hunter22``), until the next output or the end of the execution. Any chunking gives exactly the
output of masking the whole (property-tested).
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "\u2022\u2022\u2022\u2022"  # ••••
MIN_SECRET_CHARS = 4
_MASK = MASK.encode()


def maskable(value: str) -> bool:
    """Whether `value` is long enough to be masked (see the module docstring)."""
    return len(value.strip()) >= MIN_SECRET_CHARS


def needles(values: Iterable[str]) -> list[bytes]:
    """The byte strings to look for: each maskable value, stripped, and with terminal line ends."""
    out: set[bytes] = set()
    for value in values:
        if not maskable(value):
            continue
        for variant in {value, value.strip()}:
            if len(variant) >= MIN_SECRET_CHARS:
                out.add(variant.encode("utf-8", "surrogatepass"))
                if "\n" in variant:
                    out.add(
                        variant.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8", "surrogatepass")
                    )
    return sorted(out, key=lambda n: (-len(n), n))


def _matches(buf: bytes, found: Iterable[bytes]) -> list[tuple[int, int]]:
    """Every occurrence (overlapping ones too) of every needle, as sorted (start, end) pairs."""
    spans: list[tuple[int, int]] = []
    for needle in found:
        i = buf.find(needle)
        while i >= 0:
            spans.append((i, i + len(needle)))
            i = buf.find(needle, i + 1)
    spans.sort()
    return spans


def mask(data: bytes, values: Iterable[str]) -> bytes:
    """`data` with every run of bytes covered by secret values replaced by one mask."""
    found = needles(values)
    if not found:
        return data
    out = bytearray()
    done = 0  # bytes of data written out (as text or inside a mask)
    end = -1  # end of the current run of covered bytes
    for s, e in _matches(data, found):
        if s <= end:  # overlaps or touches the current run
            end = done = max(end, e)
            continue
        out += data[done:s]
        out += _MASK
        end = done = e
    out += data[done:]
    return bytes(out)


def redact_text(text: str, values: Iterable[str]) -> str:
    """:func:`mask` for text (e.g. a saved output or a history line)."""
    found = [v for v in values if maskable(v)]
    if not found or not text:
        return text
    raw = text.encode("utf-8", "surrogatepass")
    masked = mask(raw, found)
    return text if masked is raw else masked.decode("utf-8", "surrogatepass")


class Redactor:
    """Masks secrets in one output stream fed in chunks; see the module docstring for what it holds back."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._needles: list[bytes] = []
        self._tail = b""  # bytes not yet released (a possible start of a secret)
        self._open: int | None = None  # offset in the tail where an already released mask's run ends
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        """Also mask these values from now on (held-back bytes included)."""
        new = {v for v in values if maskable(v)} - self._values
        if new:
            self._values |= new
            self._needles = needles(self._values)

    @property
    def held(self) -> int:
        """Bytes held back until the next chunk or the end."""
        return len(self._tail)

    @property
    def active(self) -> bool:
        return bool(self._needles)

    def feed(self, data: bytes) -> bytes:
        """What can be shown of the stream so far, given `data`, its next chunk."""
        if not self._needles and not self._tail:
            return data
        return self._release(self._tail + data, final=False)

    def flush(self) -> bytes:
        """The end of the stream: everything still held, masked."""
        if not self._tail:
            self._open = None
            return b""
        return self._release(self._tail, final=True)

    def _safe(self, buf: bytes) -> int:
        """Where the bytes that could still begin a secret start (len(buf) if none could)."""
        safe = len(buf)
        for needle in self._needles:
            s = buf.find(needle[:1], max(0, len(buf) - len(needle) + 1))
            while 0 <= s < safe:
                if needle.startswith(buf[s:]):
                    safe = s
                    break
                s = buf.find(needle[:1], s + 1)
        return safe

    def _release(self, buf: bytes, *, final: bool) -> bytes:
        safe = len(buf) if final else self._safe(buf)
        out = bytearray()
        end = self._open  # the run of an already released mask, if it may still grow
        done = end if end is not None else 0  # bytes of buf released (as text or inside a mask)
        for s, e in _matches(buf, self._needles):
            if end is not None and s <= end:
                if e > end:
                    end = done = e
                continue
            if s >= safe:
                break
            out += buf[done:s]
            out += _MASK
            end = done = e
        if done < safe:
            out += buf[done:safe]
        self._tail = buf[safe:]
        self._open = end - safe if end is not None and end >= safe and not final else None
        if final:
            self._tail = b""
        return bytes(out)
