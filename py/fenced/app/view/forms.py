"""The cell-attributes and frontmatter editors' logic (pure): form values <-> document values.

The dialogs show typed fields for the Runme keys people set most and free text for the rest. Saving
changes only what the user changed: an untouched field keeps its original spelling (``"True"`` stays
``"True"``), a field set back to Runme's default is removed if it was absent before, so a dialog
opened and saved without edits changes no bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

_TRUE = {"1", "t", "true", "yes", "y", "on"}
_FALSE = {"0", "f", "false", "no", "n", "off"}

# key -> (form field, kind, default)
BOOL_KEYS = {"interactive": True, "background": False, "excludeFromRunAll": False}
TEXT_KEYS = ("name", "cwd")
PROMPT_ENV = ("auto", "always", "never")
KNOWN_KEYS = ("name", "interactive", "background", "cwd", "promptEnv", "excludeFromRunAll", "terminalRows")


def parse_bool(value: str | None, default: bool) -> bool:
    v = (value or "").strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return default


def prompt_env_of(value: str | None) -> str:
    v = (value or "").strip().lower()
    if v in ("true", "yes", "1", "always", "t"):
        return "always"
    if v in ("false", "no", "0", "never", "f"):
        return "never"
    return "auto"


def attributes_to_form(attributes: Mapping[str, str], language: str) -> dict[str, Any]:
    """Field values for the dialog."""
    form: dict[str, Any] = {"language": language}
    for key in TEXT_KEYS:
        form[key] = attributes.get(key, "")
    for key, default in BOOL_KEYS.items():
        form[key] = parse_bool(attributes.get(key), default)
    form["promptEnv"] = prompt_env_of(attributes.get("promptEnv"))
    form["terminalRows"] = attributes.get("terminalRows", "").strip()
    form["other"] = "\n".join(f"{k}={v}" for k, v in attributes.items() if k not in KNOWN_KEYS)
    return form


class FormResult(NamedTuple):
    language: str
    attributes: dict[str, str]
    errors: list[str]


def parse_other(text: str) -> tuple[dict[str, str], list[str]]:
    """``key=value`` lines (blank lines and ``#`` comments ignored)."""
    out: dict[str, str] = {}
    errors: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        key = key.strip()
        if not sep or not key:
            errors.append(f"Other attributes, line {n}: write key=value.")
            continue
        if any(ch.isspace() for ch in key) or key in "{}":
            errors.append(f"Other attributes, line {n}: a key cannot contain spaces.")
            continue
        if key in KNOWN_KEYS:
            errors.append(f"Other attributes, line {n}: set {key} with its own field.")
            continue
        out[key] = value.strip()
    return out, errors


def form_to_attributes(old: Mapping[str, str], form: Mapping[str, Any]) -> FormResult:
    """New attributes from the dialog; keys keep their original order, new ones go at the end."""
    errors: list[str] = []
    new: dict[str, str | None] = {}
    name = str(form.get("name", "")).strip()
    if any(ch.isspace() for ch in name):
        errors.append("Name: use no spaces (letters, digits, - and _).")
    new["name"] = name or None
    cwd = str(form.get("cwd", "")).strip()
    new["cwd"] = cwd or None
    for key, default in BOOL_KEYS.items():
        checked = bool(form.get(key, default))
        if checked == parse_bool(old.get(key), default):
            new[key] = old.get(key)  # unchanged: keep the original spelling (or absence)
        elif key not in old and checked == default:
            new[key] = None
        else:
            new[key] = "true" if checked else "false"
    prompt = str(form.get("promptEnv", "auto"))
    if prompt not in PROMPT_ENV:
        errors.append("Prompt for environment: choose auto, always or never.")
    elif prompt == prompt_env_of(old.get("promptEnv")):
        new["promptEnv"] = old.get("promptEnv")
    else:
        new["promptEnv"] = None if (prompt == "auto" and "promptEnv" not in old) else prompt
    rows = str(form.get("terminalRows", "")).strip()
    if rows and not (rows.isdigit() and 0 < int(rows) <= 1000):
        errors.append("Terminal rows: a whole number from 1 to 1000.")
    elif rows == old.get("terminalRows", "").strip():
        new["terminalRows"] = old.get("terminalRows")
    else:
        new["terminalRows"] = rows or None
    other, other_errors = parse_other(str(form.get("other", "")))
    errors += other_errors
    result: dict[str, str] = {}
    for key in old:
        if key in new:
            if (kept := new[key]) is not None:
                result[key] = kept
        elif key in other:
            result[key] = other[key]
    for key, value in new.items():
        if value is not None and key not in result:
            result[key] = value
    for key, value in other.items():
        if key not in result:
            result[key] = value
    language = str(form.get("language", "")).strip()
    if any(ch.isspace() or ch in "{}`~" for ch in language):
        errors.append("Language: one word, such as sh, python or sql.")
    return FormResult(language, result, errors)


# --- frontmatter ------------------------------------------------------------------------------------


def frontmatter_to_form(fields: Mapping[str, Any] | None, raw: str) -> dict[str, Any]:
    fields = fields or {}
    skip = fields.get("skipPrompts")
    return {
        "shell": _text(fields.get("shell")),
        "cwd": _text(fields.get("cwd")),
        "skipPrompts": skip if isinstance(skip, bool) else parse_bool(_text(skip), False),
        "raw": raw,
    }


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FrontmatterPlan(NamedTuple):
    raw: str | None  # new raw text to assign first (None = raw untouched)
    updates: dict[str, Any]  # field -> new value (None = delete the key)


def plan_frontmatter(initial: Mapping[str, Any], form: Mapping[str, Any]) -> FrontmatterPlan:
    """What to do with the frontmatter: the raw text if it was edited, then the changed fields."""
    raw = None if form.get("raw", "") == initial.get("raw", "") else str(form.get("raw", ""))
    updates: dict[str, Any] = {}
    for key in ("shell", "cwd"):
        value = str(form.get(key, "")).strip()
        if value != str(initial.get(key, "")).strip():
            updates[key] = value or None
    if bool(form.get("skipPrompts")) != bool(initial.get("skipPrompts")):
        updates["skipPrompts"] = True if form.get("skipPrompts") else None
    return FrontmatterPlan(raw, updates)
