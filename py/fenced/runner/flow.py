"""Outputs that flow from cell to cell in a session: ``$__`` and ``fenced_out NAME``.

As in Runme, ``$__`` in a cell is the standard output of the previous cell the session ran: the last
execution that ended before this one started, background cells left out (a server's log would otherwise
replace the value at any moment). And any cell's last standard output can be read by the cell's name
with the shell function ``fenced_out NAME``, defined in every POSIX-shell cell of the session (not an
environment variable per cell: names need not be valid variable names, and dozens of outputs in every
process's environment would crowd out the kernel's limit).

Both hold the first :data:`CAP` bytes of the output (64 KiB; what is beyond is cut, not spilled into
the next command), as text: a terminal's output (interactive cells) with escape sequences and carriage
returns applied, NUL bytes removed, and -- for ``$__``, as command substitution does -- final newlines
stripped. ``$__`` is an environment variable, so other interpreters (``os.environ["__"]``) see it too.
The outputs live in files under the runner's work directory, deleted with the session; a session keeps
the outputs of its last :data:`MAX_NAMES` cell names.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
from collections import OrderedDict
from pathlib import Path

from fenced.document.ansi import strip

CAP = 64 * 1024
MAX_NAMES = 256
PREVIOUS = "__"


class Capture:
    """The first CAP bytes of an execution's standard output."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.cut = False

    def add(self, data: bytes) -> None:
        room = CAP - len(self.data)
        if room > 0:
            self.data += data[:room]
        if len(data) > max(room, 0):
            self.cut = True


def as_text(data: bytes | bytearray, *, terminal: bool) -> str:
    """Output bytes as the text a later cell gets (undecodable bytes kept as they were)."""
    text = bytes(data).decode("utf-8", "surrogateescape")
    if terminal:
        text = strip(text)
    return text.replace("\0", "")


class Flow:
    """The outputs one session hands on: the previous cell's for ``$__``, each name's for ``fenced_out``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.previous = ""
        self._files: OrderedDict[str, Path] = OrderedDict()
        self._count = 0

    def env(self) -> dict[str, str]:
        """What a new execution's environment gets."""
        return {PREVIOUS: self.previous}

    def record(self, name: str, data: bytes | bytearray, *, terminal: bool, background: bool) -> None:
        """An execution ended with this standard output."""
        text = as_text(data, terminal=terminal)
        if not background:
            self.previous = text.rstrip("\n")
        if not name:
            return
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._count += 1
        path = self.directory / f"{self._count}.out"
        body = text if not text or text.endswith("\n") else text + "\n"
        path.write_bytes(body.encode("utf-8", "surrogateescape"))
        old = self._files.pop(name, None)
        if old is not None:
            old.unlink(missing_ok=True)
        self._files[name] = path
        while len(self._files) > MAX_NAMES:
            _, gone = self._files.popitem(last=False)
            gone.unlink(missing_ok=True)

    def prelude(self) -> str:
        """POSIX sh defining ``fenced_out NAME`` for a cell of this session."""
        cases = "".join(
            f"    {shlex.quote(n)}) cat {shlex.quote(str(p))} ;;\n" for n, p in self._files.items()
        )
        return (
            "fenced_out() {\n"
            '  case "$1" in\n'
            f"{cases}"
            "    *) printf 'fenced_out: no output of a cell named %s in this session\\n' \"$1\" >&2; return 1 ;;\n"
            "  esac\n"
            "}\n"
        )

    def close(self) -> None:
        self._files.clear()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.directory)
