"""Who may call the runner: one bearer token, or named tokens from a file that SIGHUP re-reads.

A team shares one runner with a token each (`--tokens-file`, lines `name token`): a token is revoked by
editing the file and sending SIGHUP, without a restart. The name of the token a call authenticated with,
and the browser origin it came from, are the call's `Caller`, which the audit log records.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.request import RequestContext as _RequestContext

log = logging.getLogger("fenced.runner")
RequestContext: TypeAlias = _RequestContext[Any, Any]  # an interceptor sees every method's context

SINGLE_TOKEN_NAME = "token"  # the name of the one token given by --token/--token-file/$FENCED_RUNNER_TOKEN
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")


@dataclass(frozen=True)
class Caller:
    """Who made the current call: the token's name, the browser `Origin` ("" outside a browser) and the
    peer address as the runner saw it (a reverse proxy's, behind one)."""

    token_name: str
    origin: str = ""
    client: str = ""


# Set by `TokenAuth` for the rest of the request's task (and the tasks it starts): the audit log reads it.
CALLER: ContextVar[Caller | None] = ContextVar("fenced_runner_caller", default=None)


class TokensFileError(ValueError):
    """A tokens file that cannot be used; the message names the file and line."""


def parse_tokens(text: str, source: str = "tokens file") -> dict[str, str]:
    """`{name: token}` from lines `name token`; blank lines and `#` comments are skipped.

    Names are unique words; tokens are unique and contain no whitespace (so a line has exactly two fields).
    """
    tokens: dict[str, str] = {}
    owners: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        where = f"{source}, line {number}"
        if len(fields) != 2:
            raise TokensFileError(f"{where}: expected 'name token', got {len(fields)} field(s)")
        name, token = fields
        if not NAME.fullmatch(name):
            raise TokensFileError(f"{where}: {name!r} is not a usable name (letters, digits, . _ @ + -)")
        if name in tokens:
            raise TokensFileError(f"{where}: the name {name!r} appears twice")
        if token in owners:
            raise TokensFileError(f"{where}: {name!r} has the same token as {owners[token]!r}")
        tokens[name] = token
        owners[token] = name
    if not tokens:
        raise TokensFileError(f"{source} holds no token (lines 'name token')")
    return tokens


def read_tokens_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TokensFileError(f"cannot read the tokens file {path}: {exc}") from None
    return parse_tokens(text, str(path))


class TokenBook:
    """The tokens a runner accepts, by name; `reload()` re-reads the file they came from (if any)."""

    def __init__(self, tokens: Mapping[str, str], path: Path | None = None) -> None:
        if not tokens or not all(tokens.values()):
            raise ValueError("a runner needs a token")
        self.path = path
        self._tokens = {name: token.encode() for name, token in tokens.items()}

    @classmethod
    def single(cls, token: str) -> TokenBook:
        return cls({SINGLE_TOKEN_NAME: token})

    @classmethod
    def from_file(cls, path: Path) -> TokenBook:
        """Raises `TokensFileError` (with file and line) for a file that cannot be used."""
        return cls(read_tokens_file(path), path)

    @property
    def names(self) -> list[str]:
        return sorted(self._tokens)

    def name_of(self, presented: str) -> str | None:
        """The name of the token `presented` is, or None; every token is compared, in constant time each."""
        value = presented.encode()
        found = None
        for name, token in self._tokens.items():
            if hmac.compare_digest(value, token):
                found = name
        return found

    def reload(self) -> bool:
        """Re-read the tokens file; a file that cannot be used keeps the current tokens (and says so)."""
        if self.path is None:
            return False
        try:
            tokens = read_tokens_file(self.path)
        except TokensFileError as exc:
            log.error("tokens not reloaded, still accepting %s: %s", ", ".join(self.names), exc)
            return False
        old = set(self._tokens)
        self._tokens = {name: token.encode() for name, token in tokens.items()}
        new = set(self._tokens)
        log.warning(
            "tokens reloaded from %s: %d token(s)%s%s",
            self.path,
            len(new),
            f", added {', '.join(sorted(new - old))}" if new - old else "",
            f", removed {', '.join(sorted(old - new))}" if old - new else "",
        )
        return True


class TokenAuth:
    """Connect interceptor: `Authorization: Bearer <token>` must be one of the book's tokens.

    It runs before the request body is read and answers `unauthenticated` in each protocol's own framing;
    on success it sets `CALLER` for the handler.
    """

    def __init__(self, book: TokenBook) -> None:
        self.book = book

    async def on_start(self, ctx: RequestContext) -> None:
        headers = ctx.request_headers
        scheme, _, value = (headers.get("authorization") or "").partition(" ")
        name = self.book.name_of(value.strip()) if scheme.lower() == "bearer" else None
        if name is None:
            raise ConnectError(Code.UNAUTHENTICATED, "missing or wrong bearer token")
        CALLER.set(Caller(name, headers.get("origin") or "", ctx.client_address or ""))

    async def on_end(self, token: None, ctx: RequestContext, error: Exception | None) -> None:
        return None
