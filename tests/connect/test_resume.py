"""The sans-I/O core of the one resume loop: dedupe across reconnects, following one execution,
acknowledgement pacing, retry policy; and that it is the only loop (engine and CLI use it)."""

from __future__ import annotations

import ast
from pathlib import Path

from fenced.connect import Code, ConnectError, RetryPolicy
from fenced.connect.resume import ACK_INTERVAL, ALL_BUT_NOT_FOUND, NO_RETRY, ResumeState

PY = Path(__file__).resolve().parents[2] / "py" / "fenced"


def output(seq: int, data: bytes, execution: str = "e1", offset: int = 0) -> dict:
    import base64

    return {
        "seq": str(seq),
        "executionId": execution,
        "output": {"stream": "STREAM_STDOUT", "offset": str(offset), "data": base64.b64encode(data).decode()},
    }


def test_events_already_delivered_are_not_delivered_again() -> None:
    state = ResumeState("s", 0)
    assert [e.seq for e in state.accept({"events": [output(1, b"a"), output(2, b"b")]})] == [1, 2]
    # a resume replays from an older cursor (or the runner sends an overlap): only what is new passes
    assert [e.seq for e in state.accept({"events": [output(2, b"b"), output(3, b"c")]})] == [3]
    assert state.cursor == 3
    assert state.watch_request() == {"sessionId": "s", "cursor": "3", "watcherId": state.watcher_id}


def test_a_watcher_id_is_chosen_once_and_kept() -> None:
    a, b = ResumeState("s"), ResumeState("s")
    assert a.watcher_id != b.watcher_id and len(a.watcher_id) == 32
    assert ResumeState("s", watcher_id="mine").watch_request()["watcherId"] == "mine"


def test_following_one_execution_skips_the_others_and_ends_at_its_exit() -> None:
    state = ResumeState()
    first = state.accept({"sessionId": "s", "executionId": "e1", "cursor": "4"})
    assert first == [] and (state.session_id, state.execution_id) == ("s", "e1")
    events = state.accept(
        {
            "events": [
                output(5, b"x", "e2"),
                output(6, b"y", "e1"),
                {"seq": "7", "executionId": "e1", "exited": {"exitCode": 0}},
                output(8, b"z", "e1"),
            ]
        }
    )
    assert [e.seq for e in events] == [6, 7]
    assert state.finished and state.cursor == 7
    assert state.ended() is None  # nothing more to come: no reconnect


def test_acknowledgements_follow_bytes_and_time() -> None:
    state = ResumeState("s")
    state.accept({"events": [output(1, b"x" * 100)]})
    assert not state.ack_due(now=100.0)  # the runner asked for none (an older runner)
    state.accept({"ackBytes": "1000"})
    assert state.ack_due(now=100.0)  # nothing acknowledged yet, and the last ack is long ago
    state.acknowledged(state.cursor, now=100.0)
    state.accept({"events": [output(2, b"x" * 999)]})
    assert not state.ack_due(now=100.0 + ACK_INTERVAL / 2)
    state.accept({"events": [output(3, b"x")]})
    assert state.ack_due(now=100.0 + ACK_INTERVAL / 2)  # 1000 bytes since the last ack
    state.acknowledged(3, now=101.0)
    assert not state.ack_due(now=200.0)  # nothing new: nothing to say
    state.accept({"events": [output(4, b"x")]})
    assert state.ack_due(now=101.0 + ACK_INTERVAL)  # a little, but long enough ago
    assert state.ack_request(release=True) == {
        "sessionId": "s",
        "watcherId": state.watcher_id,
        "cursor": "4",
        "release": True,
    }


def test_retry_policy() -> None:
    state = ResumeState("s", policy=RetryPolicy(delays=(0.1, 0.2)))
    cut = ConnectError(Code.UNAVAILABLE, "cut")
    assert state.failed(cut) == 0.1 and state.failed(cut) == 0.2 and state.failed(cut) is None
    assert state.reconnects == 2
    state.accept({})  # a message: the count of failures in a row starts again
    assert state.failed(cut) == 0.1
    assert state.failed(ConnectError(Code.UNAUTHENTICATED)) is None  # final by default
    assert state.ended() is None  # the runner ended it: done, by default
    page = ResumeState(
        "s",
        policy=RetryPolicy(delays=(0.1, 0.2), forever=True, codes=ALL_BUT_NOT_FOUND, reconnect_on_end=True),
    )
    assert [page.failed(ConnectError(Code.INTERNAL)) for _ in range(4)] == [0.1, 0.2, 0.2, 0.2]
    assert page.failed(ConnectError(Code.NOT_FOUND)) is None  # the session is gone
    assert page.ended() == 0.2
    assert ResumeState("s", policy=NO_RETRY).failed(cut) is None
    assert ResumeState("", policy=RetryPolicy()).failed(cut) is None  # an Execute that never started


def _names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    return names


def test_there_is_one_resume_loop() -> None:
    """Only fenced.connect opens streams and decides on retries: the page's engine and the CLI use it."""
    for path in [*PY.joinpath("app").rglob("*.py"), *PY.joinpath("commands").rglob("*.py")]:
        names = _names(path)
        assert not names & {"StreamParser", "stream_request", "EnvelopeDecoder"}, path
        text = path.read_text()
        assert "RETRY_DELAYS" not in text and '"Watch"' not in text, path
    engine = (PY / "app" / "run" / "engine.py").read_text()
    assert "self.client.watch(" in engine and "stream.batches()" in engine
    assert "self.client.watch(" in (PY / "commands" / "running" / "remote.py").read_text()
