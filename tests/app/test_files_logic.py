"""Pure logic of fenced.app.files under CPython: which files open, decoding, draft keys, titles, the
save route, change-on-disk decisions and the folder walk."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenced.app.files import conflict, kinds, state, walk
from fenced.app.files.kinds import FileRejected
from fenced.app.files.state import Base, OpenDocument


def base(data: bytes, mtime: float | None = 1000.0) -> Base:
    return Base(data, data.decode("utf-8"), len(data), mtime)


# --- kinds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["README.md", "a.markdown", "x.MDX", "notes.txt", "README", "doc.Md", "runbook.mkd"]
)
def test_markdown_names_pass(name: str) -> None:
    assert kinds.decode_markdown(name, b"# hi\n") == "# hi\n"


@pytest.mark.parametrize("name", ["photo.png", "a.pdf", "script.sh", "data.json", "book.ipynb"])
def test_other_extensions_are_refused(name: str) -> None:
    with pytest.raises(FileRejected, match="not a Markdown file"):
        kinds.decode_markdown(name, b"# hi\n")


def test_bom_stays_in_the_text_and_round_trips() -> None:
    data = codecs.BOM_UTF8 + "# Titel \u00e4\r\n".encode()
    text = kinds.decode_markdown("a.md", data)
    assert text.startswith("\ufeff")
    assert kinds.encode(text) == data


@given(st.text())
def test_decode_encode_identity(text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates are not text a file can hold
        return
    if b"\x00" in data:
        return
    assert kinds.encode(kinds.decode_markdown("x.md", data)) == data


def test_non_utf8_says_where() -> None:
    with pytest.raises(FileRejected) as err:
        kinds.decode_markdown("latin.md", b"# ok\ncaf\xe9\n")
    msg = str(err.value)
    assert "not UTF-8" in msg and "0xe9" in msg and "line 2" in msg and "Nothing was changed" in msg


def test_utf16_is_named() -> None:
    with pytest.raises(FileRejected, match="UTF-16"):
        kinds.decode_markdown("w.md", "# hi\n".encode("utf-16"))


@pytest.mark.parametrize(
    ("data", "what"),
    [(b"\x89PNG\r\n\x1a\n", "PNG"), (b"%PDF-1.7", "PDF"), (b"PK\x03\x04", "ZIP"), (b"# a\x00b", "NUL")],
)
def test_binary_content_is_refused_even_as_md(data: bytes, what: str) -> None:
    with pytest.raises(FileRejected, match=what):
        kinds.decode_markdown("x.md", data)


def test_size_limit() -> None:
    kinds.check_size("ok.md", kinds.MAX_BYTES)
    with pytest.raises(FileRejected, match=r"20\.0 MB"):
        kinds.check_size("big.md", kinds.MAX_BYTES + 1)
    assert kinds.human_size(512) == "512 bytes" and kinds.human_size(1536) == "1.5 KB"


def test_listed_in_folder_panel() -> None:
    assert kinds.is_listed("a.md") and kinds.is_listed("b.markdown") and kinds.is_listed("c.mdx")
    assert not kinds.is_listed("notes.txt") and not kinds.is_listed("README") and not kinds.is_listed("x.png")
    assert kinds.extension(".profile") == "" and kinds.extension("dir/a.b.MD") == ".md"


# --- state -------------------------------------------------------------------------------------------


def test_draft_key_identifies_the_opened_version() -> None:
    a = state.draft_key("README.md", base(b"one"))
    assert a == state.draft_key("README.md", base(b"one"))
    assert a != state.draft_key("README.md", base(b"two"))
    assert a != state.draft_key("OTHER.md", base(b"one"))
    assert a != state.draft_key("README.md", base(b"one", mtime=2000.0))
    assert state.draft_key("x.md", base(b"one", mtime=None)).count("|") == 3


def test_title_and_save_route() -> None:
    assert state.window_title(None, False) == "Fenced"
    assert state.window_title("a.md", False) == "a.md \u2014 Fenced"
    assert state.window_title("a.md", True) == "\u25cf a.md \u2014 Fenced"
    dropped = OpenDocument("a.md", base(b"x"))
    assert state.save_target(dropped, True) == "save-as"
    assert state.save_target(dropped, False) == "download"
    assert "without write access" in state.no_handle_reason(dropped, True)
    assert state.save_target(OpenDocument("a.md", base(b"x"), handle=object()), False) == "handle"


def test_age() -> None:
    assert state.age(5) == "just now"
    assert state.age(61) == "1 minute ago"
    assert state.age(3 * 3600 + 5) == "3 hours ago"
    assert state.age(2 * 86400) == "2 days ago"


# --- conflict ----------------------------------------------------------------------------------------


def test_changed_on_disk() -> None:
    b = base(b"orig")
    assert not conflict.changed_on_disk(b, b"orig", b"mine")  # untouched
    assert not conflict.changed_on_disk(b, b"mine", b"mine")  # already what we write
    assert conflict.changed_on_disk(b, b"theirs", b"mine")


def test_diff_lines_are_capped() -> None:
    lines = conflict.diff_lines("a\nb\n", "a\nc\n", "x.md")
    assert lines[:2] == ["--- x.md (on disk)", "+++ x.md (yours)"] and "-b" in lines and "+c" in lines
    big = conflict.diff_lines("", "\n".join(map(str, range(1000))), "x.md")
    assert len(big) == conflict.MAX_DIFF_LINES + 1 and big[-1].startswith("...")
    assert conflict.describe_disk(b"ok\xff") == "ok\ufffd"


# --- walk --------------------------------------------------------------------------------------------

Tree = dict[str, Any]  # name -> Tree (folder) or bytes (file)


def run(coro: Any) -> Any:
    """Drive a coroutine that never suspends (fake entries never wait). asyncio.run is not usable here:
    in a session with browser tests, Playwright's sync API already runs a loop on this thread."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the walk suspended on a fake directory")


async def fake_entries(directory: Tree) -> AsyncIterator[tuple[str, str, Any]]:
    for name, child in directory.items():
        yield ("directory" if isinstance(child, dict) else "file"), name, child


def test_walk_lists_markdown_skipping_vcs_and_dependencies() -> None:
    tree: Tree = {
        "z.md": b"",
        "README.md": b"",
        "notes.txt": b"",
        "img.png": b"",
        "docs": {"b.md": b"", "a.markdown": b"", "deep": {"c.mdx": b""}},
        ".git": {"x.md": b""},
        "node_modules": {"pkg": {"README.md": b""}},
        ".github": {"t.md": b""},
    }
    found, truncated = run(walk.walk(tree, fake_entries))
    assert [f.path for f in found] == [
        "README.md",
        "z.md",
        ".github/t.md",
        "docs/a.markdown",
        "docs/b.md",
        "docs/deep/c.mdx",
    ]
    assert not truncated
    assert found[4].handle is tree["docs"]["b.md"]


def test_walk_limits() -> None:
    tree: Tree = {f"{i:04}.md": b"" for i in range(30)}
    found, truncated = run(walk.walk(tree, fake_entries, max_files=10))
    assert len(found) == 10 and truncated
    deep: Tree = {}
    node = deep
    for i in range(walk.MAX_DEPTH + 3):
        node["d"] = {f"f{i}.md": b""}
        node = node["d"]
    found, _ = run(walk.walk(deep, fake_entries))
    assert len(found) == walk.MAX_DEPTH


def test_namesakes_in_the_open_editors_are_told_apart() -> None:
    labels = ["README.md", "docs/index.md", "README.md", "README.md"]
    assert state.distinct_labels(labels) == ["README.md", "docs/index.md", "README.md (2)", "README.md (3)"]
    assert state.distinct_labels([]) == []
