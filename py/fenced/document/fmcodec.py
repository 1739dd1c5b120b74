"""Parse and re-write frontmatter bodies in their own format, keeping comments,
key order and layout: ruamel.yaml round-trip for YAML, tomlkit for TOML, and an
order-preserving ``json`` with the original indent for JSON.

The YAML and TOML libraries are imported here, on first use, so documents
without frontmatter never pay for them (that matters in the browser).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

YAML = "yaml"
TOML = "toml"
JSON = "json"


class FrontmatterError(ValueError):
    """The frontmatter text is not a mapping in its format."""


def load(fmt: str, body: str) -> Any:
    """Parse a body into an editable mapping (raises :class:`FrontmatterError`)."""
    try:
        if fmt == YAML:
            data = _yaml().load(body)
            if data is None:
                from ruamel.yaml.comments import CommentedMap

                data = CommentedMap()
        elif fmt == TOML:
            import tomlkit

            data = tomlkit.parse(body)
        else:
            data = json.loads(body)
    except FrontmatterError:
        raise
    except Exception as exc:  # every parser has its own error types
        raise FrontmatterError(f"invalid {fmt} frontmatter: {exc}") from None
    if not isinstance(data, Mapping):
        raise FrontmatterError(f"{fmt} frontmatter is not a mapping")
    return data


def dump(fmt: str, data: Any, old_body: str) -> str:
    """Serialise ``data`` in the style of ``old_body``."""
    if fmt == YAML:
        import io

        y = _yaml()
        mapping, sequence, offset = _yaml_indent(old_body)
        y.indent(mapping=mapping, sequence=sequence, offset=offset)
        out = io.StringIO()
        y.dump(data, out)
        text = out.getvalue()
        return "" if text.strip() in ("", "{}") else text
    if fmt == TOML:
        import tomlkit

        return tomlkit.dumps(data)
    indent = _json_indent(old_body)
    return json.dumps(data, indent=indent, ensure_ascii=False)


def plain(value: Any) -> Any:
    """A detached, comparable copy (ruamel/tomlkit containers -> dict/list)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    unwrap = getattr(value, "unwrap", None)
    if callable(unwrap):
        try:
            return unwrap()
        except Exception:
            return value
    return value


def _yaml() -> Any:
    from ruamel.yaml import YAML as _Y

    y = _Y(typ="rt")  # round-trip mode is pure Python
    y.preserve_quotes = True
    y.width = 4096
    return y


_SEQ_RE = re.compile(r"^( *)- ", re.M)


def _yaml_indent(body: str) -> tuple[int, int, int]:
    """Guess ruamel's ``indent(mapping, sequence, offset)`` from existing text."""
    lines = [ln for ln in body.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    mapping = 0
    for ln in lines:
        ind = len(ln) - len(ln.lstrip(" "))
        if ind and not ln.lstrip(" ").startswith("- ") and (not mapping or ind < mapping):
            mapping = ind
    mapping = mapping or 2
    offset = 0
    for i, ln in enumerate(lines):
        m = _SEQ_RE.match(ln)
        if not m or i == 0:
            continue
        parent = lines[i - 1]
        if parent.rstrip().endswith(":") and not parent.lstrip().startswith("- "):
            offset = len(m.group(1)) - (len(parent) - len(parent.lstrip(" ")))
            break
    offset = max(0, offset)
    return mapping, max(mapping, offset + 2), offset


def _json_indent(body: str) -> str | int:
    for ln in body.split("\n")[1:]:
        stripped = ln.lstrip(" \t")
        if stripped and len(stripped) != len(ln):
            return ln[: len(ln) - len(stripped)]
    return 2
