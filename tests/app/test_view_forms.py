"""The attribute and frontmatter editors change only what the user changed."""

from __future__ import annotations

from fenced.app.view import forms


def test_round_trip_without_edits_keeps_everything() -> None:
    old = {
        "name": "x",
        "interactive": "False",
        "promptEnv": "no",
        "terminalRows": "20",
        "mimeType": "text/plain",
    }
    form = forms.attributes_to_form(old, "sh")
    assert (
        form["interactive"] is False
        and form["promptEnv"] == "never"
        and form["other"] == "mimeType=text/plain"
    )
    result = forms.form_to_attributes(old, form)
    assert result.errors == [] and result.attributes == old and list(result.attributes) == list(old)


def test_edits() -> None:
    old = {"name": "x", "tag": "a"}
    form = forms.attributes_to_form(old, "sh")
    form.update(
        name="",
        interactive=False,
        background=True,
        cwd="/tmp",
        promptEnv="always",
        terminalRows="12",
        other="tag=b\ncategory=ops",
    )
    result = forms.form_to_attributes(old, form)
    assert result.errors == []
    assert result.attributes == {
        "tag": "b",
        "interactive": "false",
        "background": "true",
        "cwd": "/tmp",
        "promptEnv": "always",
        "terminalRows": "12",
        "category": "ops",
    }


def test_defaults_are_not_written() -> None:
    form = forms.attributes_to_form({}, "sh")
    assert forms.form_to_attributes({}, form).attributes == {}
    form["excludeFromRunAll"] = True
    assert forms.form_to_attributes({}, form).attributes == {"excludeFromRunAll": "true"}


def test_errors() -> None:
    form = forms.attributes_to_form({}, "sh")
    form.update(terminalRows="many", other="novalue\nname=x\nbad key=1", name="a b", language="s h")
    errors = forms.form_to_attributes({}, form).errors
    assert len(errors) == 6


def test_frontmatter_plan() -> None:
    initial = forms.frontmatter_to_form({"shell": "bash", "skipPrompts": True}, "---\nshell: bash\n---")
    assert forms.plan_frontmatter(initial, dict(initial)) == forms.FrontmatterPlan(None, {})
    changed = dict(initial, shell="zsh", skipPrompts=False, cwd="/srv")
    assert forms.plan_frontmatter(initial, changed) == forms.FrontmatterPlan(
        None, {"shell": "zsh", "cwd": "/srv", "skipPrompts": None}
    )
    assert forms.plan_frontmatter(initial, dict(initial, raw="")).raw == ""
