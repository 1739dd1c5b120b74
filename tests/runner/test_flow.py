"""Outputs that flow (fenced.runner.flow): `$__` and `fenced_out NAME`, checked with real shells."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fenced.runner.flow import CAP, Capture, Flow, as_text

SHELLS = [s for s in ("sh", "bash", "dash", "zsh") if shutil.which(s)]


def run_in(shell: str, flow: Flow, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [shell, "-c", flow.prelude() + script],
        capture_output=True,
        text=True,
        env={**flow.env(), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_fenced_out_by_name_and_previous(shell: str, tmp_path: Path) -> None:
    flow = Flow(tmp_path / "flow")
    flow.record("build", b"image abc123\n", terminal=False, background=False)
    flow.record("it's (odd)*", b"odd\n", terminal=False, background=False)
    flow.record("server", b"server log\n", terminal=False, background=True)
    done = run_in(
        shell,
        flow,
        'echo "[$__]"; fenced_out build; fenced_out "it\'s (odd)*"; x=$(fenced_out server); echo "$x"',
    )
    assert done.stdout == "[odd]\nimage abc123\nodd\nserver log\n", done.stderr
    missing = run_in(shell, flow, "fenced_out nope; echo status=$?")
    assert missing.stdout == "status=1\n"
    assert "no output of a cell named nope" in missing.stderr


def test_terminal_output_and_caps(tmp_path: Path) -> None:
    assert as_text(b"\x1b[32mok\x1b[0m\r\nnext\x00\r\n", terminal=True) == "ok\nnext\n"
    assert as_text(b"\xff\xfe raw\n", terminal=False).encode("utf-8", "surrogateescape") == b"\xff\xfe raw\n"
    capture = Capture()
    capture.add(b"x" * (CAP - 1))
    capture.add(b"yz")
    assert len(capture.data) == CAP and capture.cut and capture.data.endswith(b"y")
    flow = Flow(tmp_path / "flow")
    flow.record("", b"a\n\n\n", terminal=False, background=False)
    assert flow.env() == {"__": "a"}


def test_names_are_bounded_and_files_go_with_the_session(tmp_path: Path) -> None:
    from fenced.runner import flow as module

    flow = Flow(tmp_path / "flow")
    for i in range(module.MAX_NAMES + 5):
        flow.record(f"c{i}", b"x\n", terminal=False, background=False)
    flow.record("c300", b"again\n", terminal=False, background=False)
    assert len(list((tmp_path / "flow").iterdir())) == module.MAX_NAMES
    assert "c0)" not in flow.prelude() and "c260)" in flow.prelude()
    flow.close()
    assert not (tmp_path / "flow").exists()


def test_secret_changes_are_the_new_or_changed_secret_variables() -> None:
    from fenced.runner.secretenv import secret_changes

    before = {"HOME": "/root", "GITHUB_TOKEN": "host-token", "A_PASSWORD": "old"}
    after = {**before, "A_PASSWORD": "new", "DB_URL": "postgres://x", "API_KEY": "k-123", "PLAIN": "1"}
    assert secret_changes(before, after) == {"A_PASSWORD": "new", "API_KEY": "k-123"}
    assert secret_changes(before, after, ["DB_URL"]) == {
        "A_PASSWORD": "new",
        "API_KEY": "k-123",
        "DB_URL": "postgres://x",
    }
    assert secret_changes(before, after, ["DB_*"]) == secret_changes(before, after, ["DB_URL"])  # a glob
