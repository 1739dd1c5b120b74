"""The one exception the CLI turns into a single line on stderr and an exit status."""

from __future__ import annotations

USAGE = 2  # bad arguments, unreadable files, unknown cells, an unreachable runner (as make and just use 2)
INTERRUPTED = 130  # 128 + SIGINT
TERMINATED = 143  # 128 + SIGTERM


class CliError(Exception):
    """Said as `fenced COMMAND: message` (no traceback); the process exits with `status`."""

    def __init__(self, message: str, status: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
