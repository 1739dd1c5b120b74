"""Fenced reads Runme's goldens the way Runme does: same code cells (count, order,
language, source, attributes, names). Where Runme's expected output is a
normalisation, Fenced keeps the original instead; each such case is named
``keeps_original_*``."""

from __future__ import annotations

import json

import pytest
from docsupport import code_view, read, txtar

from fenced.document import dumps, loads
from fenced.document.naming import first_command

EDITOR = "derived/editor"


def expected_code_cells(rel: str) -> list[tuple[str, str]]:
    cells = json.loads(read(rel))
    return [(c["languageId"], c["value"]) for c in cells if c["kind"] == "code"]


# --- derived/editor: Runme's cell splitting ---------------------------------------------


def test_nested_code_cells_match_runme():
    nb = loads(read(f"{EDITOR}/nested/input.md"))
    code = [c for c in nb.cells if c.kind == "code"]
    assert [(c.language, c.source) for c in code] == expected_code_cells(
        f"{EDITOR}/nested/expected-cells.json"
    )
    # the indented block inside the blockquote is "runme.dev/fenced=false"
    assert [c.fenced for c in code] == [True, False, True]
    assert [c.name for c in code] == ["echo", "echo-1", "echo-2"]
    assert [c.name_generated for c in code] == [False, True, False]
    assert code[0].attributes == {"first": "", "name": "echo", "second": "2"}


def test_keeps_original_nested_instead_of_flattening():
    # Runme's expected.md drops the '>' of the quote and the list indentation
    text = read(f"{EDITOR}/nested/input.md")
    flattened = read(f"{EDITOR}/nested/expected.md")
    assert dumps(loads(text)) == text != flattened
    assert code_view(loads(flattened)) == code_view(loads(text))


def test_list_without_code_is_one_markdown_cell():
    text = read(f"{EDITOR}/list-without-code/input.md")
    nb = loads(text)
    expected = json.loads(read(f"{EDITOR}/list-without-code/expected-cells.json"))
    assert [(c.kind, c.source) for c in nb.cells] == [("markdown", expected[0]["value"])]


def test_list_with_code():
    text = read(f"{EDITOR}/list-with-code/input.md")
    nb = loads(text)
    assert [(c.language, c.source) for c in nb.cells if c.kind == "code"] == expected_code_cells(
        f"{EDITOR}/list-with-code/expected-cells.json"
    )
    assert [c.kind for c in nb.cells] == ["markdown", "code", "markdown"]
    assert nb.cells[2].source == "3. Item 3"
    assert dumps(nb) == text


def test_keeps_original_list_nested_code_instead_of_dedenting_fences():
    text = read(f"{EDITOR}/list-nested-code/input.md")
    normalised = read(f"{EDITOR}/list-nested-code/expected.md")
    nb = loads(text)
    assert code_view(nb) == [("sh", "brew bundle --no-lock", {}), ("sh", "pre-commit install", {})]
    assert code_view(loads(normalised)) == code_view(nb)
    assert dumps(nb) == text != normalised


def test_keeps_original_list_item_paragraph_then_fence_without_inserting_a_blank_line():
    text = read(f"{EDITOR}/list-item-paragraph-then-fence/input.md")
    normalised = read(f"{EDITOR}/list-item-paragraph-then-fence/expected.md")
    nb = loads(text)
    assert (
        code_view(nb) == [("bash", "curl -k -i https://hello.visr.dev", {})] == code_view(loads(normalised))
    )
    assert dumps(nb) == text != normalised


@pytest.mark.parametrize(
    "case",
    [
        "attribute-format-mixed",
        "attributes-json-sorted",
        "explicit-name-json",
        "fenced",
        "final-newlines-0",
        "final-newlines-1",
        "final-newlines-7",
        "generated-name",
        "invalid-frontmatter-template",
        "mermaid-is-markup",
        "mermaid-transform-true-is-code",
        "mkdocs-scissor",
        "toml-frontmatter-without-runme",
        "transform-false-is-markup",
        "transform-invalid-is-code",
        "unfenced-indented",
        "unicode-with-ids",
    ],
)
def test_roundtrip_goldens(case):
    text = read(f"{EDITOR}/roundtrip/{case}.md")
    assert dumps(loads(text)) == text


@pytest.mark.parametrize(
    ("case", "kinds", "language"),
    [
        ("mermaid-is-markup", ["markdown"], None),
        ("transform-false-is-markup", ["markdown"], None),
        ("mermaid-transform-true-is-code", ["code"], "mermaid"),
        ("transform-invalid-is-code", ["code"], "javascript"),
    ],
)
def test_transform_and_mermaid(case, kinds, language):
    nb = loads(read(f"{EDITOR}/roundtrip/{case}.md"))
    assert [c.kind for c in nb.cells] == kinds
    if language:
        assert nb.cells[0].language == language


def test_generated_and_explicit_names():
    nb = loads(read(f"{EDITOR}/roundtrip/generated-name.md"))
    assert (nb.cells[0].name, nb.cells[0].name_generated, nb.cells[0].attributes) == ("echo-1", True, {})
    nb = loads(read(f"{EDITOR}/roundtrip/explicit-name-json.md"))
    assert (nb.cells[0].name, nb.cells[0].name_generated) == ("name1", False)


def test_attribute_formats_are_remembered():
    nb = loads(read(f"{EDITOR}/roundtrip/attribute-format-mixed.md"))
    code = [c for c in nb.cells if c.kind == "code"]
    assert [c.attribute_format for c in code] == ["html", "json"]
    assert code[0].attributes == {"name": "date", "interactive": "false"}
    assert code[0].interactive is False
    assert code[1].attributes == {"interactive": "false", "name": "iso"}


def test_unfenced_indented_blocks_are_code_cells():
    nb = loads(read(f"{EDITOR}/roundtrip/unfenced-indented.md"))
    code = [c for c in nb.cells if c.kind == "code"]
    assert [(c.fenced, c.language, c.source) for c in code] == [
        (False, "", 'export TESTING="1"\ndagger call test all'),
        (
            False,
            "",
            'dagger call test specific --pkg="./core/integration" --run="^TestModule/TestNamespacing$"',
        ),
    ]


def test_unicode_document_cells_like_runme():
    # editor_test.go TestEditor_VaryingWidthUnicodeSequences indexes cells 0..6; the
    # heading split gives the same indices
    nb = loads(read(f"{EDITOR}/roundtrip/unicode-with-ids.md"))
    c = nb.cells
    assert "Int'l scripts intermixed" in c[0].source and "Заголовок" in c[1].source
    assert (c[2].language, c[2].source, c[2].id) == ("sh", "date", "01JN4EXJWJH3CDJNQNS65DT3Z6")
    assert "επικεφαλίδα" in c[3].source
    assert (c[4].language, c[4].source) == ("ts", "console.log(new Date())")
    assert "标题" in c[5].source and (c[6].language, c[6].source) == ("sh", "date")
    assert nb.id == "01JN4EXJWJH3CDJNQNSBFQAKEQ"


def test_final_newlines_are_kept():
    for n in (0, 1, 7):
        text = read(f"{EDITOR}/roundtrip/final-newlines-{n}.md")
        assert len(text) - len(text.rstrip("\n")) == n
        nb = loads(text)
        assert [c.source for c in nb.cells] == ["## Newline debugging\n\nThis will test final line breaks"]
        assert dumps(nb) == text


def test_invalid_frontmatter_stays_raw():
    text = read(f"{EDITOR}/roundtrip/invalid-frontmatter-template.md")
    nb = loads(text)
    fm = nb.frontmatter
    assert fm is not None and fm.format == "toml" and not fm.valid and fm.error
    assert fm.raw == text[: text.index("+++\n\n") + 3]
    assert fm.shell == "" and nb.cells[0].source == "# Example\n\nA paragraph"
    assert dumps(nb) == text


def test_mkdocs_scissor_is_not_frontmatter():
    nb = loads(read(f"{EDITOR}/roundtrip/mkdocs-scissor.md"))
    assert nb.frontmatter is None
    assert nb.cells[0].source.startswith("--8<--")
    assert [(c.name, c.name_generated) for c in nb.code_cells()] == [("docker ps", False)]


def test_toml_frontmatter_fields():
    nb = loads(read(f"{EDITOR}/roundtrip/toml-frontmatter-without-runme.md"))
    assert nb.frontmatter.format == "toml"
    assert dict(nb.frontmatter.data) == {"prop1": "val1", "prop2": "val2"}
    assert nb.id is None


@pytest.mark.parametrize(
    ("case", "language", "attributes"),
    [
        ("empty-lang", "", {}),
        ("unsupported-lang-attr", "py", {"readonly": "true"}),
    ],
)
def test_cells_only(case, language, attributes):
    text = read(f"{EDITOR}/cells-only/{case}.md")
    nb = loads(text)
    assert [(c.kind, c.language, c.attributes) for c in nb.cells] == [("code", language, attributes)]
    assert dumps(nb) == text


def test_label_comments_are_hidden_from_the_code():
    text = read(f"{EDITOR}/label-comments/input.md")
    nb = loads(text)
    code = nb.code_cells()
    assert [(c.name, c.source) for c in code] == [
        ("date", "date"),
        ("iso", "console.log(new Date().toISOString())"),
    ]
    assert all("Exported in runme.dev" not in c.source for c in code)


def test_keeps_original_label_comments_instead_of_dropping_them():
    # Runme drops the label when the document is not a dagger shell document
    text = read(f"{EDITOR}/label-comments/input.md")
    assert dumps(loads(text)) == text
    dagger = read(f"{EDITOR}/label-comments/with-dagger-frontmatter.input.md")
    nb = loads(dagger)
    assert nb.frontmatter.shell == "dagger shell"
    assert dumps(nb) == dagger


@pytest.mark.parametrize(
    "case",
    [
        "json-remove-empty",
        "json-retain-unrelated",
        "toml-retain-unrelated",
        "yaml-remove-empty",
        "yaml-retain-unrelated",
    ],
)
def test_reset_identity_like_runme_fmt_reset(case):
    nb = loads(read(f"{EDITOR}/reset/{case}/input.md"))
    nb.reset_identity()
    assert dumps(nb) == read(f"{EDITOR}/reset/{case}/expected.md")


# --- derived/parser: frontmatter splitting (document/parser_test.go) --------------------------


@pytest.mark.parametrize(
    ("case", "fmt", "raw"),
    [
        ("frontmatter-yaml", "yaml", "---\nprop1: val1\nprop2: val2\n---"),
        ("frontmatter-toml", "toml", '+++\nprop1 = "val1"\nprop2 = "val2"\n+++'),
        ("frontmatter-json", "json", '{\n    "prop1": "val1",\n    "prop2": "val2"\n}'),
    ],
)
def test_frontmatter_sections(case, fmt, raw):
    text = read(f"derived/parser/{case}.md")
    nb = loads(text)
    assert (nb.frontmatter.format, nb.frontmatter.raw) == (fmt, raw)
    assert dict(nb.frontmatter.data) == {"prop1": "val1", "prop2": "val2"}
    assert [c.source for c in nb.cells] == ["# Example\n\nA paragraph"]
    assert dumps(nb) == text


@pytest.mark.parametrize(
    ("case", "first"),
    [
        ("malformed-frontmatter", "--\na: b\n---"),
        ("skip-include", '{% include "gradual-rollout-intro.md" %}'),
        ("skip-template", "{{- $repourl := $.Info.RepositoryURL -}}"),
    ],
)
def test_not_frontmatter(case, first):
    text = read(f"derived/parser/{case}.md")
    nb = loads(text)
    assert nb.frontmatter is None
    assert nb.cells[0].source.startswith(first)
    assert dumps(nb) == text


# --- derived/cmark-identity -------------------------------------------------------------------


def test_list_with_code_block_cells():
    nb = loads(read("derived/cmark-identity/list-with-code-block.md"))
    assert [c.source for c in nb.code_cells()] == [
        "git clone https://github.com/my/repo.git\ncd my-repo",
        "REGION=us-central1\ncluster-create",
        "REGION=us-central1\ncluster-create-std",
    ]
    assert [c.name for c in nb.code_cells()] == ["git-clone", "region", "region-2"]


def test_html_attributes_ignore_the_braces():
    # Deviation: Runme's reader would make "{name" a key here; Fenced reads the braces as braces
    nb = loads(read("derived/cmark-identity/fenced-html-attributes.md"))
    cell = nb.cells[0]
    assert (cell.attribute_format, cell.attributes) == ("html", {"name": "echo", "first": "", "second": "2"})


# --- testdata/*.txtar ---------------------------------------------------------------------------


def _golden_rows(table: str) -> list[list[str]]:
    return [row.split("\t") for row in table.strip("\n").split("\n")[1:]]


def test_script_basic_names_like_runme_ls():
    files = txtar("runmedev-runme/testdata/script/basic.txtar")
    nb = loads(files["README.md"])
    rows = [r for r in _golden_rows(files["golden-list-allow-unnamed.txt"]) if r[1] == "README.md"]
    code = nb.code_cells()
    assert [c.name for c in code] == [r[0].rstrip("*") for r in rows]
    assert [c.name_generated for c in code] == [r[4] == "No" for r in rows]
    assert [first_command(c.source) for c in code] == [r[2] for r in rows]
    assert nb.frontmatter.runme_version == "2.0" and nb.id == "01HFVTDYA775K2HREH9ZGQJ75B"
    assert [c.name for c in code if c.exclude_from_run_all] == ["echo"]
    assert nb.find("hello-cat").interpreter == "cat"
    shell = loads(files["shellscript.md"]).code_cells()[0]
    assert (shell.language, shell.name) == ("shellscript", "run-shellscript")


def test_daggershell_names_and_label():
    files = txtar("runmedev-runme/testdata/script/daggershell.txtar")
    nb = loads(files["shell.dag"])
    cell = nb.find("SimpleDagger")
    assert cell.source.startswith("git github.com/runmedev/runme |")
    assert "### Exported in runme.dev" not in cell.source
    assert cell.interactive is False
    mixed = loads(files["mixed.dag"]).code_cells()
    assert [(c.name, c.interpreter) for c in mixed] == [("WithoutDagger", ""), ("WithDagger", "dagger shell")]
    assert dumps(nb) == files["shell.dag"]


def test_keeps_original_fmt_annotations_instead_of_reformatting():
    # `runme fmt` rewrites ``` {"name":..} and {"name": "x"} to compact JSON; Fenced keeps both
    files = txtar("runmedev-runme/testdata/flags/fmt.txtar")
    nb = loads(files["README.md"])
    assert [(c.language, c.name, c.name_generated) for c in nb.code_cells()] == [
        ("", "bash-echo-1", False),
        ("", "bash-echo-2", False),
    ]
    assert code_view(nb) == code_view(loads(files["README-FORMATTED.md"]))
    assert dumps(nb) == files["README.md"] != files["README-FORMATTED.md"]


def test_fmt_reset_removes_ids_like_runme():
    files = txtar("runmedev-runme/testdata/flags/fmt.txtar")
    nb = loads(files["LCID-all.md"])
    assert nb.id == "01HF7AX2R37KPNPH1MQ2KEEYGM" and nb.frontmatter.format == "json"
    assert [c.id for c in nb.code_cells()] == [
        "01HF7BT3HBDTRGQAQMGP4A5DAJ",
        "01HF7BT3HBDTRGQAQMGQCHXPXH",
        "01HF7BT3HBDTRGQAQMGSKMPTNS",
    ]
    nb.reset_identity()
    assert dumps(nb) == files["LCID-none.md"]


def test_keeps_original_print_raw_spacing():
    # `runme print --raw` shows "```{"name":"say-hello"}"; the file has "``` {...}"
    files = txtar("runmedev-runme/testdata/flags/print.txtar")
    nb = loads(files["README.md"])
    cell = nb.find("say-hello")
    assert (cell.language, cell.source) == ("", 'echo "Hello world"')
    assert '``` {"name":"say-hello"}' in dumps(nb)


def test_categories_and_tags():
    files = txtar("runmedev-runme/testdata/tags/categories.txtar")
    nb = loads(files["CATEGORIES.md"])
    assert [(c.name, c.category, c.tags) for c in nb.code_cells()] == [
        ("set-env", "foo", ["foo"]),
        ("print-foo", "foo", ["foo"]),
        ("print-bar", "foo,bar", ["foo", "bar"]),
        ("excluded", "foo,bar", ["foo", "bar"]),
        ("print-buzz", "buzz", ["buzz"]),
    ]
    # a JSON boolean becomes its JSON text, as in Runme
    assert nb.find("excluded").attributes["excludeFromRunAll"] == "true"
    assert nb.find("excluded").exclude_from_run_all is True
    fm = loads(files["install-manual-solution-1.md"]).frontmatter
    assert (fm.shell, fm.cwd, fm.category) == ("bash", "/tmp", "solution-1")


def test_runall_frontmatter_and_json_booleans():
    files = txtar("runmedev-runme/testdata/runall/basic.txtar")
    nb = loads(files["README.md"])
    assert nb.frontmatter.skip_prompts is True
    assert all(c.attributes["interactive"] == "true" and c.interactive for c in nb.code_cells())


def test_prompt_env_values():
    files = txtar("runmedev-runme/testdata/prompts/basic.txtar")
    nb = loads(files["PROMPTS.md"])
    assert [c.prompt_env for c in nb.code_cells()] == ["auto", "auto", "always", "never"]


# --- examples -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shell"), [("BASH", "bash"), ("KSH", "ksh"), ("ZSH", "zsh")])
def test_frontmatter_shells(name, shell):
    nb = loads(read(f"runmedev-runme/examples/frontmatter/shells/{name}.md"))
    assert nb.frontmatter.shell == shell
    assert nb.frontmatter.runme_version == "v3"


@pytest.mark.parametrize(("name", "cwd"), [("ABSOLUTE", "/tmp"), ("RELATIVE", "../../../"), ("NONE", "")])
def test_frontmatter_cwd(name, cwd):
    nb = loads(read(f"runmedev-runme/examples/frontmatter/cwd/{name}.md"))
    assert nb.frontmatter.cwd == cwd
    assert [c.cwd for c in nb.code_cells()][:2] == ["", "../"]


@pytest.mark.parametrize(("name", "skip"), [("ENABLED", True), ("DISABLED", False), ("NONE", False)])
def test_frontmatter_skip_prompts(name, skip):
    assert (
        loads(read(f"runmedev-runme/examples/frontmatter/skipPrompts/{name}.md")).frontmatter.skip_prompts
        is skip
    )


def test_grpc_client_attributes():
    nb = loads(read("runmedev-runme/examples/grpc-client/hello.md"))
    cell = nb.find("id-present")
    assert (cell.interpreter, cell.terminal_rows, cell.id) == ("bash", 2, "01HE2XR0Z3WD9A89XR5XA959QP")
    assert nb.frontmatter.shell == "zsh"


def test_session_file_keeps_attribute_order():
    # Runme would rewrite {"name","id"} as sorted JSON; an unedited cell keeps its bytes
    text = read("runmedev-runme/project/testdata/dir-project/session-01HJS35FZ2K0JBWPVAXPMMVTGN.md")
    nb = loads(text)
    assert nb.frontmatter.runme_session["id"] == "01HJS35FZ2K0JBWPVAXPMMVTGN"
    assert nb.cells[0].name == "iam-session"
    assert dumps(nb) == text


def test_list_items_with_nested_fences():
    nb = loads(read("runmedev-runme/pkg/agent/docs/test_data/list.md"))
    assert code_view(nb) == [("bash", "echo 1", {}), ("bash", "echo 2", {})]
    assert [c.kind for c in nb.cells] == ["markdown", "code", "markdown", "code"]
