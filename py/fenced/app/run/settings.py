"""Which runner, with which token (pure: unit-tested under CPython).

Runners are chosen by the user (issue 11). The page keeps a `RunnerBook`: the runners the user has used
(each with its own token, sent to that runner only, and an optional label), the runner in use, and the
runner each document was last run on (by the view's `DocumentRef.identity`).

A runner may also arrive in the page's address: `fenced serve` opens `…/?runner=URL#token=T`, and
`fenced runner --app-url` prints `…?runner=URL#token=T`. `decide` says what to do with it: use it
directly at first use (nothing stored yet), do nothing when it is the runner in use already, and ask the
user otherwise (a link in a runbook or a chat must not switch a user's runner, or replace their token,
behind their back). The runner and token are taken out of the address bar once read, whatever the answer.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Literal, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

BOOK_KEY = "fenced.runners"  # localStorage: the RunnerBook as JSON
# The runner in use and its token, as earlier versions kept them: still written (some tools and tests read
# them) and read once to fill an empty book. Never read when a book exists.
URL_KEY = "fenced.runner.url"
TOKEN_KEY = "fenced.runner.token"
MAX_DOCUMENTS = 500  # documents whose runner is remembered (the oldest choices go first)
_PARAMS = ("runner", "token")
_DEFAULT_PORTS = {"http": 80, "https": 443}


# --- runner URLs ----------------------------------------------------------------------------------------


def runner_key(url: str) -> str:
    """A runner's canonical URL: what tokens and documents are kept under, what calls are joined to, and
    what the page shows as "the runner's origin" (with its path prefix, e.g. `https://host/runner`).

    Scheme and host lower-case, the host in ASCII (an internationalised name as punycode, so look-alike
    letters cannot pass for another host), default ports dropped, no user info, query, fragment or
    trailing slash. Text that is no URL comes back stripped, for `check_url` to complain about."""
    text = url.strip()
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text.rstrip("/")
    try:
        port = parts.port
    except ValueError:
        return text.rstrip("/")
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    scheme = parts.scheme.lower()
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def short_name(url: str) -> str:
    """The runner as the header's chip shows it: its key without `http(s)://` (the full key is in the
    chip's status and tooltip)."""
    key = runner_key(url)
    return key.split("://", 1)[1] if "://" in key else key


def has_user_info(url: str) -> bool:
    """`http://user:pass@host` (a browser refuses to fetch such URLs, and they can disguise the host)."""
    return "@" in urlsplit(url.strip()).netloc


def state_key(runner_url: str, document: str) -> str:
    """localStorage key of a document's run state (its session and which execution each cell shows):
    per runner, since sessions live on one runner."""
    return f"fenced.run:{runner_key(runner_url)}:{document}"


# --- the address ----------------------------------------------------------------------------------------


class Address(NamedTuple):
    """A runner (and/or token) named by a page address, and the address without them."""

    url: str | None
    token: str | None
    search: str  # the query to leave in the address bar ("" or "?…")
    fragment: str  # the fragment to leave ("" or "#…")

    @property
    def names_runner(self) -> bool:
        return self.url is not None or self.token is not None


def read_address(search: str, fragment: str) -> Address:
    """`?runner=…`/`#runner=…` and `#token=…`/`?token=…` out of a query and a fragment (either may hold
    either), with what remains of both."""
    query_items = parse_qsl(search.lstrip("?"), keep_blank_values=True)
    frag_items = parse_qsl(fragment.lstrip("#"), keep_blank_values=True)
    query, frag = dict(query_items), dict(frag_items)
    url = query.get("runner") or frag.get("runner") or None
    token = frag.get("token") or query.get("token") or None
    return Address(url, token, _without(search, "?", query_items), _without(fragment, "#", frag_items))


def _without(text: str, mark: str, items: list[tuple[str, str]]) -> str:
    if not any(k in _PARAMS for k, _v in items):
        return text  # untouched (a plain `#section` stays as it was written)
    rest = [(k, v) for k, v in items if k not in _PARAMS]
    return mark + urlencode(rest) if rest else ""


def from_location(search: str, fragment: str) -> tuple[str | None, str | None, str]:
    """(runner URL or None, token or None, the fragment to leave in the address bar)."""
    address = read_address(search, fragment)
    return address.url, address.token, address.fragment


# --- the runners the user has chosen ---------------------------------------------------------------------


class Runner(NamedTuple):
    url: str  # its `runner_key`
    token: str = ""
    label: str = ""  # the user's name for it ("" shows the URL)


@dataclass
class RunnerBook:
    """The user's runners, the one in use (`current`, a key or ""), and each document's runner."""

    runners: list[Runner] = field(default_factory=list)
    current: str = ""
    documents: dict[str, str] = field(default_factory=dict)  # DocumentRef.identity -> runner key

    # --- reading ---------------------------------------------------------------------------------------

    def get(self, url: str) -> Runner | None:
        key = runner_key(url)
        return next((r for r in self.runners if r.url == key), None)

    def token_for(self, url: str) -> str:
        """The token given for this runner: never another runner's."""
        found = self.get(url)
        return found.token if found is not None else ""

    def runner_for(self, identity: str | None) -> str:
        """The runner a document runs on: the one chosen for it, while it is still in the book, else the
        runner in use."""
        chosen = self.documents.get(identity or "")
        return chosen if chosen and self.get(chosen) is not None else self.current

    # --- changing (only ever on the user's word) -------------------------------------------------------

    def put(self, url: str, token: str | None = None, label: str | None = None) -> str:
        """Add the runner, or update its token/label (None keeps what it has); returns its key."""
        key = runner_key(url)
        old = self.get(key)
        new = Runner(
            key,
            token.strip() if token is not None else (old.token if old else ""),
            label.strip() if label is not None else (old.label if old else ""),
        )
        if old is None:
            self.runners.append(new)
        else:
            self.runners[self.runners.index(old)] = new
        return key

    def use(self, url: str, identity: str | None = None) -> str:
        """Make `url` the runner in use (and the runner of document `identity`); returns its key."""
        key = self.put(url)
        self.current = key
        if identity:
            self.documents.pop(identity, None)
            self.documents[identity] = key  # (re-)inserted last: the newest choice
            while len(self.documents) > MAX_DOCUMENTS:
                del self.documents[next(iter(self.documents))]
        return key

    def remove(self, url: str) -> None:
        """Forget a runner and its token; documents that ran on it follow the runner in use again."""
        key = runner_key(url)
        self.runners = [r for r in self.runners if r.url != key]
        self.documents = {d: k for d, k in self.documents.items() if k != key}
        if self.current == key:
            self.current = self.runners[0].url if self.runners else ""

    def move_document(self, old: str, new: str) -> None:
        """A document now has another identity (Save as): its runner goes with it."""
        if old in self.documents and old != new:
            self.documents[new] = self.documents.pop(old)

    # --- storing ---------------------------------------------------------------------------------------

    def dumps(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "current": self.current,
                "runners": [r._asdict() for r in self.runners],
                "documents": self.documents,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(
        cls, text: str | None, legacy_url: str | None = None, legacy_token: str | None = None
    ) -> RunnerBook:
        """The stored book; a damaged one reads as empty (the user picks a runner again: nothing runs on a
        runner they did not choose). Without a book, the runner and token of an earlier version."""
        if text is None:
            book = cls()
            if legacy_url and legacy_url.strip():
                book.use(book.put(legacy_url, legacy_token or ""))
            return book
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        book = cls()
        for item in data.get("runners") or ():
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].strip():
                book.put(item["url"], str(item.get("token") or ""), str(item.get("label") or ""))
        current = data.get("current")
        book.current = runner_key(current) if isinstance(current, str) and book.get(current) else ""
        documents = data.get("documents")
        if isinstance(documents, dict):
            book.documents = {
                str(d): runner_key(k) for d, k in documents.items() if isinstance(k, str) and book.get(k)
            }
        return book


# --- a runner named by the address -------------------------------------------------------------------------

Action = Literal["none", "use", "same", "ask", "ignore"]


class Offer(NamedTuple):
    """What to do with the runner/token an address names.

    - "none": it names none; "ignore": only a token, and there is no runner to give it to;
    - "use": take it without asking (nothing was stored: the first connection, e.g. `fenced serve`'s URL);
    - "same": it is the runner in use with its own token (or none): nothing changes;
    - "ask": another runner, or another token for the runner in use: only with the user's yes.
    `url` is the runner's key, `token` the token the address brings (None: keep the stored one)."""

    action: Action
    url: str = ""
    token: str | None = None


def decide(book: RunnerBook, address: Address) -> Offer:
    if not address.names_runner:
        return Offer("none")
    if address.url is None:  # a token alone is meant for the runner in use
        if not book.current:
            return Offer("ignore")
        url = book.current
    else:
        url = runner_key(address.url)
    token = address.token.strip() if address.token is not None else None
    if not book.current:
        return Offer("use", url, token)
    if url == book.current and (token is None or token == book.token_for(url)):
        return Offer("same", url, token)
    return Offer("ask", url, token)


def origin_of(runner_url: str) -> str:
    """The runner's origin (`https://runner.example.com`), as the run history names it."""
    parts = urlsplit(runner_url.strip())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else runner_url.strip()
