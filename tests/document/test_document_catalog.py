"""The rules the browser and the CLI share: what runs, what Run all runs, usable names, selection, tags."""

from __future__ import annotations

import pytest
from tests.document.docsupport import txtar

from fenced.document import dumps, loads
from fenced.document.catalog import SelectionError, catalog, find, select, tasks
from fenced.document.naming import fallback_name, is_usable
from fenced.document.runnable import (
    Role,
    in_run_all,
    role,
    run_all_cells,
    script_of,
    why_not_runnable,
)

BOOK = """---
category: docs
---
# Setup

```sh {"name":"install","tag":"setup"}
apt-get install -y jq
```

```text
Reading package lists... Done
```

```sh
{
  echo grouped
}
```

```bash
{
  echo another group
}
```

```json
{"a": 1}
```

```plaintext
sample
```

```output
more sample
```

```console
$ ls
README.md
```

```sh {"name":"danger","excludeFromRunAll":"true","category":"setup,cleanup"}
rm -rf /tmp/x
```

```python
print("hi")
```

```yaml {"interpreter":"cat"}
a: 1
```
"""


def test_roles_of_languages() -> None:
    assert role("sh") is Role.RUNNABLE and role("") is Role.RUNNABLE and role("Bash") is Role.RUNNABLE
    assert role("python") is Role.RUNNABLE and role("js") is Role.RUNNABLE
    for sample in ("text", "plaintext", "output", "console", "txt"):
        assert role(sample) is Role.SAMPLE, sample
    assert role("json") is Role.OTHER and role("mermaid") is Role.OTHER
    assert role("text", "cat") is Role.RUNNABLE  # an interpreter makes anything run
    assert why_not_runnable("sh") == "" and "sample output" in why_not_runnable("text")
    assert "interpreter" in why_not_runnable("json")


def test_run_all_skips_excluded_samples_and_data_blocks() -> None:
    nb = loads(BOOK)
    names = [c.name for c in run_all_cells(nb)]
    assert names == ["install", "", "-2", "printhi", "a-1-2"]
    danger = nb.find("danger")
    assert danger is not None and not in_run_all(danger)


def test_runme_names_are_kept_and_fallbacks_are_usable() -> None:
    nb = loads(BOOK)
    entries = catalog(nb)
    by_number = {e.number: e for e in entries}
    # Runme's names are untouched (the goldens compare them); the fallback is what people type.
    assert (by_number[3].runme_name, by_number[3].name, by_number[3].fallback) == ("", "cell-3", True)
    assert (by_number[4].runme_name, by_number[4].name) == ("-2", "cell-4")
    assert (by_number[1].name, by_number[1].fallback) == ("install", False)
    assert [e.name for e in tasks(entries)] == ["install", "cell-3", "cell-4", "danger", "printhi", "a-1-2"]
    assert dumps(nb) == BOOK  # nothing written to the file


def test_usable_names() -> None:
    for bad in ("", "-", "-2", "--", "-13", "!!"):
        assert not is_usable(bad), bad
    for good in ("x", "x-2", "2", "échange", "a-b"):
        assert is_usable(good), good
    assert fallback_name(3, {"cell-3", "cell-3-2"}) == "cell-3-3"
    nb = loads('```sh {"name":"cell-1"}\necho\n```\n\n```sh\n{\n```\n')
    assert [e.name for e in catalog(nb)] == ["cell-1", "cell-2"]
    nb = loads('```sh {"name":"cell-2"}\necho\n```\n\n```sh\n{\n```\n')
    assert [e.name for e in catalog(nb)] == ["cell-2", "cell-2-2"]


def test_find_by_name_fallback_or_runme_name() -> None:
    entries = catalog(loads(BOOK))
    assert find(entries, "cell-4").runme_name == "-2"
    assert find(entries, "-2").name == "cell-4"  # Runme's own name works too
    with pytest.raises(SelectionError, match=r"empty cell name .* did you mean one of: install"):
        find(entries, "")
    with pytest.raises(SelectionError, match="empty cell name"):
        find(entries, "  ")
    with pytest.raises(SelectionError, match="did you mean 'install'"):
        find(entries, "instal")
    with pytest.raises(SelectionError, match="did you mean one of: install, cell-3"):
        find(entries, "zzzz")
    assert find(entries, "danger").cell.exclude_from_run_all  # named explicitly: runs


def test_a_sample_block_named_explicitly_cannot_run() -> None:
    nb = loads('```text {"name":"out"}\nhello\n```\n')
    with pytest.raises(SelectionError, match="sample output"):
        find(catalog(nb), "out")


def test_select_by_regex_and_tags() -> None:
    entries = catalog(loads(BOOK))
    assert [e.name for e in select(entries, pattern="^cell-")] == ["cell-3", "cell-4"]
    assert [e.name for e in select(entries, tags=["setup"])] == ["install"]  # danger is excluded from Run all
    # cells without tags take the frontmatter's category
    assert [e.name for e in select(entries, tags=["docs"])] == ["cell-3", "cell-4", "printhi", "a-1-2"]
    assert [e.name for e in select(entries, tags=["setup,docs"], pattern="i")] == ["install", "printhi"]
    with pytest.raises(SelectionError, match="tags here: docs, setup"):
        select(entries, tags=["nope"])
    with pytest.raises(SelectionError, match="invalid regular expression"):
        select(entries, pattern="(")
    assert [e.name for e in select(entries, ["danger", "install"])] == ["danger", "install"]


def test_runme_tags_fixtures() -> None:
    """testdata/tags/tags.txtar and runall/basic.txtar: which cells `--tag`, `-t a -t b` and `--all` run."""
    tags = txtar("runmedev-runme/testdata/tags/tags.txtar")
    for doc in ("TAGS.md", "CATEGORIES.md"):
        entries = catalog(loads(tags[doc]))
        assert [e.name for e in select(entries, tags=["foo"])] == ["set-env", "print-foo", "print-bar"]
        assert [e.name for e in select(entries, tags=["bar"])] == ["print-bar"]
        assert [e.name for e in select(entries, tags=["buzz", "bar"])] == ["print-bar", "print-buzz"]
    # a cell's own category replaces the frontmatter's (the unnamed delete-solution cell is not solution-2)
    solution = catalog(loads(tags["install-manual-solution-2.md"]))
    assert [e.number for e in select(solution, tags=["solution-2"])] == [1, 2, 3]
    runall = txtar("runmedev-runme/testdata/runall/basic.txtar")
    assert [e.name for e in select(catalog(loads(runall["README.md"])), pattern="")] == [
        "set-env",
        "print-foo",
        "print-bar",
    ]


def test_script_of_strips_prompts_for_shells_only() -> None:
    assert script_of("$ echo hi\n  $ ls", "sh") == "echo hi\n  ls"
    assert script_of("$ x", "python") == "$ x"


def test_interpreted_languages_match_the_runner() -> None:
    from fenced.document.runnable import INTERPRETED_LANGUAGES
    from fenced.runner.shells import INTERPRETERS

    assert set(INTERPRETERS) == INTERPRETED_LANGUAGES
