"""Terminal output to plain text: escapes stripped, \\r progress lines, chunks split anywhere."""

from __future__ import annotations

import random

from fenced.app.run.plaintext import PlainText, strip


def feed_all(chunks: list[bytes]) -> str:
    conv = PlainText()
    out = []
    for chunk in chunks:
        done, _line = conv.feed(chunk)
        out.append(done)
    done, line = conv.feed(b"", final=True)
    return "".join(out) + done + line


SAMPLE = (
    b"\x1b[1;31mred\x1b[0m plain\r\n"
    b"\x1b]0;window title\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n"
    b"progress 10%\rprogress 50%\rprogress 100%\n"
    b"abcdef\rXY\n"
    b"wrong\x1b[2K\rright\n"
    b"12345\x1b[3Gx\x1b[K\n"
    b"tab\there \xe2\x82\xac\x1b(B\x1b=done\x07\n"
    b"back\x08\x08ck\n"
    b"no newline"
)
EXPECTED = "red plain\nlink\nprogress 100%\nXYcdef\nright\n12x\ntab\there \u20acdone\nback\nno newline"


def test_strip() -> None:
    assert strip(SAMPLE) == EXPECTED


def test_any_chunking_gives_the_same_text() -> None:
    rng = random.Random(7)
    for _ in range(300):
        cuts = sorted(rng.sample(range(1, len(SAMPLE)), rng.randint(1, 12)))
        chunks = [SAMPLE[a:b] for a, b in zip([0, *cuts], [*cuts, len(SAMPLE)], strict=True)]
        assert feed_all(chunks) == EXPECTED
    assert feed_all([bytes([b]) for b in SAMPLE]) == EXPECTED


def test_current_line_is_reported_and_rewritten() -> None:
    conv = PlainText()
    assert conv.feed(b"a\nprogress 1%") == ("a\n", "progress 1%")
    assert conv.feed(b"\rprogress 99%") == ("", "progress 99%")
    assert conv.feed(b"\r") == ("", "progress 99%")  # \r held: it may be the start of \r\n
    assert conv.feed(b"\nnext") == ("progress 99%\n", "next")
    assert conv.length == len("a\nprogress 99%\n")


def test_fast_path_large_output() -> None:
    data = "".join(f"{i}\n" for i in range(1, 200_001)).encode()
    conv = PlainText()
    parts = [conv.feed(data[i : i + 65_536])[0] for i in range(0, len(data), 65_536)]
    assert "".join(parts) == data.decode()


def test_endless_line_is_committed_in_pieces() -> None:
    conv = PlainText()
    done = "".join(conv.feed(b"x" * 50_000)[0] for _ in range(4))
    assert len(done) + len(conv.line) == 200_000 and len(conv.line) < 100_000
