"""The app's icons: VS Code's codicons (npm `@vscode/codicons`, exact-pinned in package.json, integrity-checked
by `npm ci`), vendored into `dist/vendor/codicons/`.

Only the font ships (`codicon.ttf`, with its licence), plus a small stylesheet this step writes: one rule per
icon the app uses (`ICONS`), so markup says `data-icon="play"` and costs no element and no SVG per button (a
5,000-cell notebook renders two icon buttons per code cell). A name missing from the pinned font fails the
build rather than showing a blank square. Called by build.py as `build(root, out, log)`; a quick no-op when
nothing changed (outputs are written only when their bytes differ).
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

PACKAGE = "@vscode/codicons"

# Every icon the app shows (index.html, fenced.app), by codicon name.
ICONS = (
    "add",
    "arrow-down",
    "arrow-up",
    "book",
    "check",
    "chevron-down",
    "chevron-up",
    "clear-all",
    "close",
    "cloud-download",
    "code",
    "color-mode",
    "copy",
    "debug-restart",
    "discard",
    "edit",
    "ellipsis",
    "export",
    "file",
    "file-code",
    "fold",
    "folder-opened",
    "gear",
    "go-to-file",
    "history",
    "kebab-vertical",
    "layout-sidebar-left",
    "list-tree",
    "markdown",
    "menu",
    "play",
    "preview",
    "primitive-square",
    "question",
    "redo",
    "run-above",
    "run-all",
    "run-below",
    "save",
    "save-as",
    "search",
    "symbol-misc",
    "trash",
    "unfold",
)


def glyphs(csv_path: Path) -> dict[str, str]:
    """codicon name -> its code point (hex), from the package's own table."""
    with csv_path.open(newline="", encoding="utf-8") as f:
        return {row["short_name"]: row["unicode"] for row in csv.DictReader(f)}


def stylesheet(table: dict[str, str], version: str) -> str:
    missing = [name for name in ICONS if name not in table]
    if missing:
        raise SystemExit(f"build: {PACKAGE} {version} has no icon named {', '.join(missing)}")
    # `content: "…" / ""`: the glyph has empty alternative text, so it never joins a button's accessible name.
    rules = "\n".join(
        f'[data-icon="{name}"]::before {{ content: "\\{table[name].lower()}" / ""; }}' for name in ICONS
    )
    return (
        f"/* Icons from {PACKAGE} {version} (CC BY 4.0, see LICENSE next to this file), written by"
        " web/build_steps_icons.py. */\n"
        '@font-face { font-family: "codicon"; font-display: block; src: url("./codicon.ttf") format("truetype"); }\n'
        "[data-icon]::before { font: normal normal normal 16px/1 codicon; display: inline-block;"
        " text-decoration: none; text-rendering: auto; text-align: center; -webkit-font-smoothing: antialiased;"
        " user-select: none; speak: never; }\n"
        f"{rules}\n"
    )


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def build(root: Path, out: Path, log: Callable[[str], None]) -> None:
    src = root / "node_modules" / PACKAGE
    pinned = json.loads((root / "package.json").read_text())["dependencies"][PACKAGE]
    version = json.loads((src / "package.json").read_text())["version"]
    if version != pinned:
        raise SystemExit(f"build: node_modules/{PACKAGE} is {version}, expected {pinned}; run `npm ci`.")
    dst = out / "vendor" / "codicons"
    for name, source in (("codicon.ttf", src / "dist" / "codicon.ttf"), ("LICENSE", src / "LICENSE")):
        target = dst / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            dst.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            log(f"vendored {PACKAGE} {version}: {name}")
    _write(dst / "icons.css", stylesheet(glyphs(src / "dist" / "codicon.csv"), version).encode())
