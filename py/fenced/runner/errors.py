"""`RunnerError`: a request the runner refuses, raised anywhere below the service and turned into a Connect
error there (kept apart so that sessions and watchers can raise it without importing the `Runner`)."""

from __future__ import annotations


class RunnerError(Exception):
    """A request the runner refuses; `code` is a Connect code name (e.g. "not_found")."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
