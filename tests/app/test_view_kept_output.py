"""A runbook that keeps its outputs in the file shows each output once: on its cell, while the output
block below the cell (a Markdown cell to the model) renders folded."""

from __future__ import annotations

from fenced.app.view.markdown import render

BLOCK = (
    '```text {"fencedOutput":"build","name":"build.output","transform":"false"}\n'
    "# Ran on 2024-05-06 07:08:09+02:00 for 1.5s exited with 3\n"
    "built <b>image</b> & done\n"
    "```"
)


def test_an_output_block_renders_folded_with_its_cell_and_exit_code() -> None:
    html = render(BLOCK + "\n")
    assert html.startswith('<details data-kept-output="build"><summary>')
    assert "<summary>Output of <code>build</code> kept in this file, exit code 3</summary>" in html
    assert "<pre><code>built &lt;b&gt;image&lt;/b&gt; &amp; done</code></pre></details>" in html
    assert " open" not in html and "Ran on" not in html


def test_markdown_after_the_block_still_renders() -> None:
    html = render(BLOCK + "\n\nThen **check** it.\n")
    assert html.index("</details>") < html.index("<p>Then <strong>check</strong> it.</p>")


def test_other_fences_and_broken_blocks_render_as_before() -> None:
    assert render("```sh\nls\n```\n") == '<pre><code class="language-sh">ls\n</code></pre>\n'
    unclosed = BLOCK[: -len("```")]
    assert "<details" not in render(unclosed)
    transformed = BLOCK.replace('"transform":"false"', '"transform":"true"')
    assert "<details" not in render(transformed)
    name_with_markup = BLOCK.replace('"fencedOutput":"build"', '"fencedOutput":"<i>x</i>"')
    assert 'data-kept-output="&lt;i&gt;x&lt;/i&gt;"' in render(name_with_markup)
