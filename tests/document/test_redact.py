"""Secret values masked in output: whole strings, and byte streams cut anywhere (issue 15)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fenced.document.redact import MASK, MIN_SECRET_CHARS, Redactor, mask, maskable, redact_text

M = MASK.encode()


def naive(data: bytes, values: list[str]) -> bytes:
    """The definition: every byte inside an occurrence of a needle is covered; each run of covered bytes
    (occurrences that overlap or touch) becomes one mask."""
    needles = [v.encode() for v in values if maskable(v)]
    covered = [False] * len(data)
    for n in needles:
        for i in range(len(data) - len(n) + 1):
            if data[i : i + len(n)] == n:
                for j in range(i, i + len(n)):
                    covered[j] = True
    out = bytearray()
    i = 0
    while i < len(data):
        if covered[i]:
            while i < len(data) and covered[i]:
                i += 1
            out += M
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def streamed(data: bytes, values: list[str], cuts: list[int]) -> bytes:
    r = Redactor(values)
    out = bytearray()
    last = 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        out += r.feed(data[last:cut])
        last = cut
    out += r.feed(data[last:])
    out += r.flush()
    return bytes(out)


def test_every_occurrence_is_masked() -> None:
    assert mask(b"token=hunter22; again hunter22.", ["hunter22"]) == b"token=" + M + b"; again " + M + b"."


def test_text_and_bytes_agree() -> None:
    assert redact_text("pw: s3cr3t-é!", ["s3cr3t-é"]) == f"pw: {MASK}!"


def test_short_values_are_not_masked() -> None:
    assert MIN_SECRET_CHARS == 4
    assert not maskable("abc") and maskable("abcd") and not maskable("")
    assert mask(b"yes yes abc", ["yes", "abc"]) == b"yes yes abc"


def test_min_length_counts_characters_not_bytes() -> None:
    assert not maskable("\u00e9\u00e9\u00e9")  # 3 characters, 6 bytes
    assert maskable("\u00e9\u00e9\u00e9\u00e9")


def test_overlapping_and_touching_secrets_give_one_mask() -> None:
    assert mask(b"xxabcdefghiyy", ["abcdef", "defghi"]) == b"xx" + M + b"yy"
    assert mask(b"abcdabcd", ["abcd"]) == M
    assert mask(b"aaaaaa", ["aaaa"]) == M


def test_a_secret_split_across_chunks_is_masked() -> None:
    r = Redactor(["hunter22"])
    out = r.feed(b"the password is hun") + r.feed(b"ter22, ok") + r.flush()
    assert out == b"the password is " + M + b", ok"


def test_a_secret_split_inside_a_utf8_character() -> None:
    secret = "p\u00e4ss\u20acw\u00f6rd"
    raw = f"-> {secret} <-".encode()
    cut = raw.index("\u20ac".encode()) + 1  # inside the euro sign's three bytes
    r = Redactor([secret])
    assert r.feed(raw[:cut]) + r.feed(raw[cut:]) + r.flush() == b"-> " + M + b" <-"


def test_only_a_possible_start_of_a_secret_is_held_back() -> None:
    r = Redactor(["hunter22"])
    assert r.feed(b"Password: ") == b"Password: "  # no hold: nothing here can start the secret
    assert r.held == 0
    assert r.feed(b"hello hun") == b"hello "
    assert r.held == 3
    assert r.feed(b"gry") == b"hungry"
    assert r.flush() == b""


def test_hold_is_bounded_by_the_longest_secret() -> None:
    r = Redactor(["abcdefgh", "abcd1234abcd1234"])
    for _ in range(50):
        r.feed(b"abcd1234abcd123")
        assert r.held <= len("abcd1234abcd1234") - 1
    assert r.flush().endswith(b"abcd123")


def test_endless_repetition_of_a_secret_stays_bounded() -> None:
    r = Redactor(["abcd"])
    out = bytearray()
    for _ in range(1000):
        out += r.feed(b"abcdabcd")
        assert r.held < 4
    out += r.flush()
    assert bytes(out) == M


def test_without_secrets_output_passes_through_at_once() -> None:
    r = Redactor([])
    assert r.feed(b"abc") == b"abc" and r.held == 0 and r.flush() == b""


def test_secrets_learned_later_apply_to_later_output() -> None:
    r = Redactor([])
    assert r.feed(b"before s3cret-value ") == b"before s3cret-value "
    r.add(["s3cret-value"])
    assert r.feed(b"after s3cret-value") + r.flush() == b"after " + M


def test_terminal_line_endings_and_surrounding_whitespace() -> None:
    # A multi-line secret printed on a terminal has \r\n line ends; a value read with its newline is
    # still masked when printed without it.
    assert mask(b"key:\r\nline1\r\nline2\r\n", ["line1\nline2"]) == b"key:\r\n" + M + b"\r\n"
    assert mask(b"[hunter22]", ["hunter22\n"]) == b"[" + M + b"]"


alphabet = st.sampled_from("ab\u00e9c")
values_st = st.lists(st.text(alphabet, min_size=1, max_size=7), max_size=4)


@settings(max_examples=400, deadline=None)
@given(values_st, st.lists(st.text(alphabet, max_size=9), max_size=8), st.lists(st.integers(0, 200)))
def test_any_chunking_masks_as_the_whole(values: list[str], parts: list[str], cuts: list[int]) -> None:
    data = "".join(parts + values + parts[::-1]).encode()
    whole = mask(data, values)
    assert whole == naive(data, values)
    assert streamed(data, values, cuts) == whole


@settings(max_examples=200, deadline=None)
@given(values_st, st.binary(max_size=60), st.lists(st.integers(0, 80)))
def test_any_bytes_any_chunking(values: list[str], noise: bytes, cuts: list[int]) -> None:
    data = noise + b"".join(v.encode() for v in values) + noise
    assert streamed(data, values, cuts) == naive(data, values)


@settings(max_examples=200, deadline=None)
@given(values_st, st.lists(st.text(alphabet, max_size=9), max_size=8))
def test_no_secret_byte_survives(values: list[str], parts: list[str]) -> None:
    data = "".join(p + v for p, v in zip(parts, values * 3, strict=False)).encode()
    out = mask(data, values)
    for v in values:
        if maskable(v):
            assert v.encode() not in out.replace(M, b"\0")
