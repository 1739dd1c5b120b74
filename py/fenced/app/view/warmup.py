"""Getting the view ready for the first document while the page is idle after boot.

The first document shown used to pay for more than its own cells: importing the editor bundle (~100 ms
of main-thread time to evaluate), then first-time costs on the way, i.e. V8 compiling the CodeMirror code
each editor runs, every language's parser being built, styles resolved, and in Python the Markdown
renderer being set up and the parser's paths run for the first time. None of that depends on the
document, so it is done beforehand: the bundle's import starts with the view (see `bridge`), then `run`,
in idle slices, parses and renders a small sample runbook and mounts and measures a throwaway editor per
common language off screen. Each step is skipped once a document is being shown (the work then happens
as part of showing it, as before). Measured gain on the first document: a few tens of ms; it costs
nothing the user waits for.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import js

from fenced.app.idle import when_idle
from fenced.app.jsffi import js_list

from . import bridge

# The languages runbooks use most (the rest are built when a document needs them).
LANGUAGES: list[tuple[str, str]] = [
    ("sh", "export APP_ENV=staging\nfor host in web-1 web-2; do\n  ssh \"$host\" 'uptime'\ndone"),
    ("python", "import json, os\nfor key in sorted(os.environ):\n    print(json.dumps({key: 1}))"),
    ("yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  LOG_LEVEL: info"),
    ("json", '{"service": "web", "replicas": 3, "healthy": true}'),
    ("sql", "SELECT id, email\nFROM users\nWHERE created_at > now() - interval '1 day';"),
]

SAMPLE = (
    "---\nshell: bash\ncwd: /srv/app\n---\n\n# Runbook\n\n## Check the service\n\nMake sure the `web` deployment"
    " is healthy; see the [index](https://example.com/runbooks) and **stop** on _errors_.\n\n"
    "- pods are `Running`\n- no alerts\n\n1. one\n2. two\n\n| a | b |\n|---|:-:|\n| 1 | ~~2~~ |\n\n> note\n\n"
    + "".join(f'```{lang} {{"name":"warm-{lang}"}}\n{text}\n```\n\n' for lang, text in LANGUAGES)
)


def _parse() -> list[str]:
    """Parse the sample and build its cells' HTML, as `show` does; returns its Markdown sources."""
    from fenced.document import loads

    from . import cellhtml

    nb = loads(SAMPLE)
    data = [
        cellhtml.CellData(
            i,
            "code" if c.kind == "code" else "markdown",
            c.source,
            getattr(c, "language", ""),
            getattr(c, "name", ""),
        )
        for i, c in enumerate(nb.cells)
    ]
    cellhtml.cells_html(data)
    return [c.source for c in nb.cells if c.kind == "markdown"]


def _render(sources: list[str]) -> None:
    from . import markdown

    for source in sources:
        markdown.render(source)


if TYPE_CHECKING:  # protocols cost nothing at run time (the boot snapshot's heap is tight)

    class _Started(Protocol):
        started: bool  # a document is being shown: stop warming up


async def run(view: _Started) -> None:
    """While the bundle downloads, warm the Python side up; then CodeMirror, in idle slices of ~10-20 ms
    each, stopping as soon as a document starts to be shown. A few rounds each: V8 optimises (and
    WebAssembly tiers up) what has run several times, not what ran once."""
    try:
        bundle = bridge.start_loading()
        module: Any = None  # the bundle, awaited before the first CodeMirror step
        sources: list[str] = []
        samples = js_list([list(pair) for pair in LANGUAGES])
        steps: list[Callable[[], Any]] = [
            lambda: sources.extend(_parse()),
            lambda: _render(sources * 2),
            lambda: _render(sources * 2),
            lambda: module.warmUp(samples),
            lambda: module.warmUp(samples),
        ]
        for i, step in enumerate(steps):
            if i == 3:
                module = await bundle
            await when_idle()
            if view.started:
                return
            pending = step()
            if pending is not None:
                await pending
    except Exception:
        js.console.warn(traceback.format_exc())
