"""Connect error codes, their HTTP status mapping, and `ConnectError` (the one exception of the client)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Connect's error codes; values are the wire names."""

    CANCELED = "canceled"
    UNKNOWN = "unknown"
    INVALID_ARGUMENT = "invalid_argument"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    PERMISSION_DENIED = "permission_denied"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    FAILED_PRECONDITION = "failed_precondition"
    ABORTED = "aborted"
    OUT_OF_RANGE = "out_of_range"
    UNIMPLEMENTED = "unimplemented"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"
    DATA_LOSS = "data_loss"
    UNAUTHENTICATED = "unauthenticated"


# What a server sends for each code (Connect protocol spec, "Error Codes").
CODE_TO_HTTP = {
    Code.CANCELED: 499,
    Code.UNKNOWN: 500,
    Code.INVALID_ARGUMENT: 400,
    Code.DEADLINE_EXCEEDED: 504,
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.PERMISSION_DENIED: 403,
    Code.RESOURCE_EXHAUSTED: 429,
    Code.FAILED_PRECONDITION: 400,
    Code.ABORTED: 409,
    Code.OUT_OF_RANGE: 400,
    Code.UNIMPLEMENTED: 501,
    Code.INTERNAL: 500,
    Code.UNAVAILABLE: 503,
    Code.DATA_LOSS: 500,
    Code.UNAUTHENTICATED: 401,
}

# What a client infers when a response carries no Connect error body (spec, "HTTP to Error Code").
HTTP_TO_CODE = {
    400: Code.INTERNAL,
    401: Code.UNAUTHENTICATED,
    403: Code.PERMISSION_DENIED,
    404: Code.UNIMPLEMENTED,
    429: Code.UNAVAILABLE,
    502: Code.UNAVAILABLE,
    503: Code.UNAVAILABLE,
    504: Code.UNAVAILABLE,
}


def code_from_http(status: int) -> Code:
    return HTTP_TO_CODE.get(status, Code.UNKNOWN)


class ConnectError(Exception):
    """An RPC failed: `code` says how, `message` says why; `details` are the raw detail objects."""

    def __init__(self, code: Code, message: str = "", details: list[Any] | None = None) -> None:
        super().__init__(f"[{code.value}] {message}" if message else f"[{code.value}]")
        self.code = code
        self.message = message
        self.details = details or []

    @classmethod
    def from_json_obj(cls, obj: Any, fallback: Code) -> ConnectError:
        """Build from a Connect error object ({"code", "message", "details"}); `fallback` if it has no code."""
        if not isinstance(obj, dict):
            return cls(fallback, "malformed error")
        try:
            code = Code(obj.get("code", ""))
        except ValueError:
            code = fallback
        message = obj.get("message", "")
        return cls(code, message if isinstance(message, str) else str(message), obj.get("details") or [])

    @classmethod
    def from_http(cls, status: int, body: bytes) -> ConnectError:
        """Error of a non-200 response: the JSON body when there is one, else the status mapping."""
        fallback = code_from_http(status)
        try:
            obj = json.loads(body) if body else None
        except ValueError:
            obj = None
        if isinstance(obj, dict) and "code" in obj:
            return cls.from_json_obj(obj, fallback)
        return cls(fallback, f"HTTP {status}")
