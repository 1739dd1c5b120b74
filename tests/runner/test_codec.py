"""The runner's fast JSON path for stream messages must be exactly proto-JSON (parsed back equal)."""

from __future__ import annotations

from google.protobuf.json_format import Parse
from hypothesis import given, settings
from hypothesis import strategies as st

from fenced._proto.runner.v1 import runner_pb2 as pb
from fenced.runner.app import CompactJSONCodec

ids = st.text(max_size=40)
outputs = st.builds(
    lambda seq, eid, stream, offset, data: pb.Event(
        seq=seq, execution_id=eid, output=pb.Output(stream=stream, offset=offset, data=data)
    ),
    st.integers(0, 2**64 - 1),
    ids,
    st.sampled_from([0, 1, 2]),
    st.integers(0, 2**64 - 1),
    st.binary(max_size=200),
)
others = st.sampled_from(
    [
        pb.Event(seq=3, execution_id="e", started=pb.Started(pid=12, known_name="n", interactive=True)),
        pb.Event(seq=4, execution_id="e", exited=pb.Exited(exit_code=0, duration_ms=5, pwd="/tmp")),
        pb.Event(seq=5, execution_id="e", truncated=pb.Truncated(stream=pb.STREAM_STDERR, offset=99)),
        pb.Event(
            seq=6,
            execution_id="e",
            warning=pb.Warning(kind=pb.WARNING_KIND_STATE_NOT_CAPTURED, message="x\u0001"),
        ),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(st.one_of(outputs, others), max_size=5),
    cursor=st.integers(0, 2**64 - 1),
    sid=ids,
    eid=ids,
    ack=st.integers(0, 2**64 - 1),
)
def test_fast_stream_json_parses_back_equal(events, cursor, sid, eid, ack) -> None:
    codec = CompactJSONCodec()
    watch = pb.WatchResponse(events=events, cursor=cursor, ack_bytes=ack)
    assert Parse(codec.encode(watch), pb.WatchResponse()) == watch
    execute = pb.ExecuteResponse(
        session_id=sid, execution_id=eid, events=events, cursor=cursor, ack_bytes=ack
    )
    assert Parse(codec.encode(execute), pb.ExecuteResponse()) == execute
