"""Fence info strings: the language word and Runme's ``{...}`` cell attributes.

Runme reads two attribute forms and writes back the one it read:

* JSON, ``{"name":"x","interactive":"false"}`` -- non-string values become
  their JSON text (``true`` -> ``"true"``), formatted as Go's encoder would;
* HTML-like, ``{ name=x interactive=false }`` -- space separated ``key=value``.

Two deliberate, documented differences from Runme's Go reader, both for inputs
it mangles: a JSON object containing ``}`` inside a string or a nested object is
read whole (Runme cuts at the first ``}``), and the HTML-like form ignores the
braces (Runme reads ``{name=x}`` as the key ``{name``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol

JSON_FORMAT = "json"
HTML_FORMAT = "html"

_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


def parse_bool(value: str | None) -> bool | None:
    """Go's ``strconv.ParseBool``: ``None`` for anything it rejects."""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


class ParsedInfo(NamedTuple):
    """What a fence info string says."""

    language: str
    attributes: dict[str, str]
    #: ``"json"`` or ``"html"``; ``None`` when the info string has no attribute block.
    format: str | None
    #: ``(start, end)`` of the attribute block within the info string.
    span: tuple[int, int] | None
    #: Why the attribute block (or part of it) could not be read, as a sentence; ``None`` when it reads.
    problem: str | None = None


_EMPTY = ParsedInfo("", {}, None, None)


def parse_info(info: str) -> ParsedInfo:
    """Split a (trimmed) info string into language and attributes, like Runme."""
    if not info:
        return _EMPTY
    attrs: dict[str, str] = {}
    fmt: str | None = None
    problem: str | None = None
    span = _json_span(info)
    if span is not None:
        parsed = _parse_json(info[span[0] : span[1]])
        if parsed is not None:
            attrs, fmt = parsed, JSON_FORMAT
        else:
            span = None
    if span is None:
        span = _runme_span(info)
        if span is not None:
            fmt = HTML_FORMAT
            attrs = _parse_html(info[span[0] + 1 : span[1] - 1])
            problem = _html_problem(info[span[0] : span[1]])
        else:
            problem = _unclosed_problem(info)
    raw = info[span[0] : span[1]] if span else ""
    end = len(info)
    for sep in (" ", "\t"):
        cut = info.find(sep)
        if 0 <= cut < end:
            end = cut
    word = info[:end]
    # Runme: a first word that is the start of the attribute block is no language.
    language = word if word and not raw.startswith(word) else ""
    return ParsedInfo(language, attrs, fmt, span, problem)


# --- what could not be read ------------------------------------------------------------
# Runme drops unreadable attributes without a word (a JSON typo loses the cell's name); Fenced reads them
# the same way but says so. Blocks with no sign of attributes (no ``=``, ``"`` or ``:``, e.g. Quarto's
# ``{python}`` or Pandoc's ``{.sh}``) are other tools' syntax, not broken attributes.
_KEPT = "kept in the file as written, not used"


def _looks_like_attributes(text: str) -> bool:
    return any(c in text for c in '=":')


def _json_error(raw: str) -> str:
    try:
        json.loads(raw, parse_constant=_reject)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at column {exc.colno}"
    except (ValueError, RecursionError) as exc:
        return str(exc) or type(exc).__name__
    return "a number Runme cannot hold"


def _html_problem(raw: str) -> str | None:
    inner = raw[1:-1]
    if inner.lstrip().startswith('"'):  # meant as JSON
        return f"Cell attributes {raw} are not valid JSON ({_json_error(raw)}): {_KEPT}."
    stray = [item for item in inner.split(" ") if item and "=" not in item]
    if not stray or not _looks_like_attributes(inner):
        return None
    return f"Cell attributes {raw}: {' '.join(stray)} is not key=value ({_KEPT})."


def _unclosed_problem(info: str) -> str | None:
    start = info.find("{")
    if start < 0 or "}" in info[start:]:
        return None
    rest = info[start:].rstrip()
    if not _looks_like_attributes(rest):
        return None
    return f'Cell attributes {rest} have no closing "}}": {_KEPT}.'


def _runme_span(info: str) -> tuple[int, int] | None:
    """Runme's ``extractAttributes``: first ``{`` not followed by ``}`` .. first ``}``."""
    stop = info.find("}")
    if stop < 0:
        return None
    start = info.find("{")
    if start < 0 or start >= stop - 1:
        return None
    return start, stop + 1


def _json_span(info: str) -> tuple[int, int] | None:
    """A balanced, quote-aware ``{...}`` starting at the first ``{``."""
    start = info.find("{")
    if start < 0:
        return None
    depth = 0
    quoted = False
    i = start
    n = len(info)
    while i < n:
        ch = info[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return start, i + 1
        i += 1
    return None


def _reject(_: str) -> Any:
    raise ValueError("not JSON")


def _parse_json(raw: str) -> dict[str, str] | None:
    try:
        value = json.loads(raw, parse_int=float, parse_float=float, parse_constant=_reject)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    out: dict[str, str] = {}
    try:
        for key, val in value.items():
            out[key] = val if isinstance(val, str) else go_json(val)
    except ValueError:  # a number Go cannot hold (1e400)
        return None
    return out


def _parse_html(inner: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in inner.split(" "):
        if "=" in item:
            kv = item.split("=")
            out[kv[0]] = kv[1]
    return out


# --- Go encoding/json compatible output ---------------------------------------------


def go_json(value: Any) -> str:
    """Compact JSON text as Go's ``json.Marshal`` writes a decoded value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return go_string(value)
    if isinstance(value, (int, float)):
        return _go_float(float(value))
    if isinstance(value, Mapping):
        items = sorted(value.items())
        return "{" + ",".join(f"{go_string(k)}:{go_json(v)}" for k, v in items) + "}"
    if isinstance(value, Iterable):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__}")


def go_string(s: str) -> str:
    """A JSON string with Go's HTML-safe escapes, and ``}`` escaped so Runme's
    first-``}`` extractor still finds the end of the attribute block."""
    out = json.dumps(s, ensure_ascii=False)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("}", "\\u007d"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        if ch in out:
            out = out.replace(ch, esc)
    return out


def _go_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise ValueError("unsupported number")
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    a = abs(f)
    if a < 1e-6 or a >= 1e21:
        mant, exp = repr(f).split("e")
        e = int(exp)
        return f"{mant}e{'-' if e < 0 else '+'}{abs(e):02d}".replace("e-0", "e-")
    from decimal import Decimal  # only for non-string attribute values

    s = format(Decimal(repr(f)), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# --- writing --------------------------------------------------------------------------


def _html_ok(attrs: Mapping[str, str]) -> bool:
    for k, v in attrs.items():
        if not k or any(c in k for c in " \t\n\r={}") or any(c in v for c in " \t\n\r={}"):
            return False
    return True


def format_attributes(attrs: Mapping[str, str], fmt: str | None = JSON_FORMAT) -> str:
    """Write attributes as Runme does: sorted compact JSON, or the HTML-like form
    (``name`` first) when the cell came with it and the values allow it."""
    if fmt == HTML_FORMAT and _html_ok(attrs):
        keys = sorted(attrs, key=lambda k: (k != "name", k))
        return "{ " + " ".join(f"{k}={attrs[k]}" for k in keys) + " }"
    return "{" + ",".join(f"{go_string(k)}:{go_string(attrs[k])}" for k in sorted(attrs)) + "}"


def build_info(language: str, attrs: Mapping[str, str], fmt: str | None) -> str:
    """A fresh info string: ``sh {"name":"x"}`` (Runme's layout)."""
    if not attrs:
        return language
    return " ".join(p for p in (language, format_attributes(attrs, fmt)) if p)


def rebuild_info(
    old: str, parsed: ParsedInfo, language: str, attrs: Mapping[str, str] | None, fmt: str | None
) -> str:
    """Change the language and/or attributes of an existing info string, keeping any
    other words it had; ``attrs=None`` keeps the original attribute text."""
    span = parsed.span
    attr_text = old[span[0] : span[1]] if span else ""
    rest_start = len(parsed.language)
    extra = old[rest_start : span[0]] + " " + old[span[1] :] if span else old[rest_start:]
    extra = " ".join(extra.split())
    if "{" in extra or "}" in extra:
        extra = ""  # would confuse the attribute reader
    if attrs is not None:
        attr_text = format_attributes(attrs, fmt) if attrs else ""
    return " ".join(p for p in (language, extra, attr_text) if p)


class _Owner(Protocol):
    def _touch(self) -> None: ...


def to_attr_value(value: object) -> str:
    """Attribute values are strings; booleans are written the way Runme reads them."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


class Attributes(dict[str, str]):
    """A cell's attributes: a plain ``dict`` that tells its cell when it changes."""

    __slots__ = ("_owner",)

    def __init__(self, owner: _Owner | None, items: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._owner = owner
        if items:
            for k, v in items.items():
                dict.__setitem__(self, str(k), to_attr_value(v))

    def _changed(self) -> None:
        if self._owner is not None:
            self._owner._touch()

    def __setitem__(self, key: str, value: object) -> None:
        dict.__setitem__(self, str(key), to_attr_value(value))
        self._changed()

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self._changed()

    def __ior__(self, other: Any) -> Attributes:  # type: ignore[override,misc]  # as dict.__ior__ (any mapping)
        self.update(other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        for k, v in dict(*args, **kwargs).items():
            dict.__setitem__(self, str(k), to_attr_value(v))
        self._changed()

    def setdefault(self, key: str, default: object = "") -> str:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def pop(self, key: str, *default: Any) -> Any:
        had = key in self
        value = dict.pop(self, key, *default)
        if had:
            self._changed()
        return value

    def popitem(self) -> tuple[str, str]:
        item = dict.popitem(self)
        self._changed()
        return item

    def clear(self) -> None:
        dict.clear(self)
        self._changed()

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))

    def copy(self) -> dict[str, str]:
        return dict(self)
