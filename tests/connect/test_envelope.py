"""The incremental envelope decoder takes chunks cut anywhere."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenced.connect.envelope import FLAG_COMPRESSED, FLAG_END_STREAM, EnvelopeDecoder, encode_envelope
from fenced.connect.errors import Code, ConnectError


@given(
    payloads=st.lists(st.binary(max_size=300), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=20),
    as_view=st.booleans(),
)
def test_any_chunking_yields_the_same_envelopes(
    payloads: list[bytes], cuts: list[int], as_view: bool
) -> None:
    stream = b"".join(encode_envelope(p) for p in payloads) + encode_envelope(b"{}", FLAG_END_STREAM)
    points = sorted({c % (len(stream) + 1) for c in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    decoder = EnvelopeDecoder()
    got = []
    for chunk in chunks:
        if as_view:  # memoryview slices are what the stream reader hands on: nothing may keep one
            held = bytearray(chunk)
            got += decoder.feed(memoryview(held))
            held[:] = bytes(len(held))
        else:
            got += decoder.feed(chunk)
    assert all(type(e.data) is bytes for e in got)
    assert [e.data for e in got] == [*payloads, b"{}"]
    assert [e.end_stream for e in got] == [False] * len(payloads) + [True]
    assert decoder.pending == 0


def test_one_byte_at_a_time_and_pending() -> None:
    stream = encode_envelope(b"hello") + encode_envelope(b"world")
    decoder = EnvelopeDecoder()
    out = []
    for i, byte in enumerate(stream):
        out += decoder.feed(bytes([byte]))
        if i == 2:
            assert decoder.pending == 3
    assert [e.data for e in out] == [b"hello", b"world"]


def test_gzip_envelopes() -> None:
    decoder = EnvelopeDecoder("gzip")
    [env] = decoder.feed(encode_envelope(gzip.compress(b"squeezed"), FLAG_COMPRESSED))
    assert env.data == b"squeezed"
    with pytest.raises(ConnectError) as err:
        EnvelopeDecoder().feed(encode_envelope(b"x", FLAG_COMPRESSED))
    assert err.value.code == Code.INTERNAL


def test_oversized_message_is_refused_before_it_is_buffered() -> None:
    decoder = EnvelopeDecoder(max_message=10)
    with pytest.raises(ConnectError) as err:
        decoder.feed(b"\x00\x00\x00\x00\x0b")
    assert err.value.code == Code.RESOURCE_EXHAUSTED
