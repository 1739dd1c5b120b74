"""The hand-written binary codec (`fenced.connect.wire`) against the classes generated from the proto:
what it decodes equals what the JSON path makes of the same message, what it encodes parses back equal,
unknown fields are skipped, and bad bytes give a `ConnectError`, never another exception."""

from __future__ import annotations

import contextlib
import json

from google.protobuf.json_format import MessageToDict, Parse
from hypothesis import given, settings
from hypothesis import strategies as st

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.connect.errors import ConnectError
from fenced.connect.messages import Event
from fenced.connect.resume import ResumeState
from fenced.connect.wire import decode_response, encode_request

u64 = st.integers(0, 2**64 - 1)
u32 = st.integers(0, 2**32 - 1)
text = st.text(max_size=30)
stream = st.sampled_from([0, 1, 2, 7])  # 7: a value this client does not know
events = st.one_of(
    st.builds(
        lambda seq, eid, s, offset, data: pb.Event(
            seq=seq, execution_id=eid, output=pb.Output(stream=s, offset=offset, data=data)
        ),
        u64,
        text,
        stream,
        u64,
        st.binary(max_size=300),
    ),
    st.builds(
        lambda seq, eid, pid, kid, kname, inter, prog, d: pb.Event(
            seq=seq,
            execution_id=eid,
            started=pb.Started(
                pid=pid, known_id=kid, known_name=kname, interactive=inter, program=prog, directory=d
            ),
        ),
        u64,
        text,
        u32,
        text,
        text,
        st.booleans(),
        text,
        text,
    ),
    st.builds(
        lambda seq, eid, code, sig, dur, pwd, out, err, reason, secrets: pb.Event(
            seq=seq,
            execution_id=eid,
            exited=pb.Exited(
                exit_code=code,
                signal=sig,
                duration_ms=dur,
                pwd=pwd,
                stdout_bytes=out,
                stderr_bytes=err,
                reason=reason,
                secret_env=secrets,
            ),
        ),
        u64,
        text,
        st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
        text,
        u64,
        text,
        u64,
        u64,
        text,
        st.dictionaries(text, text, max_size=3),
    ),
    st.builds(
        lambda seq, eid, s, offset: pb.Event(
            seq=seq, execution_id=eid, truncated=pb.Truncated(stream=s, offset=offset)
        ),
        u64,
        text,
        stream,
        u64,
    ),
    st.builds(
        lambda seq, eid, kind, message: pb.Event(
            seq=seq, execution_id=eid, warning=pb.Warning(kind=kind, message=message)
        ),
        u64,
        text,
        st.sampled_from([0, 1, 2, 9]),
        text,
    ),
    st.builds(lambda seq, eid: pb.Event(seq=seq, execution_id=eid), u64, text),
)


def via_json(message: object) -> dict:
    """What the JSON path hands `ResumeState.accept`: proto-JSON, with its events as `Event`s."""
    obj = MessageToDict(message)  # type: ignore[arg-type]
    obj["events"] = [Event.from_json(e) for e in obj.get("events", ())]
    if not obj["events"]:
        del obj["events"]
    for key in ("cursor", "ackBytes"):
        if key in obj:
            obj[key] = int(obj[key])
    return obj


@settings(max_examples=300, deadline=None)
@given(evs=st.lists(events, max_size=6), cursor=u64, ack=u64, sid=text, eid=text)
def test_decodes_what_the_json_path_makes_of_the_same_message(evs, cursor, ack, sid, eid) -> None:
    watch = pb.WatchResponse(events=evs, cursor=cursor, ack_bytes=ack)
    assert decode_response("Watch", watch.SerializeToString()) == via_json(watch)
    execute = pb.ExecuteResponse(session_id=sid, execution_id=eid, events=evs, cursor=cursor, ack_bytes=ack)
    assert decode_response("Execute", execute.SerializeToString()) == via_json(execute)


def test_every_event_field_is_read() -> None:
    """Each field set to a non-default value comes through (so none is silently dropped)."""
    for event in (
        pb.Event(seq=1, execution_id="e", output=pb.Output(stream=2, offset=7, data=b"\x00\xff")),
        pb.Event(
            seq=2,
            execution_id="e",
            started=pb.Started(
                pid=3, known_id="k", known_name="n", interactive=True, program="p", directory="d"
            ),
        ),
        pb.Event(
            seq=3,
            execution_id="e",
            exited=pb.Exited(
                exit_code=-1,
                signal="SIGINT",
                duration_ms=5,
                pwd="/",
                stdout_bytes=6,
                stderr_bytes=7,
                reason="r",
                secret_env={"API_TOKEN": "t"},
            ),
        ),
        pb.Event(seq=4, execution_id="e", truncated=pb.Truncated(stream=2, offset=8)),
        pb.Event(seq=5, execution_id="e", warning=pb.Warning(kind=2, message="m")),
    ):
        data = pb.WatchResponse(events=[event]).SerializeToString()
        (decoded,) = decode_response("Watch", data)["events"]
        member = getattr(decoded, decoded.kind)
        for name, value in vars(member).items():
            assert value not in (None, "", 0, False, b"", "stdout"), (decoded.kind, name)
    exit0 = pb.WatchResponse(events=[pb.Event(seq=9, exited=pb.Exited(exit_code=0))])
    assert decode_response("Watch", exit0.SerializeToString())["events"][0].exited.exit_code == 0
    no_code = pb.WatchResponse(events=[pb.Event(seq=9, exited=pb.Exited())])
    assert decode_response("Watch", no_code.SerializeToString())["events"][0].exited.exit_code is None


def _unknown(number: int) -> bytes:
    """Fields of every wire type under a number the schema does not use."""
    key = lambda wt: bytes([(number << 3 | wt) & 0x7F | 0x80, number >> 4])  # noqa: E731
    return key(0) + b"\x96\x01" + key(1) + b"12345678" + key(2) + b"\x03abc" + key(5) + b"1234"


@settings(max_examples=100, deadline=None)
@given(evs=st.lists(events, min_size=1, max_size=3), where=st.integers(0, 2))
def test_unknown_fields_are_skipped(evs, where) -> None:
    event = evs[0]
    raw = event.SerializeToString()
    if where == 1:
        raw = _unknown(90) + raw
    elif where == 2 and event.WhichOneof("kind"):
        member = getattr(event, event.WhichOneof("kind"))
        inner = member.SerializeToString() + _unknown(91)
        number = event.DESCRIPTOR.fields_by_name[event.WhichOneof("kind")].number
        raw = pb.Event(seq=event.seq, execution_id=event.execution_id).SerializeToString()
        raw += bytes([number << 3 | 2]) + _varint(len(inner)) + inner
    message = pb.WatchResponse(events=[pb.Event.FromString(raw), *evs[1:]], cursor=5)
    data = _unknown(100) + message.SerializeToString() + _unknown(101)
    # the generated parser keeps unknown fields; the comparison is with the message without them
    clean = pb.WatchResponse(events=[event, *evs[1:]], cursor=5)
    assert decode_response("Watch", data) == via_json(clean)


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


@settings(max_examples=150, deadline=None)
@given(evs=st.lists(events, min_size=1, max_size=3), data=st.data())
def test_cut_or_corrupted_bytes_give_a_connect_error(evs, data) -> None:
    whole = pb.ExecuteResponse(session_id="s", events=evs, cursor=3).SerializeToString()
    cut = data.draw(st.integers(0, len(whole) - 1))
    for bad in (
        whole[:cut],
        whole[:cut] + bytes([whole[cut] ^ data.draw(st.integers(1, 255))]) + whole[cut + 1 :],
    ):
        with contextlib.suppress(ConnectError):  # anything else fails the test
            decode_response("Execute", bad)


@settings(max_examples=300, deadline=None)
@given(blob=st.binary(max_size=64))
def test_random_bytes_give_a_connect_error_or_a_message(blob) -> None:
    for method in ("Watch", "Execute"):
        with contextlib.suppress(ConnectError):  # anything else fails the test
            decode_response(method, blob)


def test_clear_errors_for_known_malformations() -> None:
    for bad, says in (
        (b"\x0a\x05ab", "runs past the end"),  # events: 5 bytes announced, 2 there
        (b"\x10", "varint runs past the end"),  # cursor without its value
        (b"\x10" + b"\xff" * 11, "longer than 10 bytes"),
        (b"\x0b", "wire type 3"),  # a group
        (b"\x12\x01\xff", "wrong wire type"),  # WatchResponse.cursor as bytes
        (b"\x0a\x04\x12\x02\xc3\x28", "not UTF-8"),  # Event.execution_id
        (b"\x00", "field number 0"),
    ):
        try:
            decode_response("Watch", bad)
        except ConnectError as exc:
            assert says in exc.message, (bad, exc.message)
        else:
            raise AssertionError(f"{bad!r} was accepted")


requests = st.fixed_dictionaries(
    {"sessionId": text, "watcherId": text},
    optional={
        "config": st.fixed_dictionaries(
            {},
            optional={
                "programName": text,
                "arguments": st.lists(text, max_size=3),
                "directory": text,
                "languageId": text,
                "background": st.booleans(),
                "env": st.lists(text, max_size=3),
                "interactive": st.booleans(),
                "knownId": text,
                "knownName": text,
            },
        ).flatmap(
            lambda c: st.one_of(
                st.just({**c, "script": ""}),
                text.map(lambda s: {**c, "script": s}),
                st.lists(text, max_size=3).map(lambda items: {**c, "commands": {"items": items}}),
            )
        ),
        "winsize": st.fixed_dictionaries({"rows": u32, "cols": u32}, optional={"x": u32, "y": u32}),
        "inputData": st.binary(max_size=50).map(lambda b: __import__("base64").b64encode(b).decode()),
    },
)


@settings(max_examples=200, deadline=None)
@given(message=requests, cursor=u64)
def test_requests_parse_back_equal(message, cursor) -> None:
    execute = pb.ExecuteRequest.FromString(encode_request("ExecuteRequest", message))
    assert execute == Parse(json.dumps(message), pb.ExecuteRequest())
    if "config" in message and "commands" not in message["config"]:
        assert execute.config.WhichOneof("source") == "script"  # sent even when empty
    state = ResumeState(message["sessionId"], cursor, watcher_id=message["watcherId"] or "w")
    watch = state.watch_request()
    assert pb.WatchRequest.FromString(encode_request("WatchRequest", watch)) == Parse(
        json.dumps(watch), pb.WatchRequest()
    )


def test_an_unknown_request_field_is_a_bug_not_silence() -> None:
    try:
        encode_request("WatchRequest", {"sessionId": "s", "surprise": 1})
    except ValueError as exc:
        assert "surprise" in str(exc)
    else:
        raise AssertionError("an unknown field was dropped")
