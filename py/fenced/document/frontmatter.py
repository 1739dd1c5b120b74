"""Frontmatter: found where Runme finds it, parsed only when asked, written back
as it came unless it was edited.

Runme's rules (``document/parser.go``): after an optional BOM and whitespace,
``---`` opens YAML and ``+++`` opens TOML, each closed by the next line that
starts with the same three characters; a ``{`` opens a JSON object that ends at
its balanced ``}``. ``--8<--`` (mkdocs snippets), ``{{`` (templates) and ``{%``
(includes) are content. Where Runme refuses to open the file (a delimiter that is
never closed), Fenced reads the text as plain content instead. Frontmatter that
is found but does not parse stays as raw text: it is written back untouched and
its fields read as empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from . import fmcodec
from .fmcodec import JSON, TOML, YAML, FrontmatterError
from .text import GO_SPACE, first_newline

__all__ = ["Frontmatter", "FrontmatterError", "locate"]

_LEADING = GO_SPACE + "\ufeff"
_CLOSE_RE = {"-": re.compile(r"[\r\n](?=---)"), "+": re.compile(r"[\r\n](?=\+\+\+)")}
_JSON_SCAN = re.compile(r'[{}"\\]')


class Located(NamedTuple):
    """Where the frontmatter is (``start == end`` when there is none)."""

    start: int
    end: int
    content_start: int
    format: str | None


def locate(text: str) -> Located:
    """Find the frontmatter and the start of the Markdown content."""
    n = len(text)
    i = 0
    while i < n and text[i] in _LEADING:
        i += 1
    head = text[i : i + 4]
    if head.startswith(("+++", "---")):  # "--8<--" (mkdocs snippets) does not match
        end = _delimited(text, i, head[0])
        fmt: str = TOML if head[0] == "+" else YAML
    elif head.startswith("{") and not head.startswith(("{{", "{%")):
        end = _json_end(text, i)
        fmt = JSON
    else:
        return Located(i, i, i, None)
    if end is None:  # never closed: Runme fails here, Fenced reads it as content
        return Located(i, i, i, None)
    j = end
    while j < n and text[j] in "\r\n":
        j += 1
    return Located(i, end, j, fmt)


def unclosed(text: str) -> str | None:
    """The delimiter that opens a frontmatter never closed (``---``, ``+++`` or ``{``), else ``None``:
    Runme refuses such a file; Fenced reads it as Markdown."""
    loc = locate(text)
    if loc.format is not None:
        return None
    head = text[loc.start : loc.start + 3]
    if head in ("---", "+++"):
        return head
    if head.startswith("{") and not head.startswith(("{{", "{%")):
        return "{"
    return None


def _delimited(text: str, i: int, ch: str) -> int | None:
    m = _CLOSE_RE[ch].search(text, i + 3)
    return None if m is None else m.end() + 3


def _json_end(text: str, i: int) -> int | None:
    level = 0
    quoted = False
    pos = i
    while True:
        m = _JSON_SCAN.search(text, pos)
        if m is None:
            return None
        ch = m.group(0)
        pos = m.end()
        if ch == "{" and not quoted:
            level += 1
        elif ch == "}" and not quoted:
            level -= 1
        elif ch == '"':
            quoted = not quoted
        elif ch == "\\":
            pos += 1
        if level == 0:
            return pos if pos <= len(text) else None


_UNPARSED: Any = object()


class Frontmatter:
    """A document's frontmatter.

    ``raw`` is the text including its delimiters, ``format`` is ``"yaml"``,
    ``"toml"`` or ``"json"``; ``data`` is the parsed, editable mapping (ruamel
    ``CommentedMap``, tomlkit document or ``dict``), or ``None`` when the text does
    not parse (see ``error``). Edit through item access (``fm["shell"] = "bash"``),
    through ``data`` (changes are noticed when the document is written), or by
    assigning ``raw``. An unedited frontmatter is written back byte for byte.
    """

    __slots__ = ("_data", "_dirty", "_error", "_raw", "_snapshot", "format")

    def __init__(self, raw: str, format: str | None = None) -> None:
        self.format: str = format or _guess_format(raw)
        self._raw = raw
        self._data: Any = _UNPARSED
        self._snapshot: Any = None
        self._error: str | None = None
        self._dirty = False

    # --- construction -------------------------------------------------------------

    @classmethod
    def new(cls, fields: Mapping[str, Any] | None = None, format: str = YAML) -> Frontmatter:
        """A new frontmatter with these fields, in ``format`` (YAML by default)."""
        empty = {YAML: "---\n---", TOML: "+++\n+++", JSON: "{}"}[format]
        fm = cls(empty, format)
        for key, value in (fields or {}).items():
            fm[key] = value
        return fm

    @classmethod
    def coerce(cls, value: Frontmatter | Mapping[str, Any] | str) -> Frontmatter:
        """Accept a Frontmatter, a mapping of fields, or text (with or without delimiters)."""
        if isinstance(value, Frontmatter):
            return value
        if isinstance(value, Mapping):
            return cls.new(value)
        text = str(value)
        stripped = text.lstrip(_LEADING)
        if stripped.startswith(("---", "+++", "{")):
            return cls(stripped)
        nl = first_newline(text) or "\n"
        if text and not text.endswith(("\n", "\r")):
            text += nl
        return cls(f"---{nl}{text}---", YAML)

    # --- text ---------------------------------------------------------------------

    @property
    def raw(self) -> str:
        """The frontmatter text as it will be written."""
        if (
            self._data is not _UNPARSED
            and self._data is not None
            and not self._dirty
            and fmcodec.plain(self._data) != self._snapshot
        ):
            self._dirty = True
        if self._dirty:
            self._raw = self._render()
            self._snapshot = fmcodec.plain(self._data)
            self._dirty = False
        return self._raw

    @raw.setter
    def raw(self, text: str) -> None:
        self._raw = text
        self.format = _guess_format(text)
        self._data = _UNPARSED
        self._dirty = False
        self._error = None

    text = raw  # alias: the frontmatter's text, delimiters included

    @property
    def body(self) -> str:
        """The text between the delimiters (all of it for JSON)."""
        return _split(self.raw, self.format)[1]

    def _render(self) -> str:
        opener, body, closer = _split(self._raw, self.format)
        nl = first_newline(self._raw) or "\n"
        new = fmcodec.dump(self.format, self._data, body)
        if nl != "\n":
            new = new.replace("\n", nl)
        if self.format == JSON:
            return new
        if new and not new.endswith(("\n", "\r")):
            new += nl
        return f"{opener}{nl}{new}{closer}"

    # --- parsed fields ------------------------------------------------------------

    @property
    def data(self) -> Any:
        """The parsed mapping, or ``None`` when the frontmatter is not valid."""
        if self._data is _UNPARSED:
            try:
                self._data = fmcodec.load(self.format, _split(self._raw, self.format)[1])
                self._snapshot = fmcodec.plain(self._data)
                self._error = None
            except FrontmatterError as exc:
                self._data = None
                self._error = str(exc)
        return self._data

    fields = data

    @property
    def valid(self) -> bool:
        return self.data is not None

    @property
    def error(self) -> str | None:
        """Why ``data`` is ``None``."""
        _ = self.data  # parsing sets _error
        return self._error

    def _require(self) -> Any:
        data = self.data
        if data is None:
            raise FrontmatterError(f"cannot edit invalid frontmatter ({self._error}); assign .raw instead")
        return data

    def get(self, key: str, default: Any = None) -> Any:
        data = self.data
        return default if data is None else data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        data = self.data
        if data is None:
            raise KeyError(key)
        return data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._require()[key] = value
        self._dirty = True

    def __delitem__(self, key: str) -> None:
        del self._require()[key]
        self._dirty = True

    def __contains__(self, key: object) -> bool:
        data = self.data
        return data is not None and key in data

    def __iter__(self) -> Iterator[str]:
        return iter(self.data or ())

    def __len__(self) -> int:
        return len(self.data or ())

    def keys(self) -> list[str]:
        return list(self.data or ())

    def update(self, fields: Mapping[str, Any]) -> None:
        data = self._require()
        for key, value in fields.items():
            data[key] = value
        self._dirty = True

    def _str(self, key: str) -> str:
        value = self.get(key)
        if value is None or isinstance(value, (Mapping, list)):
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    @property
    def shell(self) -> str:
        return self._str("shell")

    @property
    def cwd(self) -> str:
        return self._str("cwd")

    @property
    def category(self) -> str:
        return self._str("category")

    @property
    def tag(self) -> str:
        return self._str("tag")

    @property
    def skip_prompts(self) -> bool:
        value = self.get("skipPrompts")
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "t")
        return bool(value)

    @property
    def terminal_rows(self) -> int | None:
        try:
            return int(str(self.get("terminalRows")).strip())
        except ValueError:
            return None

    def _runme(self) -> Mapping[str, Any]:
        runme = self.get("runme")
        return runme if isinstance(runme, Mapping) else {}

    @property
    def runme_id(self) -> str:
        value = self._runme().get("id")
        return "" if value is None else str(value)

    @property
    def runme_version(self) -> str:
        value = self._runme().get("version")
        return "" if value is None else str(value)

    @property
    def runme_session(self) -> dict[str, Any]:
        session: dict[str, Any] = fmcodec.plain(self._runme().get("session") or {})
        return session

    def __repr__(self) -> str:
        return f"Frontmatter({self.format}, {self.raw!r})"


def _guess_format(raw: str) -> str:
    s = raw.lstrip(_LEADING)
    if s.startswith("+++"):
        return TOML
    if s.startswith("{"):
        return JSON
    return YAML


def _split(raw: str, fmt: str) -> tuple[str, str, str]:
    """``(opener line, body, closer)``; JSON has no delimiters."""
    if fmt == JSON:
        return "", raw, ""
    m = re.search(r"\r\n|\r|\n", raw)
    if m is None or len(raw) < 6:
        return raw[:3], "", raw[3:] if len(raw) > 3 else raw[:3]
    closer = raw[-3:]
    return raw[: m.start()], raw[m.end() : -3], closer
