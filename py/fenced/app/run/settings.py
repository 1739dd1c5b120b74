"""Where the runner URL and token come from: the page address, then what was stored (pure parsing).

`fenced serve` opens `…/?runner=URL#token=T`; `fenced runner --app-url` prints `…#runner=URL&token=T`.
The token is taken out of the address bar once read (it must not end up in bookmarks or screenshots);
both values are then kept in localStorage by the connection manager.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from fenced.connect.protocol import runner_base_url

URL_KEY = "fenced.runner.url"
TOKEN_KEY = "fenced.runner.token"


def from_location(search: str, fragment: str) -> tuple[str | None, str | None, str]:
    """(runner URL or None, token or None, the fragment to leave in the address bar)."""
    query = dict(parse_qsl(search.lstrip("?"), keep_blank_values=True))
    frag_items = parse_qsl(fragment.lstrip("#"), keep_blank_values=True)
    frag = dict(frag_items)
    url = query.get("runner") or frag.get("runner") or None
    token = frag.get("token") or query.get("token") or None
    if "token" not in frag and "runner" not in frag:
        return url, token, fragment
    rest = [(k, v) for k, v in frag_items if k not in ("token", "runner")]
    return url, token, ("#" + urlencode(rest)) if rest else ""


def state_key(runner_url: str, document: str) -> str:
    """localStorage key of a document's run state (its session and which execution each cell shows)."""
    return f"fenced.run:{runner_base_url(runner_url)}:{document}"


def origin_of(runner_url: str) -> str:
    """The runner's origin (`https://runner.example.com`), as the run history names it."""
    parts = urlsplit(runner_url.strip())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else runner_url.strip()
