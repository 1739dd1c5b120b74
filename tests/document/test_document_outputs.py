"""Session-outputs files (Runme's format): the fixture is reproduced byte for byte from its runbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import FIXTURES

from fenced.document import loads
from fenced.document.outputs import CellRun, go_duration, go_time, outputs_name, session_outputs

PROJECT = FIXTURES / "runmedev-runme" / "project" / "testdata" / "dir-project"
SESSION = PROJECT / "session-01HJS35FZ2K0JBWPVAXPMMVTGN.md"
EST = dt.timezone(dt.timedelta(hours=-5))


def test_reproduces_runmes_fixture(runme_corpus: Path) -> None:
    expected = SESSION.read_text()
    # The runbook it came from: no session in the frontmatter, no output in the fence.
    runbook = expected.replace(
        "  session:\n    id: 01HJS35FZ2K0JBWPVAXPMMVTGN\n    updated: 2023-12-28 15:16:06-05:00\n", ""
    ).replace(
        "\n\n# Ran on 2023-12-28 15:52:03-05:00 for 719ms exited with 0\ni am a session outputs file", ""
    )
    assert "Ran on" not in runbook and "session:" not in runbook
    index = next(i for i, c in enumerate(loads(runbook).cells) if c.kind == "code")
    run = CellRun("i am a session outputs file\n", 0, dt.datetime(2023, 12, 28, 15, 52, 3, tzinfo=EST), 719)
    out = session_outputs(
        runbook, {index: run}, "01HJS35FZ2K0JBWPVAXPMMVTGN", dt.datetime(2023, 12, 28, 15, 16, 6, tzinfo=EST)
    )
    assert out == expected


def test_rest_of_document_kept_and_fences_lengthened() -> None:
    runbook = 'Intro  \r\n\r\n```sh {"name":"a"}\r\necho \'```\'\r\n```\r\n\r\n```sh\r\nls\r\n```\r\n'
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    out = session_outputs(runbook, {1: CellRun("```\n", 3, when, 1500)}, "S1", when)
    assert out.startswith("---\r\nrunme:\r\n  session:\r\n    id: S1\r\n")
    body = out.split("---\r\n\r\n", 1)[1]
    assert body.startswith('Intro  \r\n\r\n````sh {"name":"a"}\r\necho \'```\'\r\n\r\n')
    assert "# Ran on 2024-01-02 03:04:05Z for 1.5s exited with 3\r\n```\r\n````\r\n" in body
    assert body.endswith("```sh\r\nls\r\n```\r\n")  # not run: untouched


def test_toml_and_json_frontmatter() -> None:
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=EST)
    toml = session_outputs('+++\ntitle = "x"\n+++\n\n```sh\nls\n```\n', {}, "S", when)
    assert 'updated = "2024-01-02 03:04:05-05:00"' in toml and toml.startswith('+++\ntitle = "x"\n')
    js = session_outputs('{\n  "title": "x"\n}\n\n```sh\nls\n```\n', {}, "S", when)
    assert '"session"' in js and '"updated": "2024-01-02 03:04:05-05:00"' in js


def test_durations_and_names() -> None:
    assert [go_duration(ms) for ms in (0, 5, 719, 1000, 1500, 61_250, 3_723_000)] == [
        "0s",
        "5ms",
        "719ms",
        "1s",
        "1.5s",
        "1m1.25s",
        "1h2m3s",
    ]
    assert go_time(dt.datetime(2023, 12, 28, 15, 52, 3, tzinfo=EST)) == "2023-12-28 15:52:03-05:00"
    assert outputs_name("README.md", "01H") == "README-01H.md"
    assert outputs_name("notes", "X") == "notes-X.md"


def test_reads_runmes_fixture_back(runme_corpus: Path) -> None:
    from fenced.document.outputs import read_session

    (cell,) = [c for c in read_session(SESSION.read_text()) if c.run is not None]
    assert cell.run is not None
    assert cell.run.output == "i am a session outputs file"
    assert cell.run.exit_code == 0 and cell.run.duration_ms == 719
    assert cell.run.started == dt.datetime(2023, 12, 28, 15, 52, 3, tzinfo=EST)
    assert "Ran on" not in cell.source


def test_session_runs_pair_with_the_runbooks_cells() -> None:
    from fenced.document.outputs import session_runs

    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    runbook = '# T\n\n```sh {"name":"a"}\necho a\n```\n\n```sh {"name":"b"}\necho b\n```\n'
    runs = {2: CellRun("b out\n", 1, when, 2500), 1: CellRun("", 0, when, 5)}
    session = session_outputs(runbook, runs, "S1", when)
    got = session_runs(loads(runbook), session)
    assert set(got) == {1, 2}
    assert got[2].output == "b out" and got[2].exit_code == 1 and got[2].duration_ms == 2500
    assert got[1].output == "" and got[1].duration_ms == 5
    # the runbook gained a cell since: still paired by name
    grown = runbook.replace("# T\n", '# T\n\n```sh {"name":"new"}\necho new\n```\n')
    got = session_runs(loads(grown), session)
    assert sorted(got) == [2, 3] and got[3].exit_code == 1
