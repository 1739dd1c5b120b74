"""MDX: detected by name, read as Markdown, written back byte for byte, with a note for the page."""

from __future__ import annotations

from fenced.document import dumps, loads
from fenced.document.catalog import catalog
from fenced.document.mdx import inspect, is_mdx

DOC = """---
sidebar_position: 2
title: Install
---
import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';
export const Highlight = ({children}) => <span>{children}</span>;

# Install

Use `<NotAComponent>` in prose, and <Highlight>this</Highlight>.

<Tabs groupId="os">
  <TabItem value="linux" label="Linux">

```sh {"name":"install-linux"}
curl -fsSL https://example.com/install.sh | sh
```

  </TabItem>
  <TabItem value="mac" label="macOS">

```sh
brew install example
```

  </TabItem>
</Tabs>

{/* an MDX comment */}

```jsx
<Tabs><TabItem value="x" /></Tabs>
```
"""


def test_detects_mdx_by_name() -> None:
    assert is_mdx("docs/install.mdx") and is_mdx("A.MDX")
    assert not is_mdx("README.md") and not is_mdx("mdx")


def test_round_trip_is_byte_exact() -> None:
    for text in (DOC, DOC.replace("\n", "\r\n"), "\ufeff" + DOC, DOC.rstrip("\n")):
        assert dumps(loads(text)) == text


def test_editing_a_cell_changes_only_its_lines() -> None:
    nb = loads(DOC)
    cell = next(c for c in nb.cells if c.kind == "code" and c.name == "install-linux")
    cell.source = "echo replaced"
    out = dumps(nb)
    assert out == DOC.replace("curl -fsSL https://example.com/install.sh | sh", "echo replaced")


def test_cells_inside_jsx_run_and_jsx_is_reported() -> None:
    nb = loads(DOC)
    names = [e.name for e in catalog(nb) if e.run_all]
    assert names == ["install-linux", "brew-install"]
    info = inspect(nb)
    assert info.components == ("Highlight", "Tabs", "TabItem")  # not the one in inline code or in ```jsx
    assert info.esm_lines == 3
    note = info.note()
    assert "read-mostly" in note and "<Tabs>" in note and "3 import/export lines" in note
    plain = inspect(loads("# Just markdown\n"))
    assert plain.plain and "read-mostly" in plain.note()
