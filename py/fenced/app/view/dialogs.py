"""Modal dialogs: cell attributes, frontmatter, keyboard shortcuts. Native `<dialog>` elements
(focus trap, Escape to close and focus return come with them); logic lives in `forms`.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.jsffi import closest, listen, log_error, opt

from . import forms, ops
from .keymap import SHORTCUTS

if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class Editable(Protocol):
        """What the dialogs need of the view (`NotebookView`)."""

        active: int

        @property
        def notebook(self) -> Any: ...

        @property
        def cells(self) -> Any: ...

        def flush(self) -> bool: ...

        def select(self, index: int, focus: bool = True, scroll: bool = True) -> None: ...

        def run(self, op: ops.Operation) -> None: ...


LANGUAGES = [
    "sh",
    "bash",
    "zsh",
    "python",
    "javascript",
    "typescript",
    "json",
    "yaml",
    "sql",
    "go",
    "dockerfile",
    "toml",
    "powershell",
    "ruby",
    "rust",
    "html",
    "css",
    "text",
]


def _field(label: str, name: str, control: str, hint: str = "") -> str:
    """A labelled control; the first "{attrs}" in `control` (before any user text) gets id/name/aria."""
    attrs = f'id="dlg-{name}" name="{name}"' + (f' aria-describedby="dlg-{name}-hint"' if hint else "")
    hint_html = f'<span class="hint" id="dlg-{name}-hint">{escape(hint)}</span>' if hint else ""
    return (
        f'<div class="field"><label class="label" for="dlg-{name}">{escape(label)}</label>'
        f"{control.replace('{attrs}', attrs, 1)}{hint_html}</div>"
    )


def _text(value: str, placeholder: str = "", extra: str = "") -> str:
    return (
        f'<input type="text" {{attrs}} value="{escape(value)}" placeholder="{escape(placeholder)}"'
        f' autocomplete="off" spellcheck="false" {extra}>'
    )


def _check(name: str, label: str, checked: bool) -> str:
    return (
        f'<label class="check"><input type="checkbox" name="{name}"{" checked" if checked else ""}>'
        f" {escape(label)}</label>"
    )


class Dialogs:
    def __init__(self, view: Editable) -> None:
        self.v = view
        self.dialog = js.document.createElement("dialog")
        self.dialog.className = "view-dialog"
        js.document.body.appendChild(self.dialog)
        self._on_save: Any = None
        self._return_to: Any = None
        listen(self.dialog, "submit", self._submit)
        listen(self.dialog, "close", self._closed)
        listen(self.dialog, "click", self._click)

    # --- plumbing ---------------------------------------------------------------------------------

    def _open(self, title: str, body: str, on_save: Any, save_label: str = "Save") -> None:
        self._return_to = opt(js.document.activeElement)
        self._on_save = on_save
        buttons = (
            (
                f'<button type="submit" value="save" class="primary">{escape(save_label)}</button>'
                '<button type="button" data-dialog="cancel">Cancel</button>'
            )
            if on_save
            else ('<button type="button" data-dialog="cancel">Close</button>')
        )
        self.dialog.setAttribute("aria-label", title)
        self.dialog.innerHTML = (
            f'<form method="dialog" class="dialog-form" novalidate><h2>{escape(title)}</h2>{body}'
            f'<p class="dialog-errors" role="alert" hidden></p><div class="dialog-buttons">{buttons}</div></form>'
        )
        self.dialog.showModal()
        first = opt(self.dialog.querySelector("input, textarea, select, button"))
        if first is not None:
            first.focus()

    def _click(self, event: Any) -> None:
        if closest(event.target, '[data-dialog="cancel"]') is not None:
            self.dialog.close()

    def _submit(self, event: Any) -> None:
        event.preventDefault()
        try:
            errors = self._on_save(self.dialog.querySelector("form")) if self._on_save else []
        except Exception as exc:  # keep the dialog (and what was typed) on a bug
            log_error()
            errors = [f"Could not apply: {exc}"]
        if errors:
            box = self.dialog.querySelector(".dialog-errors")
            box.textContent = " ".join(errors)
            box.hidden = False
            return
        self.dialog.close()

    def _closed(self, _event: Any) -> None:
        """Focus goes back where it was, else to the cell: the menu item that opened the dialog is gone
        with its menu, and focus left on the closed dialog's button would take the notebook's keys
        (Escape, Ctrl+Z) away."""
        target = self._return_to
        self._return_to = None
        if target is not None and target.isConnected:
            target.focus()
            if target.isSameNode(js.document.activeElement):
                return
        if self.v.cells:
            self.v.select(self.v.active)

    @staticmethod
    def _value(form: Any, name: str) -> str:
        return str(form.elements.namedItem(name).value)

    @staticmethod
    def _checked(form: Any, name: str) -> bool:
        return bool(form.elements.namedItem(name).checked)

    # --- cell attributes --------------------------------------------------------------------------

    def attributes(self, index: int, focus: str = "") -> None:
        v = self.v
        v.flush()
        cell = v.cells[index]
        initial = dict(cell.current_attributes())
        form = forms.attributes_to_form(initial, cell.language)
        options = "".join(
            f'<option value="{p}"{" selected" if p == form["promptEnv"] else ""}>{p}</option>'
            for p in forms.PROMPT_ENV
        )
        datalist = "".join(f'<option value="{escape(x)}">' for x in LANGUAGES)
        generated = cell.name if cell.name_generated else ""
        problem = cell.attribute_problem
        note = (
            f'<div class="dialog-note" role="note"><p>{escape(problem)}</p><p>As written: '
            f"<code>{escape(cell.attribute_text)}</code>. Saving writes the attributes below in its place.</p></div>"
            if problem
            else ""
        )
        body = (
            note
            + _field("Language", "language", _text(form["language"], "sh", 'list="view-languages"'))
            + f'<datalist id="view-languages">{datalist}</datalist>'
            + _field(
                "Name", "name", _text(form["name"], generated), "Empty: a name is generated from the code."
            )
            + _field("Working directory (cwd)", "cwd", _text(form["cwd"]))
            + _field(
                "Prompt for environment (promptEnv)", "promptEnv", "<select {attrs}>" + options + "</select>"
            )
            + _field(
                "Terminal rows (terminalRows)",
                "terminalRows",
                f'<input type="number" {{attrs}} min="1" max="1000" value="{escape(form["terminalRows"])}">',
            )
            + '<fieldset class="checks"><legend>Running</legend>'
            + _check("interactive", "Interactive (accepts input)", form["interactive"])
            + _check("background", "Background (long-running process)", form["background"])
            + _check(
                "excludeFromRunAll", "Exclude from Run all (excludeFromRunAll)", form["excludeFromRunAll"]
            )
            + "</fieldset>"
            + _field(
                "Other attributes",
                "other",
                '<textarea {attrs} rows="4" spellcheck="false">' + escape(form["other"]) + "</textarea>",
                "One key=value per line.",
            )
        )

        def save(f: Any) -> list[str]:
            values: dict[str, Any] = {
                k: self._value(f, k)
                for k in ("language", "name", "cwd", "promptEnv", "terminalRows", "other")
            }
            values.update({k: self._checked(f, k) for k in forms.BOOL_KEYS})
            result = forms.form_to_attributes(initial, values)
            if result.errors:
                return result.errors
            language = result.language
            if language == cell.language and result.attributes == initial:
                return []
            op = ops.SetMeta(cell, cell.language, language, initial, result.attributes)
            v.run(op)
            return []

        self._open(f"Cell attributes: {cell.name}", body, save)
        if focus:
            field = opt(self.dialog.querySelector(f'[name="{focus}"]'))
            if field is not None:
                field.focus()
                field.select()

    # --- frontmatter ------------------------------------------------------------------------------

    def frontmatter(self) -> None:
        v = self.v
        nb = v.notebook
        if nb is None:
            return
        fm = nb.frontmatter
        raw = fm.raw if fm is not None else ""
        valid = fm is None or fm.valid
        fields = dict(fm.data) if fm is not None and valid and fm.data is not None else {}
        initial = forms.frontmatter_to_form(fields, raw)
        disabled = "" if valid else " disabled"
        note = (
            ""
            if valid
            else (
                f'<p class="dialog-note" role="note">This frontmatter does not parse '
                f"({escape(fm.error or '')}); edit its text.</p>"
            )
        )
        body = (
            note
            + f'<fieldset class="fm-fields"{disabled}><legend>Fields</legend>'
            + _field("Shell", "shell", _text(initial["shell"], "e.g. bash"))
            + _field("Working directory (cwd)", "cwd", _text(initial["cwd"]))
            + _check("skipPrompts", "Skip prompts (skipPrompts)", initial["skipPrompts"])
            + "</fieldset>"
            + _field(
                "Frontmatter text",
                "raw",
                '<textarea {attrs} rows="8" spellcheck="false">' + escape(raw) + "</textarea>",
                "The whole frontmatter, delimiters included (--- YAML, +++ TOML or a JSON object). "
                "Empty removes it.",
            )
        )

        def save(f: Any) -> list[str]:
            form = {
                "raw": self._value(f, "raw"),
                "shell": self._value(f, "shell"),
                "cwd": self._value(f, "cwd"),
                "skipPrompts": self._checked(f, "skipPrompts"),
            }
            plan = forms.plan_frontmatter(initial, form)
            if plan.raw is None and not plan.updates:
                return []
            return self._apply_frontmatter(plan)

        self._open("Frontmatter", body, save)

    def _apply_frontmatter(self, plan: forms.FrontmatterPlan) -> list[str]:
        from fenced.document import Frontmatter

        nb = self.v.notebook
        old = nb.frontmatter
        old_raw = old.raw if old is not None else None
        if plan.raw is not None:
            new = Frontmatter.coerce(plan.raw) if plan.raw.strip() else None
        elif old is not None:
            new = Frontmatter(old.raw, old.format)
        else:
            new = None
        updates = dict(plan.updates)
        if updates:
            if new is None:
                new = Frontmatter.new({k: val for k, val in updates.items() if val is not None})
            elif not new.valid:
                return [
                    f"The frontmatter text does not parse ({new.error}); fix it or leave the fields alone."
                ]
            else:
                for key, val in updates.items():
                    if val is None:
                        if key in new:
                            del new[key]
                    else:
                        new[key] = val
        new_raw = new.raw if new is not None else None
        self.v.run(ops.SetFrontmatter(old, old_raw, new, new_raw))
        return []

    # --- shortcuts --------------------------------------------------------------------------------

    def shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><kbd>{escape(keys)}</kbd></td><td>{escape(what)}</td><td>{where}</td></tr>"
            for keys, what, where in SHORTCUTS
        )
        body = (
            "<p>Command mode: a cell is selected (press Esc to get there). Edit mode: you are typing in a cell"
            " (press Enter to get there). In edit mode Tab indents; Esc, then Tab, moves on.</p>"
            f'<div class="table-scroll" tabindex="0" role="group" aria-label="Shortcuts">'
            f'<table class="shortcuts"><thead><tr><th scope="col">Keys</th><th scope="col">Action</th>'
            f'<th scope="col">Where</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
        self._open("Keyboard shortcuts", body, None)
