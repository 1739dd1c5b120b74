"""`fenced export`: one HTML file from a runbook and its outputs (session file or outputs in the file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fenced.document.inline import with_outputs
from fenced.document.outputs import CellRun, session_outputs
from tests.runner.clisupport import clean_env, fenced

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
RUNBOOK = """# Restart the service

![logo](logo.png) ![outside](../outside.png) ![remote](https://example.com/x.png)

```sh {"name":"status"}
systemctl status app
```

```sh {"name":"restart"}
systemctl restart app
```
"""
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def test_export_with_a_session_file(tmp_path: Path) -> None:
    book = tmp_path / "repo" / "restart.md"
    book.parent.mkdir()
    book.write_text(RUNBOOK)
    (book.parent / "logo.png").write_bytes(PNG)
    (tmp_path / "outside.png").write_bytes(PNG)
    session = book.parent / "restart-S1.md"
    session.write_text(
        session_outputs(
            RUNBOOK,
            {
                1: CellRun("active (running) key=abcd-1234-efgh\n", 0, WHEN, 120),
                2: CellRun("", 1, WHEN, 3000),
            },
            "S1",
            WHEN,
        )
    )
    out = tmp_path / "report.html"
    done = fenced(
        "export",
        str(book),
        "--outputs",
        str(session),
        "-o",
        str(out),
        env=clean_env(API_KEY="abcd-1234-efgh"),
    )
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert "<title>Restart the service</title>" in html
    assert "active (running) key=\u2022\u2022\u2022\u2022" in html and "abcd-1234-efgh" not in html
    assert 'data-exit-code="0"' in html and 'data-exit-code="1"' in html and "exit code 1 \u00b7 3s" in html
    assert '<img src="data:image/png;base64,' in html  # inside the folder: inlined
    assert "[image: outside]" in html and "[image: remote]" in html  # outside the repository, remote
    assert "outside.png" not in html.replace("[image: outside]", "")


def test_export_with_outputs_in_the_file_to_stdout(tmp_path: Path) -> None:
    book = tmp_path / "restart.md"
    book.write_text(with_outputs(RUNBOOK, {1: CellRun("kept in the file\n", 0, WHEN, 5)}))
    done = fenced("export", str(book), "-o", "-", "--title", "T")
    assert done.returncode == 0, done.stderr
    assert "kept in the file" in done.stdout and "<title>T</title>" in done.stdout


def test_export_of_a_missing_file_says_so(tmp_path: Path) -> None:
    done = fenced("export", str(tmp_path / "nope.md"), "-o", str(tmp_path / "x.html"))
    assert done.returncode == 2 and "no such file" in done.stderr
    assert not (tmp_path / "x.html").exists()
