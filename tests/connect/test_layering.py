"""fenced.connect ships to the browser: stdlib only at import, js/httpx only in their transport modules,
and its message schema must match the proto."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fenced.connect.messages import ENUMS, SCHEMA, Event, Program


def test_imports_nothing_outside_the_stdlib() -> None:
    code = (
        "import sys, fenced.connect, fenced.connect.fetch_transport; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('google', 'protobuf', 'httpx', 'js', 'pyodide', 'connectrpc', 'fenced') and not m.startswith('fenced.connect') "
        "and m != 'fenced'); print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _descriptor_fields(descriptor) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.json_name for f in descriptor.fields}


def test_client_field_names_match_the_proto() -> None:
    pytest.importorskip("google.protobuf")
    from fenced._proto.runner.v1 import runner_pb2 as pb

    file = pb.DESCRIPTOR
    names = {}
    for message in file.message_types_by_name.values():
        names[message.name] = _descriptor_fields(message)
        for nested in message.nested_types:
            if not nested.GetOptions().map_entry:
                names[f"{message.name}.{nested.name}"] = _descriptor_fields(nested)
    assert {k: set(v) for k, v in SCHEMA.items()} == names
    assert {name: tuple(v.name for v in e.values) for name, e in file.enum_types_by_name.items()} == ENUMS


def test_program_and_event_json_use_schema_names() -> None:
    program = Program(
        script="x",
        program_name="bash",
        arguments=["a"],
        directory="d",
        language_id="sh",
        env={"A": "1"},
        interactive=True,
        background=True,
        known_id="i",
        known_name="n",
    )
    assert set(program.to_json()) <= set(SCHEMA["ProgramConfig"])
    assert set(Program(commands=["a", "b"]).to_json()) == {"commands"}
    event = Event.from_json(
        {"seq": "7", "executionId": "e", "output": {"stream": "STREAM_STDERR", "offset": "3", "data": "aGk"}}
    )
    assert (event.seq, event.output.stream, event.output.offset, event.output.data) == (7, "stderr", 3, b"hi")
    exited = Event.from_json({"seq": "8", "executionId": "e", "exited": {"exitCode": 0}}).exited
    assert exited is not None and exited.exit_code == 0


def test_secret_fields_round_trip() -> None:
    from fenced.connect.messages import Info

    program = Program(script="x", secret_names=("DB_URL", "VAULT_ADDR"))
    assert program.to_json()["secretNames"] == ["DB_URL", "VAULT_ADDR"]
    assert "secretNames" not in Program(script="x").to_json()
    exited = Event.from_json(
        {"seq": "9", "executionId": "e", "exited": {"exitCode": 0, "secretEnv": {"API_TOKEN": "t-1"}}}
    ).exited
    assert exited is not None and exited.secret_env == {"API_TOKEN": "t-1"}
    info = Info.from_json({"version": "1", "reviewedRunbooksOnly": True})
    assert info.reviewed_runbooks_only
