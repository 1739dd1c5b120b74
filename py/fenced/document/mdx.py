"""MDX files (Markdown with JSX, as Docusaurus and other doc sites write them): what Fenced can promise.

Fenced reads an ``.mdx`` file as Markdown: code cells run as in any runbook and the file is written back
byte for byte (edited cells change only their own lines). It does not evaluate MDX: ``import``/``export``
lines and JSX components (``<Tabs>``, ``<TabItem value="x">``) are shown as the text they are. So an MDX
document is *read-mostly*: the page should say so, naming what it shows as text. :func:`inspect` finds
that in the markdown cells (fenced code and inline code spans are not looked at).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .notebook import Notebook

MDX_EXTENSIONS = (".mdx",)
_ESM = re.compile(r"^(?:import|export)\s", re.MULTILINE)
_COMPONENT = re.compile(r"</?([A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?=[\s/>])")
_INLINE_CODE = re.compile(r"(`+).*?\1", re.DOTALL)


def is_mdx(path: str) -> bool:
    """True for a file name or path ending in ``.mdx`` (any case)."""
    return path.lower().endswith(MDX_EXTENSIONS)


@dataclass(frozen=True)
class MdxInfo:
    """What an MDX document holds that Fenced shows as plain text."""

    esm_lines: int  # `import ...` / `export ...` lines
    components: tuple[str, ...]  # JSX component names, in order of first use

    @property
    def plain(self) -> bool:
        """Nothing MDX-specific in it: the note can be short."""
        return not self.esm_lines and not self.components

    def note(self) -> str:
        """The sentence the page shows above an MDX document."""
        parts = []
        if self.components:
            shown = ", ".join(f"<{c}>" for c in self.components[:5])
            more = f" and {len(self.components) - 5} more" if len(self.components) > 5 else ""
            parts.append(f"JSX components ({shown}{more})")
        if self.esm_lines:
            parts.append(f"{self.esm_lines} import/export line{'s' if self.esm_lines != 1 else ''}")
        what = " and ".join(parts) if parts else "JSX and import/export lines"
        return (
            f"MDX file, read-mostly: {what} are shown as text, not rendered. "
            "Code cells run as usual, and Save keeps everything else byte for byte."
        )


def inspect(nb: Notebook) -> MdxInfo:
    """Count the ESM lines and collect the JSX component names of `nb`'s markdown cells."""
    esm = 0
    components: dict[str, None] = {}
    for cell in nb.cells:
        if cell.kind != "markdown":
            continue
        text = cell.source
        esm += len(_ESM.findall(text))
        for name in _COMPONENT.findall(_INLINE_CODE.sub("", text)):
            components.setdefault(name, None)
    return MdxInfo(esm, tuple(components))
