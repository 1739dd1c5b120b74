"""A page on one origin runs `echo` on a runner at another origin through the Pyodide fetch transport."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run_in_page
from tests.runner.support import RunnerProcess

pytestmark = pytest.mark.browser

ECHO = """
import js
from fenced.connect import Program, RunnerClient
from fenced.connect.fetch_transport import FetchTransport

client = RunnerClient(URL, TOKEN, transport=FetchTransport())
pre = js.document.createElement("pre")
pre.id = "runner-output"
js.document.body.appendChild(pre)
kinds, code = [], None
async for event in client.execute(Program(script="echo hello from the runner; sleep 0.2; echo second line")):
    kinds.append(event.kind)
    if event.output is not None:
        pre.textContent = pre.textContent + event.output.data.decode()
    if event.exited is not None:
        code = event.exited.exit_code
info = await client.get_info()
result = {"kinds": kinds, "code": code, "shown": pre.textContent, "shell": info.default_shell}
"""

REFUSED = """
from fenced.connect import ConnectError, RunnerClient
from fenced.connect.fetch_transport import FetchTransport

try:
    await RunnerClient(URL, TOKEN, transport=FetchTransport()).get_info()
    result = "no error"
except ConnectError as exc:
    result = [exc.code.value, exc.message]
"""


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture()
def cross_origin_runner(app_url: str) -> Iterator[RunnerProcess]:
    with RunnerProcess("--allow-origin", _origin(app_url), "--quiet") as proc:
        assert _origin(proc.url) != _origin(app_url)
        yield proc


def _src(template: str, proc: RunnerProcess) -> str:
    return f"URL = {json.dumps(proc.url)}\nTOKEN = {json.dumps(proc.token)}\n{template}"


def test_page_runs_echo_on_a_runner_at_another_origin(
    ready_page: Any, cross_origin_runner: RunnerProcess
) -> None:
    result = run_in_page(ready_page, _src(ECHO, cross_origin_runner))
    assert result["code"] == 0
    assert result["kinds"][0] == "started" and result["kinds"][-1] == "exited"
    assert result["kinds"].count("output") == 2  # streamed: two chunks, 0.2 s apart
    assert result["shown"] == "hello from the runner\nsecond line\n"
    assert ready_page.locator("#runner-output").inner_text() == "hello from the runner\nsecond line\n"
    assert result["shell"].endswith("sh")


def test_origin_not_allowed_says_unreachable_or_cors(ready_page: Any) -> None:
    with RunnerProcess("--quiet") as proc:  # no --allow-origin for the page
        code, message = run_in_page(ready_page, _src(REFUSED, proc))
    assert code == "unavailable"
    assert "unreachable or CORS refused" in message


ONE_AWAIT = """
from fenced.connect import RunnerClient
from fenced.connect.fetch_transport import FetchTransport, _fetch_with_body

info = await RunnerClient(URL, TOKEN, transport=FetchTransport()).get_info()
result = [_fetch_with_body() is not None, info.default_shell]
"""


def test_a_unary_call_reads_its_body_in_the_same_promise_under_the_page_policy(
    ready_page: Any, cross_origin_runner: RunnerProcess
) -> None:
    """The app's Content-Security-Policy lets the transport chain the body in JS (one await a call, not
    two); the answer still arrives whole."""
    fast, shell = run_in_page(ready_page, _src(ONE_AWAIT, cross_origin_runner))
    assert fast is True
    assert shell.endswith("sh")
