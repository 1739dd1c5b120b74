"""The protobuf binary codec for the two streams (Watch, Execute), by hand, in pure Python.

Bulk output is why: a browser page decodes every byte of a cell's output in Python, and base64 inside
JSON costs it a third more bytes and a decode per chunk. This module knows only the messages those
streams carry: it encodes their requests (`WatchRequest`, `ExecuteRequest` with `ProgramConfig` and
`Winsize`) from the same JSON-shaped dicts the JSON codec sends, and decodes `WatchResponse` /
`ExecuteResponse` into the dict shape `ResumeState.accept` reads, with `events` already `Event`s.
No protobuf import (it ships to the browser); tests compare it with the generated classes. Unknown fields
are skipped; malformed input raises `ConnectError`, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fenced.connect.errors import Code, ConnectError
from fenced.connect.messages import (
    STREAMS,
    WARNING_KINDS,
    Event,
    ExecutionWarning,
    Exited,
    Output,
    Started,
    Truncated,
    unb64,
)

VARINT, I64, LEN, I32 = 0, 1, 2, 5
MASK64 = (1 << 64) - 1

# -- encoding (requests) ---------------------------------------------------------------------------
# Per message: JSON name -> (field number, kind). Kinds: str, bytes (base64 in the dict), u64 (an int or
# its decimal string), u32, bool, strs (repeated string), or a message name. Proto-JSON names only.
_REQUESTS: dict[str, dict[str, tuple[int, str]]] = {
    "WatchRequest": {"sessionId": (1, "str"), "cursor": (2, "u64"), "watcherId": (3, "str")},
    "ExecuteRequest": {
        "sessionId": (1, "str"),
        "config": (2, "ProgramConfig"),
        "winsize": (3, "Winsize"),
        "inputData": (4, "bytes"),
        "watcherId": (5, "str"),
    },
    "ProgramConfig": {
        "programName": (1, "str"),
        "arguments": (2, "strs"),
        "directory": (3, "str"),
        "languageId": (4, "str"),
        "background": (5, "bool"),
        "env": (7, "strs"),
        "commands": (8, "CommandList"),
        "script": (9, "oneof-str"),
        "interactive": (10, "bool"),
        "knownId": (12, "str"),
        "knownName": (13, "str"),
    },
    "CommandList": {"items": (1, "strs")},
    "Winsize": {"rows": (1, "u32"), "cols": (2, "u32"), "x": (3, "u32"), "y": (4, "u32")},
}
REQUEST_MESSAGES = {"Watch": "WatchRequest", "Execute": "ExecuteRequest"}


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= MASK64
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _len_field(number: int, data: bytes) -> bytes:
    return _key(number, LEN) + _varint(len(data)) + data


def encode_request(name: str, message: Mapping[str, Any]) -> bytes:
    """`message` (a proto-JSON dict of the `name` message) in the protobuf binary format.

    Raises ValueError for a field this codec does not know (a request is ours, so that is a bug)."""
    fields = _REQUESTS[name]
    parts: list[bytes] = []
    for json_name, value in message.items():
        if json_name not in fields:
            raise ValueError(f"{name}.{json_name} is not known to the binary codec")
        number, kind = fields[json_name]
        if value is None:
            continue
        if kind in ("str", "oneof-str"):
            if value or kind == "oneof-str":  # a oneof member is sent even when empty
                parts.append(_len_field(number, str(value).encode()))
        elif kind == "bytes":
            data = unb64(value) if isinstance(value, str) else bytes(value)
            if data:
                parts.append(_len_field(number, data))
        elif kind in ("u64", "u32"):
            if int(value):
                parts.append(_key(number, VARINT) + _varint(int(value)))
        elif kind == "bool":
            if value:
                parts.append(_key(number, VARINT) + b"\x01")
        elif kind == "strs":
            parts.extend(_len_field(number, str(item).encode()) for item in value)
        else:
            parts.append(_len_field(number, encode_request(kind, value)))
    return b"".join(parts)


# -- decoding (responses) --------------------------------------------------------------------------
def _bad(what: str) -> ConnectError:
    return ConnectError(Code.INTERNAL, f"malformed protobuf message: {what}")


def _fields(data: bytes | memoryview) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) of each field: an int for varints and fixed sizes, a memoryview
    for length-delimited ones. Groups (wire types 3, 4) are not proto3 and are refused."""
    view = data if isinstance(data, memoryview) else memoryview(data)
    out: list[tuple[int, int, Any]] = []
    pos, end = 0, len(view)
    while pos < end:
        key, pos = _read_varint(view, pos, end)
        number, wire_type = key >> 3, key & 7
        value: int | memoryview
        if number == 0:
            raise _bad("field number 0")
        if wire_type == VARINT:
            value, pos = _read_varint(view, pos, end)
        elif wire_type == LEN:
            size, pos = _read_varint(view, pos, end)
            if size > end - pos:
                raise _bad("a field runs past the end")
            value, pos = view[pos : pos + size], pos + size
        elif wire_type == I64:
            if pos + 8 > end:
                raise _bad("a fixed64 runs past the end")
            value, pos = int.from_bytes(view[pos : pos + 8], "little"), pos + 8
        elif wire_type == I32:
            if pos + 4 > end:
                raise _bad("a fixed32 runs past the end")
            value, pos = int.from_bytes(view[pos : pos + 4], "little"), pos + 4
        else:
            raise _bad(f"wire type {wire_type}")
        out.append((number, wire_type, value))
    return out


def _read_varint(view: memoryview, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end:
            raise _bad("a varint runs past the end")
        byte = view[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & MASK64, pos
        shift += 7
        if shift >= 70:
            raise _bad("a varint longer than 10 bytes")


def _text(value: Any, wire_type: int) -> str:
    if wire_type != LEN:
        raise _bad("a string field with the wrong wire type")
    try:
        return bytes(value).decode()
    except UnicodeDecodeError:
        raise _bad("a string that is not UTF-8") from None


def _num(value: Any, wire_type: int) -> int:
    if wire_type != VARINT:
        raise _bad("an integer field with the wrong wire type")
    return int(value)


def _int32(value: Any, wire_type: int) -> int:
    n = _num(value, wire_type) & 0xFFFFFFFF
    return n - (1 << 32) if n & 0x80000000 else n


def _scalars(data: Any, spec: Mapping[int, str]) -> dict[str, Any]:
    """The fields of a flat message by `spec` (field number -> "name:kind"); others are skipped."""
    out: dict[str, Any] = {}
    for number, wire_type, value in _fields(data):
        entry = spec.get(number)
        if entry is None:
            continue
        name, kind = entry.split(":")
        if kind == "str":
            out[name] = _text(value, wire_type)
        elif kind == "i32":
            out[name] = _int32(value, wire_type)
        elif kind == "bool":
            out[name] = bool(_num(value, wire_type))
        else:
            out[name] = _num(value, wire_type)
    return out


_STARTED = {1: "pid:u", 2: "known_id:str", 3: "known_name:str", 4: "interactive:bool", 5: "program:str"}
_STARTED[6] = "directory:str"
_EXITED = {1: "exit_code:i32", 2: "signal:str", 3: "duration_ms:u", 4: "pwd:str", 5: "stdout_bytes:u"}
_EXITED.update({6: "stderr_bytes:u", 7: "reason:str"})
_STREAM_OFFSET = {1: "stream:u", 2: "offset:u"}
_WARNING = {1: "kind:u", 2: "message:str"}


def _string_map(data: Any, number: int) -> dict[str, str]:
    """A `map<string, string>` field: repeated entries, each a message of key (1) and value (2)."""
    out: dict[str, str] = {}
    for n, wire_type, value in _fields(data):
        if n != number:
            continue
        if wire_type != LEN:
            raise _bad("a map entry with the wrong wire type")
        entry = _scalars(value, {1: "key:str", 2: "value:str"})
        out[entry.get("key", "")] = entry.get("value", "")
    return out


def _output(data: Any) -> Output:
    stream, offset, payload = 1, 0, b""
    for number, wire_type, value in _fields(data):
        if number == 1:
            stream = _num(value, wire_type)
        elif number == 2:
            offset = _num(value, wire_type)
        elif number == 3:
            if wire_type != LEN:
                raise _bad("Output.data with the wrong wire type")
            payload = bytes(value)
    return Output(STREAMS.get(stream, "stdout"), offset, payload)


def decode_event(data: Any) -> Event:
    """One `Event` (the last member of its oneof wins, as protobuf has it)."""
    seq, execution_id = 0, ""
    kind: dict[str, Any] = {}
    for number, wire_type, value in _fields(data):
        if number == 1:
            seq = _num(value, wire_type)
        elif number == 2:
            execution_id = _text(value, wire_type)
        elif 3 <= number <= 7:
            if wire_type != LEN:
                raise _bad("an event member with the wrong wire type")
            kind = {"number": number, "value": value}
    member: dict[str, Any] = {}
    if kind:
        number, value = kind["number"], kind["value"]
        if number == 3:
            member["started"] = Started(**{"pid": 0, **_scalars(value, _STARTED)})
        elif number == 4:
            member["output"] = _output(value)
        elif number == 5:
            member["exited"] = Exited(
                **{"exit_code": None, **_scalars(value, _EXITED)}, secret_env=_string_map(value, 8)
            )
        elif number == 6:
            t = _scalars(value, _STREAM_OFFSET)
            member["truncated"] = Truncated(STREAMS.get(t.get("stream", 1), "stdout"), t.get("offset", 0))
        else:
            w = _scalars(value, _WARNING)
            member["warning"] = ExecutionWarning(
                WARNING_KINDS.get(w.get("kind", 0), ""), w.get("message", "")
            )
    return Event(seq, execution_id, **member)


# Response field numbers: (session_id, execution_id, events, cursor, ack_bytes); 0 where absent.
_RESPONSES = {"Watch": (0, 0, 1, 2, 3), "Execute": (1, 2, 3, 4, 5)}


def decode_response(method: str, data: bytes) -> dict[str, Any]:
    """A `WatchResponse` or `ExecuteResponse` as the dict `ResumeState.accept` reads (camelCase keys,
    present only when set, as in proto-JSON), its `events` decoded to `Event`s."""
    session_no, execution_no, events_no, cursor_no, ack_no = _RESPONSES[method]
    out: dict[str, Any] = {}
    events: list[Event] = []
    try:
        for number, wire_type, value in _fields(data):
            if number == events_no:
                if wire_type != LEN:
                    raise _bad("events with the wrong wire type")
                events.append(decode_event(value))
            elif number == cursor_no:
                out["cursor"] = _num(value, wire_type)
            elif number == ack_no:
                out["ackBytes"] = _num(value, wire_type)
            elif number == session_no:
                out["sessionId"] = _text(value, wire_type)
            elif number == execution_no:
                out["executionId"] = _text(value, wire_type)
    except ConnectError:
        raise
    except (ValueError, TypeError, IndexError) as exc:  # a defence: the checks above should catch all
        raise _bad(str(exc)) from None
    if events:
        out["events"] = events
    return out
