"""fenced.app.run: running cells on a runner (issue 6).

Pure modules, unit-tested under CPython: `plaintext` (terminal output as text), `program` (cell ->
Program), `status` (connection states and messages), `settings` (runner URL/token from the address),
`engine` (one session and one Watch stream per notebook), `controller` (prompts, Run all, reattach).
Browser modules: `connection` (runner settings and the status indicator), `terminal` (a cell's output
area with xterm.js), `ui` (buttons, keys, the Sink/Host for the controller), `dialogs` (prompts, command
palette), `save` (Save with outputs). `install()` wires them at boot; nothing here touches the DOM at
import time (the app boots from a memory snapshot made in Node).
"""

from __future__ import annotations

from typing import Any


def install(view: Any, files: Any) -> Any:
    """Wire running into the page: called by `fenced.app.boot.start()`."""
    from .ui import RunUI

    return RunUI.install(view, files)
