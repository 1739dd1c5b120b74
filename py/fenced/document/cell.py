"""The :class:`Cell`: what the user edits, plus what is needed to write it back.

A cell read from a file keeps only offsets into the original text and the code
block's parsed content; its ``source`` is derived on first use. Setting
``source``, ``language`` or ``attributes`` marks it edited; when it is written,
an edited cell whose values equal the originals is still written as its
original bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import naming
from .attributes import JSON_FORMAT, Attributes, ParsedInfo, parse_bool, parse_info, to_attr_value
from .text import normalize_newlines, split_lines

if TYPE_CHECKING:
    from typing import Protocol

    class _Owner(Protocol):
        """What a cell needs of the notebook it is in (`notebook.Notebook`, which imports this module)."""

        _version: int

        def _name_of(self, cell: Cell) -> tuple[str, bool] | None: ...


MARKDOWN = "markdown"
CODE = "code"
LABEL_PREAMBLE = "### Exported in runme.dev as "


class _Bool:
    """A boolean attribute with Runme's default (Go ``ParseBool``; junk reads as default)."""

    def __init__(self, key: str, default: bool) -> None:
        self.key, self.default = key, default

    def __get__(self, cell: Cell | None, owner: type) -> Any:
        if cell is None:
            return self
        value = parse_bool(cell.current_attributes().get(self.key))
        return self.default if value is None else value

    def __set__(self, cell: Cell, value: bool | None) -> None:
        cell._set_attr(self.key, value)


class _Str:
    """A string attribute, ``""`` when absent."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, cell: Cell | None, owner: type) -> Any:
        if cell is None:
            return self
        return cell.current_attributes().get(self.key, "")

    def __set__(self, cell: Cell, value: str | None) -> None:
        cell._set_attr(self.key, value)


class Cell:
    """One notebook cell: ``kind`` is ``"markdown"`` or ``"code"``.

    ``source`` is the text the user edits (code without fences, list indentation
    or ``>`` markers; newlines are always ``\\n``). ``attributes`` is a ``dict`` of
    Runme keys to strings. ``name`` is the explicit or generated Runme name.
    """

    __slots__ = (
        "_attrs",
        "_closed",
        "_content",
        "_dirty",
        "_end",
        "_fenced",
        "_ignored",
        "_info",
        "_language",
        "_markup",
        "_nb",
        "_o",
        "_pinfo",
        "_prev",
        "_source",
        "_start",
        "kind",
    )

    def __init__(
        self,
        kind: str = MARKDOWN,
        source: str = "",
        language: str = "",
        attributes: Mapping[str, Any] | None = None,
        *,
        fenced: bool = True,
    ) -> None:
        if kind not in (MARKDOWN, CODE):
            raise ValueError(f"kind must be 'markdown' or 'code', not {kind!r}")
        self.kind = kind
        self._nb: _Owner | None = None
        self._o: str | None = None
        self._start = self._end = 0
        self._prev: Cell | None = None
        self._dirty = True
        self._source: str | None = normalize_newlines(source)
        self._content: str | None = None
        self._fenced = fenced
        self._closed = True
        self._markup = ""
        self._info = ""
        self._language: str | None = language if kind == CODE else ""
        attrs = {str(k): to_attr_value(v) for k, v in (attributes or {}).items()}
        self._pinfo: ParsedInfo | None = ParsedInfo(self._language or "", attrs, JSON_FORMAT, None)
        self._attrs: Attributes | None = None
        self._ignored: list[tuple[str, str]] | None = None

    @classmethod
    def new_code(
        cls,
        source: str = "",
        language: str = "sh",
        attributes: Mapping[str, Any] | None = None,
        *,
        fenced: bool = True,
    ) -> Cell:
        """A new code cell; written like Runme writes one (sorted compact JSON attributes)."""
        return cls(CODE, source, language, attributes, fenced=fenced)

    @classmethod
    def new_markdown(cls, source: str = "") -> Cell:
        """A new markdown cell."""
        return cls(MARKDOWN, source)

    # --- editable values ------------------------------------------------------------

    @property
    def source(self) -> str:
        if self._source is None:
            self._source = self.original_source()
        return self._source

    @source.setter
    def source(self, value: str) -> None:
        self._source = normalize_newlines(value)
        self._touch()

    @property
    def language(self) -> str:
        if self._language is None:
            return self._parsed().language
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        if self.kind != CODE:
            raise AttributeError("markdown cells have no language")
        self._language = value or ""
        self._touch()

    @property
    def attributes(self) -> Attributes:
        """The cell's attributes; mutate it in place or assign a new mapping."""
        if self._attrs is None:
            self._attrs = Attributes(self, self._parsed().attributes)
        return self._attrs

    @attributes.setter
    def attributes(self, value: Mapping[str, Any]) -> None:
        if self.kind != CODE and value:
            raise AttributeError("markdown cells have no attributes")
        self._attrs = Attributes(self, value)
        self._touch()

    def current_attributes(self) -> Mapping[str, str]:
        """The attributes without materialising an editable copy."""
        return self._attrs if self._attrs is not None else self._parsed().attributes

    def _parsed(self) -> ParsedInfo:
        """The original info string, parsed on first use."""
        p = self._pinfo
        if p is None:
            p = self._pinfo = parse_info(self._info)
        return p

    def _set_attr(self, key: str, value: object) -> None:
        if value is None:
            self.attributes.pop(key, None)
        else:
            self.attributes[key] = value

    def _touch(self) -> None:
        self._dirty = True
        nb = self._nb
        if nb is not None:
            nb._version += 1

    @property
    def fenced(self) -> bool:
        """False for an indented (4-space) code block."""
        return self._fenced

    @property
    def attribute_format(self) -> str:
        """``"json"`` or ``"html"``: the form the attributes are written in."""
        return self._parsed().format or JSON_FORMAT

    @property
    def attribute_problem(self) -> str | None:
        """Why the attribute block written in the file could not be read (wholly or in part), as a
        sentence; ``None`` when it reads, and once edited attributes replace it. The block itself is
        written back as it came until then."""
        if self.kind != CODE:
            return None
        p = self._parsed()
        if p.problem is None or (self._attrs is not None and dict(self._attrs) != p.attributes):
            return None
        return p.problem

    @property
    def attribute_text(self) -> str:
        """The attribute block as written in the file (``""`` when there is none): what the user sees
        when it could not be read."""
        p = self._parsed()
        if p.span is not None:
            return self._info[p.span[0] : p.span[1]]
        if p.problem is not None:
            return self._info[self._info.find("{") :].rstrip()
        return ""

    # --- names and identity -----------------------------------------------------------

    @property
    def name(self) -> str:
        """Runme's name: the ``name`` attribute, or one generated from the code."""
        if self.kind != CODE:
            return ""
        if self._nb is not None:
            found = self._nb._name_of(self)
            if found is not None:
                return found[0]
        return self.current_attributes().get("name") or naming.generated_name(self.source)

    @name.setter
    def name(self, value: str | None) -> None:
        self._set_attr("name", value or None)

    @property
    def name_generated(self) -> bool:
        if self.kind != CODE:
            return False
        if self._nb is not None:
            found = self._nb._name_of(self)
            if found is not None:
                return found[1]
        return not self.current_attributes().get("name")

    @property
    def id(self) -> str | None:
        """The ``id`` attribute (a ULID when Runme wrote it), if any."""
        return self.current_attributes().get("id") or None

    # --- typed attribute accessors with Runme's defaults --------------------------------

    interactive = _Bool("interactive", True)
    background = _Bool("background", False)
    close_terminal_on_success = _Bool("closeTerminalOnSuccess", True)
    exclude_from_run_all = _Bool("excludeFromRunAll", False)
    cwd = _Str("cwd")
    interpreter = _Str("interpreter")
    mime_type = _Str("mimeType")
    category = _Str("category")
    tag = _Str("tag")

    @property
    def prompt_env(self) -> str:
        """``"auto"`` (default), ``"always"`` or ``"never"``."""
        value = self.current_attributes().get("promptEnv", "").strip().lower()
        if value in ("true", "yes", "1", "always", "t"):
            return "always"
        if value in ("false", "no", "0", "never", "f"):
            return "never"
        return "auto"

    @prompt_env.setter
    def prompt_env(self, value: str | bool | None) -> None:
        self._set_attr("promptEnv", value)

    @property
    def terminal_rows(self) -> int | None:
        try:
            return int(self.current_attributes().get("terminalRows", "").strip())
        except ValueError:
            return None

    @terminal_rows.setter
    def terminal_rows(self, value: int | None) -> None:
        self._set_attr("terminalRows", None if value is None else str(int(value)))

    @property
    def tags(self) -> list[str]:
        """``category`` and ``tag`` values together, split on commas."""
        attrs = self.current_attributes()
        out: list[str] = []
        for key in ("category", "tag"):
            out.extend(t.strip() for t in attrs.get(key, "").split(",") if t.strip())
        return out

    # --- original text -------------------------------------------------------------------

    @property
    def is_new(self) -> bool:
        """True for a cell that did not come from the parsed text."""
        return self._o is None

    @property
    def line(self) -> int | None:
        """1-based line where the cell starts in the text it was read from (``None`` for a new cell)."""
        if self._o is None:
            return None
        o, end = self._o, self._start
        return o.count("\n", 0, end) + o.count("\r", 0, end) - o.count("\r\n", 0, end) + 1

    def original_text(self) -> str | None:
        """The cell's bytes in the file it was read from (``None`` for a new cell)."""
        return None if self._o is None else self._o[self._start : self._end]

    def original_source(self) -> str:
        """``source`` as it was read (``""`` for a new cell)."""
        if self._o is None:
            return ""
        if self.kind == MARKDOWN:
            return normalize_newlines(self._o[self._start : self._end])
        content = self._content or ""
        if content.endswith("\n"):
            content = content[:-1]
        if "\ufffd" in content:
            content = self._recover_nul(content)
        if content.startswith(LABEL_PREAMBLE):
            cut = content.find("\n")
            content = "" if cut < 0 else content[cut + 1 :]
        return content

    def label_comment(self) -> str | None:
        """A ``### Exported in runme.dev as ...`` first line Runme hides from the code."""
        if self._o is None or self.kind != CODE or not (self._content or "").startswith(LABEL_PREAMBLE):
            return None
        return (self._content or "").split("\n", 1)[0]

    def _recover_nul(self, content: str) -> str:
        """markdown-it turns NUL into U+FFFD; take such lines from the original text."""
        raw = self._o[self._start : self._end] if self._o is not None else ""
        if "\0" not in raw:
            return content
        raw_lines = split_lines(raw)[1 if self._fenced else 0 :]
        lines = content.split("\n")
        for i, line in enumerate(lines):
            if i < len(raw_lines):
                orig = raw_lines[i]
                if line and orig.replace("\0", "\ufffd").endswith(line):
                    lines[i] = orig[len(orig) - len(line) :]
        return "\n".join(lines)

    def is_edited(self) -> bool:
        """True when writing this cell must produce new text."""
        if self._o is None:
            return True
        if not self._dirty:
            return False
        if self._source is not None and self._source != self.original_source():
            return True
        if self.kind == CODE:
            if self._language is not None and self._language != self._parsed().language:
                return True
            if self._attrs is not None and dict(self._attrs) != self._parsed().attributes:
                return True
        self._dirty = False  # edited back to the original values
        return False

    def ignored_fences(self) -> list[tuple[str, str]]:
        """``(name attribute, code)`` of fences inside a markdown cell that are not cells
        (``mermaid``, ``transform=false``, ``ignore=true``); Runme still names them."""
        if self.kind != MARKDOWN:
            return []
        if self._ignored is None or (self._dirty and self.is_edited()):
            from .fences import ignored_fences

            self._ignored = ignored_fences(self.source)
        return self._ignored

    def __repr__(self) -> str:
        src = self.source
        short = src if len(src) < 40 else src[:37] + "..."
        if self.kind == CODE:
            return f"Cell(code, {self.language!r}, {short!r})"
        return f"Cell(markdown, {short!r})"
