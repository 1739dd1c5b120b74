"""Pure parts of running cells: runner settings from the address, status messages, cell -> Program,
and that the pure modules stay importable without a browser."""

from __future__ import annotations

import subprocess
import sys

from fenced.app.run import program, settings, status
from fenced.connect import Code, ConnectError
from fenced.connect.messages import Info, Limits
from fenced.document import loads


def test_location_parsing_takes_the_token_out() -> None:
    assert settings.from_location("?runner=http://h:1", "#token=abc") == ("http://h:1", "abc", "")
    assert settings.from_location("", "#runner=http%3A%2F%2Fh%3A2&token=t&x=1") == ("http://h:2", "t", "#x=1")
    assert settings.from_location("?a=b", "#section") == (None, None, "#section")
    assert settings.state_key("http://h:1/", "README.md") == "fenced.run:http://h:1:README.md"
    assert settings.from_location("?runner=https://h/runner/", "#token=t")[0] == "https://h/runner/"
    prefixed = settings.state_key("https://h/runner", "a.md")
    assert prefixed == settings.state_key("https://h/runner/", "a.md") == "fenced.run:https://h/runner:a.md"


def test_status_messages() -> None:
    url, origin = "http://127.0.0.1:9", "http://127.0.0.1:8"
    down = status.failure(ConnectError(Code.UNAVAILABLE, "x"), url, origin, reachable=False)
    cors = status.failure(ConnectError(Code.UNAVAILABLE, "x"), url, origin, reachable=True)
    auth = status.failure(ConnectError(Code.UNAUTHENTICATED, "x"), url, origin, None)
    old = status.failure(ConnectError(Code.UNIMPLEMENTED, "HTTP 404"), url, origin, None)
    assert [s.reason for s in (down, cors, auth, old)] == [
        "unreachable",
        "cors",
        "unauthorized",
        "incompatible",
    ]
    assert "--allow-origin http://127.0.0.1:8" in cors.text and "unreachable" in down.text.lower()
    assert status.compatible("0.1.3", "0.1.0") and not status.compatible("0.2.0", "0.1.0")
    assert status.compatible("1.4.0", "1.0.0") and not status.compatible("", "0.1.0")
    info = Info("0.1.0", "box", "ana", "/bin/bash", "Linux", Limits())
    assert status.connected(info, "https://box.example").text == "Connected to https://box.example (ana@box)"
    assert status.incompatible("9.0.0", url).reason == "incompatible"
    assert status.check_url("127.0.0.1:8765") and not status.check_url("https://runner.example")
    assert status.run_disabled_reason(status.connected(info, url)) == ""
    assert status.check_url("http://me:pw@h:1")
    assert status.run_disabled_reason(down).startswith("Cannot run: Runner unreachable")


def test_program_for_cells() -> None:
    nb = loads(
        "---\nshell: zsh\ncwd: /srv\nterminalRows: 7\n---\n\n"
        '```sh {"name":"a","cwd":"sub","interactive":"false","background":"true","id":"01X"}\n$ echo hi\n  $ ls\n```\n\n'
        '```python {"interpreter":"python3 -u","terminalRows":"30"}\nprint(1)\n```\n\n'
        "```json\n{}\n```\n"
    )
    a, py, _js = nb.code_cells()
    p = program.program_for(a.source, a.language, dict(a.attributes), name=a.name)
    assert (p.script, p.directory, p.interactive, p.background, p.known_id, p.known_name) == (
        "echo hi\n  ls",
        "sub",
        False,
        True,
        "01X",
        "a",
    )
    q = program.program_for(py.source, py.language, dict(py.attributes))
    assert (q.program_name, tuple(q.arguments), q.interactive, q.script) == (
        "python3",
        ("-u",),
        True,
        "print(1)",
    )
    assert program.session_spec(nb.frontmatter) == program.SessionSpec("zsh", "/srv")
    assert program.max_rows(dict(a.attributes), nb.frontmatter) == 7
    assert program.max_rows(dict(py.attributes), nb.frontmatter) == 30
    assert (
        program.runnable("json", "")
        and not program.runnable("json", "jq .")
        and not program.runnable("bash", "")
    )


def test_pure_modules_import_without_a_browser() -> None:
    code = (
        "import sys; import fenced.app.run, fenced.app.run.engine, fenced.app.run.controller, "
        "fenced.app.run.plaintext, fenced.app.run.program, fenced.app.run.status, fenced.app.run.settings, "
        "fenced.document.prompts, fenced.document.outputs; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('js', 'pyodide', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_adjacent_output_chunks_are_coalesced() -> None:
    from fenced.app.run.stream import coalesce
    from fenced.connect.messages import Event, Exited, Output

    def out(seq: int, eid: str, stream: str, offset: int, data: bytes) -> Event:
        return Event(seq, eid, output=Output(stream, offset, data))

    events = [
        out(1, "a", "stdout", 0, b"ab"),
        out(2, "a", "stdout", 2, b"cd"),
        out(3, "a", "stdout", 4, b"e"),
        out(4, "a", "stderr", 0, b"x"),
        out(5, "b", "stdout", 0, b"y"),
        out(6, "b", "stdout", 1, b"z"),
        Event(7, "b", exited=Exited(0)),
        out(8, "a", "stdout", 5, b"f"),
    ]
    merged = coalesce(events)
    assert [(e.seq, e.kind, e.output.data if e.output else None) for e in merged] == [
        (1, "output", b"abcde"),
        (4, "output", b"x"),
        (5, "output", b"yz"),
        (7, "exited", None),
        (8, "output", b"f"),
    ]
