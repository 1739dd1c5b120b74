"""`fenced run` in a terminal (issue 14): interactive cells read what is typed, Ctrl+C and SIGTERM stop the
remote cell, prompts are asked (secrets without echo). Each test drives the CLI on a real PTY."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from tests.runner.clisupport import FENCED, clean_env, fenced
from tests.runner.ptyterm import Terminal
from tests.runner.support import ROOT, wait_for

ASK = """```sh {"name":"ask"}
read -p 'name? ' x || { echo "no input"; exit 1; }
echo "hi $x"
```

```sh {"name":"after"}
echo "after: done"
```
"""


def book(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.md"
    path.write_text(text)
    return path


def terminal(runner, *args: str) -> Terminal:  # type: ignore[no-untyped-def]
    return Terminal(
        [*FENCED, *args, "--runner", runner.url, "--token", runner.token], env=clean_env(), cwd=ROOT
    )


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_an_interactive_cell_reads_from_the_terminal(runner, tmp_path: Path) -> None:
    with terminal(runner, "run", str(book(tmp_path, ASK)), "ask", "after") as term:
        term.expect("name\\? ")
        term.send(b"bob\r")
        term.expect("hi bob")
        term.expect("after: done")
        assert term.wait() == 0
        assert term.text().count("bob") == 2  # echoed once by the remote terminal, printed once by echo


def test_stdin_from_dev_null_or_a_pipe(runner, tmp_path: Path) -> None:
    path = book(tmp_path, ASK)
    common = ["--runner", runner.url, "--token", runner.token]
    eof = fenced("run", str(path), "ask", *common, timeout=30)
    assert eof.returncode == 1 and eof.stdout == "no input\n"  # end of input, not a wait forever
    piped = fenced("run", str(path), "ask", *common, input="ann\n", timeout=30)
    assert piped.returncode == 0 and piped.stdout.endswith("hi ann\n"), piped
    answers = tmp_path / "answers"
    answers.write_text("eve\n")
    with answers.open("rb") as from_file:  # a regular file: not pollable, read on a thread
        redirected = fenced("run", str(path), "ask", "after", *common, stdin=from_file, timeout=30)
    assert redirected.returncode == 0 and redirected.stdout == "hi eve\nafter: done\n", redirected


SLEEPER = """```sh {{"name":"wait"{extra}}}
echo $$ > {pidfile}
echo ready
sleep 300
```
"""


@pytest.mark.parametrize("interactive", [True, False])
def test_ctrl_c_stops_the_remote_cell_and_exits_130(runner, tmp_path: Path, interactive: bool) -> None:
    pidfile = tmp_path / "pid"
    extra = "" if interactive else ',"interactive":"false"'
    path = book(tmp_path, SLEEPER.format(pidfile=pidfile, extra=extra))
    with terminal(runner, "run", str(path), "wait") as term:
        term.expect("ready")
        pid = int(pidfile.read_text())
        term.send(b"\x03")  # raw mode: a byte the CLI reads; cooked mode: SIGINT from the terminal
        assert term.wait() == 130
        text = term.text()
        assert "Traceback" not in text
        ours = [line for line in text.splitlines() if line.startswith("fenced run:")]
        assert len(ours) == 1 and "interrupted" in ours[0], text
    assert wait_for(lambda: gone(pid), timeout=10), "the remote cell is still running"


def test_sigterm_stops_the_remote_cell_promptly(runner, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    path = book(tmp_path, SLEEPER.format(pidfile=pidfile, extra=""))
    proc = subprocess.Popen(
        [*FENCED, "run", str(path), "wait", "--runner", runner.url, "--token", runner.token],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        cwd=ROOT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        pid = int(pidfile.read_text())
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 143
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert wait_for(lambda: gone(pid), timeout=5), "the remote cell outlived the CLI"


PROMPTS = """```sh {"name":"configure"}
export PROJECT_ID="[Enter your GCP project]"
export DB_PASSWORD=""
echo "project=$PROJECT_ID password-length=${#DB_PASSWORD}"
```
"""


def test_prompts_on_the_terminal_mask_secrets(runner, tmp_path: Path) -> None:
    with terminal(runner, "run", str(book(tmp_path, PROMPTS)), "configure") as term:
        term.expect("PROJECT_ID")
        term.expect("Enter your GCP project.*: ")
        term.send(b"p-42\r")
        term.expect("DB_PASSWORD.*: ")
        term.send(b"hunter2\r")
        term.expect("project=p-42 password-length=7")
        assert term.wait() == 0
        assert "hunter2" not in term.text()  # typed without echo, never printed
        assert "p-42" in term.text()


def test_ctrl_c_at_a_prompt(runner, tmp_path: Path) -> None:
    with terminal(runner, "run", str(book(tmp_path, PROMPTS)), "configure") as term:
        term.expect("PROJECT_ID.*: ")
        term.send(b"\x03")
        assert term.wait() == 130
        assert "Traceback" not in term.text()
        assert "project=" not in term.text()


def test_the_terminal_is_restored_after_ctrl_c(runner, tmp_path: Path) -> None:
    import shlex

    path = book(tmp_path, SLEEPER.format(pidfile=tmp_path / "pid", extra=""))
    command = [*FENCED, "run", str(path), "wait", "--runner", runner.url, "--token", runner.token]
    script = f"{shlex.join(command)}; echo status=$?; stty -a"
    with Terminal(["/bin/bash", "--norc", "-c", script], env=clean_env(), cwd=ROOT) as term:
        term.expect("ready")
        term.send(b"\x03")
        term.expect("status=130")
        term.expect("icanon")
        assert term.wait() == 0
        settings = term.text().split("status=130", 1)[1]
        assert "-icanon" not in settings and "-echo " not in settings and "-isig" not in settings


def test_the_remote_terminal_has_our_size_and_follows_it(runner, tmp_path: Path) -> None:
    text = '```sh {"name":"size"}\nstty size\nread x\nstty size\n```\n'
    with terminal(runner, "run", str(book(tmp_path, text)), "size") as term:
        term.expect("24 80")
        term.resize(30, 101)
        term.send(b"\r")
        term.expect("30 101")
        assert term.wait() == 0


def test_forced_terminal_without_a_terminal(runner, tmp_path: Path) -> None:
    """`--tty` with stdin from /dev/null: a terminal on the runner, and end-of-input still ends `read`."""
    common = ["--runner", runner.url, "--token", runner.token]
    result = fenced("run", str(book(tmp_path, ASK)), "ask", "--tty", *common, timeout=30)
    # `read -p` shows its prompt only on a terminal
    assert result.returncode == 1 and result.stdout == "name? no input\n", result
