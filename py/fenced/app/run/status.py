"""The runner connection's states and the words for them (pure, unit-tested under CPython).

The status indicator says either which runner we are connected to (always its URL, the runner's origin
with any path prefix, because that is what the user chose; the host and user it reports may stand beside
it, never instead: a runner can call itself anything) or exactly why not, with what to do about it. A browser hides why a fetch failed (runner down and CORS refusal are the
same `TypeError`), so the connection manager probes the runner with a `no-cors` request: if that gets
through, the runner is up and it is CORS that refused this page's origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fenced import __version__
from fenced.connect import Code, ConnectError, Info

# The connection's state (`#runner-status[data-runner-state]`, `<body data-runner>`).
State = Literal["none", "connecting", "connected", "error"]
# Why there is no connection (`data-runner-reason`), each with its own message; "" when there is one.
Reason = Literal[
    "", "unreachable", "cors", "unauthorized", "incompatible", "forbidden", "bad-url", "failed", "lost"
]


@dataclass(frozen=True)
class Status:
    state: State
    text: str  # what the indicator shows
    reason: Reason = ""  # for "error" (and a lost connection)
    hostname: str = ""
    user: str = ""
    url: str = ""  # the runner it is about ("" for none)


def none() -> Status:
    return Status("none", "No runner: enter a Runner URL to run cells.")


def connecting(url: str) -> Status:
    return Status("connecting", f"Connecting to {url}…", url=url)


def reconnecting(url: str) -> Status:
    return Status("connecting", f"Connection to {url} lost; reconnecting…", "lost", url=url)


def connected(info: Info, url: str) -> Status:
    who = f"{info.user}@{info.hostname}" if info.user else info.hostname
    text = f"Connected to {url} ({who})" if who else f"Connected to {url}"
    return Status("connected", text, "", info.hostname, info.user, url)


def bad_url(problem: str, url: str = "") -> Status:
    return Status("error", problem, "bad-url", url=url)


def check_url(url: str) -> str:
    """ "" for a usable runner URL, else what is wrong with it."""
    lower = url.strip().lower()
    if not lower.startswith(("http://", "https://")) or len(lower.split("://", 1)[1]) == 0:
        return f"Runner URL must start with http:// or https:// (got {url!r})."
    if "@" in lower.split("://", 1)[1].split("/", 1)[0]:
        return f"Runner URL must not contain a user name or password (got {url!r}): the token is asked for apart."
    return ""


def compatible(runner_version: str, app_version: str = __version__) -> bool:
    """Same major version (for 0.x: same minor), as semantic versioning promises compatibility."""

    def parts(v: str) -> tuple[str, str]:
        bits = v.strip().lstrip("v").split(".")
        return (bits[0], bits[1] if len(bits) > 1 else "0")

    if not runner_version:
        return False
    r, a = parts(runner_version), parts(app_version)
    return r[0] == a[0] and (a[0] != "0" or r[1] == a[1])


def incompatible(info_version: str, url: str) -> Status:
    shown = info_version or "unknown"
    return Status(
        "error",
        f"Incompatible runner version {shown} at {url}: this app is {__version__}; run a matching `fenced runner`.",
        "incompatible",
        url=url,
    )


def failure(exc: BaseException, url: str, origin: str, reachable: bool | None) -> Status:
    """Status for a failed GetInfo. `reachable` is the no-cors probe's answer for `unavailable` errors."""
    if not isinstance(exc, ConnectError):
        return Status("error", f"Could not connect to {url}: {exc}", "failed", url=url)
    code = exc.code
    if code == Code.UNAVAILABLE and reachable is not None:
        if reachable:
            return Status(
                "error",
                f"CORS refused: the runner at {url} does not allow this page's origin {origin}. "
                f"Start it with --allow-origin {origin}",
                "cors",
                url=url,
            )
        return Status(
            "error",
            f"Runner unreachable at {url}: is it running, and is the URL right?",
            "unreachable",
            url=url,
        )
    if code == Code.UNAVAILABLE:
        return Status("error", f"Runner unreachable at {url}: {exc.message}", "unreachable", url=url)
    if code == Code.UNAUTHENTICATED:
        return Status(
            "error",
            f"Unauthorized: the runner at {url} rejected the token. Check the Runner token.",
            "unauthorized",
            url=url,
        )
    if code == Code.PERMISSION_DENIED:
        return Status("error", f"Forbidden by the runner at {url}: {exc.message}", "forbidden", url=url)
    if code in (Code.UNIMPLEMENTED, Code.NOT_FOUND):
        return Status(
            "error",
            f"Incompatible runner at {url}: it does not answer Fenced's GetInfo ({exc.message}).",
            "incompatible",
            url=url,
        )
    if code == Code.DEADLINE_EXCEEDED:
        return Status(
            "error", f"Runner unreachable at {url}: it did not answer in time.", "unreachable", url=url
        )
    return Status("error", f"Could not connect to {url}: {exc.message or code.value}", "failed", url=url)


def run_disabled_reason(status: Status, has_document: bool = True) -> str:
    """Why Run buttons are disabled ("" when they are not)."""
    if status.state == "connected":
        return ""
    if status.state == "none":
        return "No runner: enter a Runner URL and token to run cells."
    if status.state == "connecting":
        return "Connecting to the runner…"
    return f"Cannot run: {status.text}"
