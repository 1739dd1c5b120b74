"""Which runner, with which token (fenced.app.run.settings): the book of runners kept per origin, and the
decision on a runner named by the page's address (use it, ask, or leave things as they are)."""

from __future__ import annotations

import pytest

from fenced.app.run.settings import (
    Offer,
    RunnerBook,
    decide,
    read_address,
    runner_key,
    short_name,
    state_key,
)


def test_runner_keys_are_what_the_user_sees_and_what_tokens_are_kept_under() -> None:
    assert runner_key("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert runner_key(" HTTPS://Runner.Example.COM:443/runner/ ") == "https://runner.example.com/runner"
    assert runner_key("http://host:80") == "http://host"
    assert runner_key("https://host:8443/a/b?x=1#y") == "https://host:8443/a/b"
    assert runner_key("http://user:pw@host:1") == "http://host:1"  # no user info hides the host
    assert runner_key("https://bücher.example") == "https://xn--bcher-kva.example"  # no look-alikes
    assert runner_key("http://[::1]:9/") == "http://[::1]:9"
    assert runner_key("127.0.0.1:8765") == "127.0.0.1:8765"  # no URL: left for check_url to refuse
    assert short_name("https://runner.example.com/runner/") == "runner.example.com/runner"
    assert state_key("http://h:1/", "README.md") == "fenced.run:http://h:1:README.md"


def test_the_address_loses_its_runner_and_token_and_keeps_the_rest() -> None:
    a = read_address("?runner=http://h:1&x=2", "#token=abc")
    assert (a.url, a.token, a.search, a.fragment) == ("http://h:1", "abc", "?x=2", "")
    b = read_address("", "#runner=http%3A%2F%2Fh%3A2&token=t&x=1")
    assert (b.url, b.token, b.search, b.fragment) == ("http://h:2", "t", "", "#x=1")
    c = read_address("?a=b", "#section")
    assert (c.url, c.token, c.search, c.fragment, c.names_runner) == (None, None, "?a=b", "#section", False)
    assert read_address("?token=t", "").token == "t" and read_address("?token=t", "").search == ""


def test_tokens_are_kept_per_runner_and_never_handed_to_another() -> None:
    book = RunnerBook()
    a = book.put("http://127.0.0.1:1/", "ta")
    b = book.put("https://team.example/runner", "tb", label="team")
    assert book.token_for("http://127.0.0.1:1") == "ta"
    assert book.token_for("https://TEAM.example/runner/") == "tb"
    assert book.token_for("https://team.example") == ""  # same host, another runner: not its token
    assert book.token_for("http://127.0.0.1:2") == ""
    book.put(a, None, "mine")  # a new label keeps the token
    assert book.get(a) is not None and book.get(a).token == "ta" and book.get(a).label == "mine"
    book.use(b)
    book.remove(b)
    assert book.current == a and book.token_for(b) == "" and [r.url for r in book.runners] == [a]


def test_the_book_survives_storage_and_damage_reads_as_empty() -> None:
    book = RunnerBook()
    book.use("http://a:1", "doc-1")
    book.put("http://a:1", "ta")
    book.use("http://b:2/", "doc-2")
    again = RunnerBook.loads(book.dumps())
    assert again == book
    for damaged in ("{", "[]", '{"runners": [{"url": 3}], "current": "http://x:1"}', '"x"'):
        assert RunnerBook.loads(damaged).current == ""
    assert RunnerBook.loads('{"runners":[{"url":"http://a:1"}],"current":"http://zz:9"}').current == ""
    legacy = RunnerBook.loads(None, "http://old:5/", "told")
    assert (legacy.current, legacy.token_for("http://old:5")) == ("http://old:5", "told")
    assert RunnerBook.loads(None, None, "orphan-token") == RunnerBook()


def test_each_document_remembers_its_runner() -> None:
    book = RunnerBook()
    book.use("http://a:1", "projA/README.md")
    book.use("http://b:2", "projB/README.md")
    assert book.current == "http://b:2"
    assert book.runner_for("projA/README.md") == "http://a:1"
    assert book.runner_for("projB/README.md") == "http://b:2"
    assert book.runner_for("new.md") == book.runner_for(None) == "http://b:2"  # new documents: in use
    book.move_document("projA/README.md", "projA/NEW.md")
    assert book.runner_for("projA/NEW.md") == "http://a:1"
    book.remove("http://a:1")
    assert book.runner_for("projA/NEW.md") == "http://b:2"


def test_remembered_documents_are_bounded() -> None:
    from fenced.app.run import settings

    book = RunnerBook()
    for i in range(settings.MAX_DOCUMENTS + 10):
        book.use("http://a:1", f"doc-{i}")
    assert len(book.documents) == settings.MAX_DOCUMENTS and "doc-0" not in book.documents


def offer(book: RunnerBook, search: str, fragment: str = "") -> Offer:
    return decide(book, read_address(search, fragment))


@pytest.mark.parametrize(
    ("search", "fragment", "expected"),
    [
        ("", "", Offer("none")),
        ("?runner=http://a:1/", "#token=ta", Offer("use", "http://a:1", "ta")),
        ("?runner=http://a:1", "", Offer("use", "http://a:1", None)),
        ("", "#token=lonely", Offer("ignore")),
    ],
)
def test_first_use_takes_the_address_runner(search: str, fragment: str, expected: Offer) -> None:
    assert offer(RunnerBook(), search, fragment) == expected


@pytest.mark.parametrize(
    ("search", "fragment", "expected"),
    [
        ("?runner=http://mine:1", "#token=tm", Offer("same", "http://mine:1", "tm")),
        ("?runner=HTTP://Mine:1/", "", Offer("same", "http://mine:1", None)),
        ("?runner=http://evil:6", "#token=te", Offer("ask", "http://evil:6", "te")),
        ("?runner=http://evil:6", "", Offer("ask", "http://evil:6", None)),
        ("?runner=http://mine:1", "#token=other", Offer("ask", "http://mine:1", "other")),
        ("", "#token=other", Offer("ask", "http://mine:1", "other")),
        ("", "#token=tm", Offer("same", "http://mine:1", "tm")),
        ("?runner=http://known:2", "", Offer("ask", "http://known:2", None)),
    ],
)
def test_a_change_of_runner_or_token_is_asked(search: str, fragment: str, expected: Offer) -> None:
    book = RunnerBook()
    book.put("http://known:2", "tk")
    book.use(book.put("http://mine:1", "tm"))
    assert offer(book, search, fragment) == expected
