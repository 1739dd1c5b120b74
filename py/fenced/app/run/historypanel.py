"""The "Run history" panel: a native `<dialog>` listing the executions of the document shown (`runlog`),
newest first, with "Clear history". Opened from the Run menu or the palette ("Run history")."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import js

from fenced.app.jsffi import closest, listen

from .runlog import RunLog
from .units import seconds


class HistoryPanel:
    def __init__(self, log: RunLog, document: Callable[[], str]) -> None:
        self.log = log
        self.document = document
        self.dialog = js.document.createElement("dialog")
        self.dialog.className = "run-dialog run-history"
        self.dialog.setAttribute("aria-label", "Run history")
        self.dialog.dataset.runHistory = ""
        js.document.body.appendChild(self.dialog)
        listen(self.dialog, "click", self._click)

    def open(self) -> None:
        self.render()
        if not self.dialog.open:
            self.dialog.showModal()

    def render(self) -> None:
        document = self.document()
        records = list(reversed(self.log.records(document)))
        rows = []
        for r in records:
            started = r.started.astimezone().strftime("%Y-%m-%d %H:%M:%S") if r.started else ""
            if r.error and r.exit_code is None:
                outcome = f"not run: {r.error}"
            elif r.exit_code is None:
                outcome = "no exit code"
            else:
                outcome = f"exit {r.exit_code}" + (f" ({r.signal})" if r.signal else "")
            lines = list(r.first_lines)
            if r.left_out:
                lines.append(f"… {r.left_out} lines …")
            lines += list(r.last_lines)
            rows.append(
                f'<tr data-history-record data-exit-code="{"" if r.exit_code is None else r.exit_code}">'
                f"<td>{escape(r.cell)}</td><td>{escape(r.runner)}</td>"
                f'<td><time datetime="{escape(r.started.isoformat() if r.started else "")}">{started}</time></td>'
                f"<td>{seconds(r.duration_ms) if r.duration_ms else ''}</td><td>{escape(outcome)}</td>"
                f'<td><pre class="history-output">{escape(chr(10).join(lines))}</pre></td></tr>'
            )
        body = (
            '<table class="history-table"><thead><tr><th scope="col">Cell</th><th scope="col">Runner</th>'
            '<th scope="col">Started</th><th scope="col">Took</th><th scope="col">Result</th>'
            f'<th scope="col">Output (first and last lines)</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            if rows
            else '<p class="history-empty">No cell of this document has run in this browser yet.</p>'
        )
        self.dialog.innerHTML = (
            f"<h2>Run history of {escape(document)}</h2>"
            "<p>Every execution of this document in this browser (kept in this browser only; output is"
            " summarised, secrets masked).</p>"
            f"{body}"
            '<div class="dialog-buttons"><button type="button" data-history-clear>Clear history</button>'
            '<button type="button" class="primary" data-history-close>Close</button></div>'
        )

    def _click(self, event: Any) -> None:
        if closest(event.target, "[data-history-clear]") is not None:
            self.log.clear(self.document())
            self.render()
        elif closest(event.target, "[data-history-close]") is not None:
            self.dialog.close()
