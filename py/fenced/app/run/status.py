"""The runner connection's states and the words for them (pure, unit-tested under CPython).

The status indicator says either who we are connected to (host and user from GetInfo) or exactly why
not, with what to do about it. A browser hides why a fetch failed (runner down and CORS refusal are the
same `TypeError`), so the connection manager probes the runner with a `no-cors` request: if that gets
through, the runner is up and it is CORS that refused this page's origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from fenced import __version__
from fenced.connect import Code, ConnectError, Info

NONE = "none"
CONNECTING = "connecting"
CONNECTED = "connected"
ERROR = "error"

# Reasons (data-runner-reason), each with its own message.
UNREACHABLE = "unreachable"
CORS = "cors"
UNAUTHORIZED = "unauthorized"
INCOMPATIBLE = "incompatible"
FORBIDDEN = "forbidden"
BAD_URL = "bad-url"
FAILED = "failed"
LOST = "lost"


@dataclass(frozen=True)
class Status:
    state: str  # NONE | CONNECTING | CONNECTED | ERROR
    text: str  # what the indicator shows
    reason: str = ""  # for ERROR (and NONE): one of the reasons above
    hostname: str = ""
    user: str = ""


def none() -> Status:
    return Status(NONE, "No runner: enter a Runner URL to run cells.", "")


def connecting(url: str) -> Status:
    return Status(CONNECTING, f"Connecting to {url}…")


def reconnecting(url: str) -> Status:
    return Status(CONNECTING, f"Connection to {url} lost; reconnecting…", LOST)


def connected(info: Info) -> Status:
    who = f"{info.user}@{info.hostname}" if info.user else info.hostname
    return Status(CONNECTED, f"Connected to {who}", "", info.hostname, info.user)


def check_url(url: str) -> str:
    """ "" for a usable runner URL, else what is wrong with it."""
    lower = url.strip().lower()
    if not lower.startswith(("http://", "https://")) or len(lower.split("://", 1)[1]) == 0:
        return f"Runner URL must start with http:// or https:// (got {url!r})."
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
        ERROR,
        f"Incompatible runner version {shown} at {url}: this app is {__version__}; run a matching `fenced runner`.",
        INCOMPATIBLE,
    )


def failure(exc: BaseException, url: str, origin: str, reachable: bool | None) -> Status:
    """Status for a failed GetInfo. `reachable` is the no-cors probe's answer for `unavailable` errors."""
    if not isinstance(exc, ConnectError):
        return Status(ERROR, f"Could not connect to {url}: {exc}", FAILED)
    code = exc.code
    if code == Code.UNAVAILABLE and reachable is not None:
        if reachable:
            return Status(
                ERROR,
                f"CORS refused: the runner at {url} does not allow this page's origin {origin}. "
                f"Start it with --allow-origin {origin}",
                CORS,
            )
        return Status(
            ERROR, f"Runner unreachable at {url}: is it running, and is the URL right?", UNREACHABLE
        )
    if code == Code.UNAVAILABLE:
        return Status(ERROR, f"Runner unreachable at {url}: {exc.message}", UNREACHABLE)
    if code == Code.UNAUTHENTICATED:
        return Status(
            ERROR,
            f"Unauthorized: the runner at {url} rejected the token. Check the Runner token.",
            UNAUTHORIZED,
        )
    if code == Code.PERMISSION_DENIED:
        return Status(ERROR, f"Forbidden by the runner at {url}: {exc.message}", FORBIDDEN)
    if code in (Code.UNIMPLEMENTED, Code.NOT_FOUND):
        return Status(
            ERROR,
            f"Incompatible runner at {url}: it does not answer Fenced's GetInfo ({exc.message}).",
            INCOMPATIBLE,
        )
    if code == Code.DEADLINE_EXCEEDED:
        return Status(ERROR, f"Runner unreachable at {url}: it did not answer in time.", UNREACHABLE)
    return Status(ERROR, f"Could not connect to {url}: {exc.message or code.value}", FAILED)


def run_disabled_reason(status: Status, has_document: bool = True) -> str:
    """Why Run buttons are disabled ("" when they are not)."""
    if status.state == CONNECTED:
        return ""
    if status.state == NONE:
        return "No runner: enter a Runner URL and token to run cells."
    if status.state == CONNECTING:
        return "Connecting to the runner…"
    return f"Cannot run: {status.text}"
