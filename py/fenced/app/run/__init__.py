"""fenced.app.run: running cells on a runner (issue 6).

Pure modules, unit-tested under CPython: `plaintext` (terminal output as text), `program` (cell ->
Program), `status` (connection states and messages), `settings` (the user's runners and tokens, the
runner of each document, what to do with a runner named by the address),
`states` (a run's states), `engine` (one session and one Watch stream per notebook), `demux` (what each
event does to its run), `replay` (a run's output from the runner's buffer), `controller` (prompts, Run
all, reattach), `masking` (secret values masked in output), `runlog` (the run history).
Browser modules: `connection` (which runner, a client for it, the truth about it), `chip` (the
header's runner chip and its popover), `switch` (the "Switch runner?" dialog), `linkguard` (links never
switch the runner), `connecthelp` ("Connect a runner"),
`terminal` (a cell's output area with xterm.js), `runstatus` (its status line, the state mirrored on
the cell), `textcopy` (its plain text), `units` (times and sizes), `outputs` (every cell's output; the
engine's Sink and the controller's Host), `buttons` (Run/Stop and the Run toolbar), `commands` (the run
commands of the command table), `runkeys` (clicks, run keys), `outputactions` (an output's actions),
`dialogs` (prompts), `save` (Save with outputs, also in the file), `report` (Export HTML),
`historypanel` (Run history), `ui` (their composition,
plugged into the view's extension points). `install()` wires them at boot; nothing here touches the DOM
at import time (the app boots from a memory snapshot made in Node). This room never imports
fenced.app.files: what it needs to know of the open file comes with the view's `DocumentRef`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ui import RunUI, RunView


def install(view: RunView) -> RunUI:
    """Wire running into the page: called by `fenced.app.boot.start()`."""
    from .ui import RunUI

    ui = RunUI(view)
    ui.install()
    return ui
