"""The run history's record: one execution, as the CLI's history file and the page's panel keep it."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from fenced.document.ansi import strip
from fenced.document.history import MAX_LINE_CHARS, HistoryRecord, keep_newest, summarize
from fenced.document.redact import MASK

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.UTC)


def test_summary_keeps_first_and_last_lines_plain_and_masked() -> None:
    text = "".join(f"\x1b[32mline {i}\x1b[0m\r\n" for i in range(10)) + "token hunter22\n"
    first, last, left_out = summarize(text, ["hunter22"], head=2, tail=2)
    assert first == ("line 0", "line 1") and last == ("line 9", f"token {MASK}") and left_out == 7
    assert summarize("a\nb\n", (), head=2, tail=2) == (("a", "b"), (), 0)
    assert summarize("", ()) == ((), (), 0)
    (long,), _, _ = summarize("x" * 5000, ())
    assert len(long) <= MAX_LINE_CHARS + 1


@given(
    lines=st.lists(st.text(alphabet="ab \x1b[m\u00e9", max_size=300), max_size=12),
    head=st.integers(0, 4),
    tail=st.integers(0, 4),
)
def test_summary_is_the_first_and_last_lines_of_all(lines: list[str], head: int, tail: int) -> None:
    """Only the kept lines are split off (an output may have millions); the same as cutting them all."""
    text = "\n".join(lines)
    plain = strip(text).rstrip("\n")
    every = [
        line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + "\u2026"
        for line in plain.split("\n")
    ]
    got = summarize(text, (), head=head, tail=tail)
    if not plain:
        assert got == ((), (), 0)
    elif len(every) <= head + tail:
        assert got == (tuple(every[:head]), tuple(every[head:]), 0)
    else:
        assert got == (tuple(every[:head]), tuple(every[-tail:] if tail else ()), len(every) - head - tail)


def test_record_round_trip_as_one_json_line() -> None:
    record = HistoryRecord(
        cell="deploy",
        document="/srv/runbooks/deploy.md",
        runner="https://runner.example.com",
        started=WHEN,
        duration_ms=1234,
        exit_code=0,
        first_lines=("a",),
        last_lines=("z",),
        left_out=3,
    )
    line = record.to_json()
    assert "\n" not in line and json.loads(line)["cell"] == "deploy"
    assert HistoryRecord.from_json(line) == record


def test_reading_is_lenient() -> None:
    assert HistoryRecord.from_json("not json") is None
    assert HistoryRecord.from_json("[1]") is None
    partial = HistoryRecord.from_json('{"cell": "x", "started": "2024-05-06T07:08:09Z", "future": 1}')
    assert partial is not None and partial.cell == "x" and partial.exit_code is None


def test_keep_newest_bounds_the_size() -> None:
    lines = [f'{{"n": {i}}}\n' for i in range(1000)]
    kept = keep_newest(lines, 1000)
    assert sum(len(x.encode()) for x in kept) <= 1000
    assert kept[-1] == lines[-1] and kept == lines[-len(kept) :]


_PIECES = st.sampled_from(
    ["a", "é", "line", "\n", "\r\n", "\r", "\b", "\t", "\x07", "\x00", " ", "x" * 300, "\n\n"]
)


@given(
    st.lists(_PIECES, max_size=60),
    st.integers(0, 4),
    st.integers(0, 4),
    st.integers(200, 2000),
    st.lists(_PIECES, max_size=8),
)
@settings(max_examples=200, deadline=None)
def test_a_long_output_is_summarised_from_its_ends_exactly_as_from_the_whole(
    pieces: list[str], head: int, tail: int, repeat: int, end: list[str]
) -> None:
    """The quick path (only the lines kept are stripped) gives what stripping the whole output gives:
    carriage returns, backspaces and control characters on the ends' lines, blank lines at the end."""
    from fenced.document.history import _summarize_all

    body = "".join(pieces) or "z"
    output = "".join(f"{i} {body}\n" for i in range(repeat)) + "".join(end)
    assert summarize(output, (), head=head, tail=tail) == _summarize_all(output, (), head, tail)


def test_a_long_output_with_escapes_or_secrets_is_still_summarised_whole() -> None:
    lines = "".join(f"line {i}\n" for i in range(5000))
    osc = "\x1b]0;title\nwith a line end\x07"  # an escape sequence may span lines: the whole is stripped
    assert summarize(osc + lines)[0][0] == "line 0"
    secret = "hunter2-secret"
    first, last, _ = summarize(f"{secret} first\n" + lines + f"pre {secret} post\n", [secret])
    assert (first[0], last[-1]) == (f"{MASK} first", f"pre {MASK} post")


@given(
    st.lists(_PIECES, max_size=40),
    st.integers(50, 3000),
    st.integers(0, 4),
    st.integers(0, 4),
    st.integers(1, 40_000),
    st.integers(1, 40_000),
)
@settings(max_examples=150, deadline=None)
def test_the_summary_from_the_ends_is_the_whole_ones_or_none(
    pieces: list[str], repeat: int, head: int, tail: int, first: int, last: int
) -> None:
    """Whatever the ends (the page cuts them at line ends; here anywhere), `summarize_ends` gives what
    the whole gives, or None (then the whole is read)."""
    from fenced.document.history import OutputEnds, _summarize_all, summarize_ends

    output = "".join(f"{i} {''.join(pieces)}\n" for i in range(repeat))
    ends = OutputEnds(output[:first], output[-last:], output.count("\n"))
    got = summarize_ends(ends, (), head=head, tail=tail)
    assert got is None or got == _summarize_all(output, (), head, tail)


def test_the_ends_are_not_enough_with_a_secret_or_few_lines() -> None:
    from fenced.document.history import OutputEnds, summarize_ends

    lines = "".join(f"line {i}\n" for i in range(1000))
    ends = OutputEnds(lines[:5000], lines[-5000:], 1000)
    assert summarize_ends(ends) == (("line 0", "line 1", "line 2"), ("line 997", "line 998", "line 999"), 994)
    assert summarize_ends(ends, ["hunter2-secret"]) is None  # a masked value may hold line ends
    assert summarize_ends(OutputEnds("a\n", "b\n", 10)) is None
    assert summarize_ends(OutputEnds("no line end in the first part", lines[-5000:], 1000)) is None
