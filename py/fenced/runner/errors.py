"""`RunnerError`: a request the runner refuses, raised anywhere below the service and turned into a Connect
error there (kept apart so that sessions and watchers can raise it without importing the `Runner`)."""

from __future__ import annotations

from connectrpc.code import Code


class RunnerError(Exception):
    """A request the runner refuses, with the Connect code the service answers it with."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
