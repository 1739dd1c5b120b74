"""The page's parts, as `fenced.app.boot` composed them (the tests reach them through `testing.app`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from fenced.app.files.controller import FilesController
    from fenced.app.run.ui import RunUI
    from fenced.app.view.notebook import NotebookView


class App(NamedTuple):
    view: NotebookView
    files: FilesController
    run: RunUI | None  # None when running could not be set up (the editor works without it)
