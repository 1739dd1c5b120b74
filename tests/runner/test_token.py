"""Generated tokens can be pasted after `--token` on any command line."""

from __future__ import annotations

from fenced.runner.config import generate_token


def test_generated_tokens_never_read_as_an_option() -> None:
    # One token_urlsafe in 64 starts with "-"; 4,000 draws make a regression all but certain to show.
    tokens = [generate_token(16) for _ in range(4000)]
    assert not [t for t in tokens if t.startswith("-")]
    assert len(set(tokens)) == len(tokens)
