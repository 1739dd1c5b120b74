"""`fenced export FILE [--outputs SESSION_FILE] -o OUT.html`: a run's report as one self-contained HTML file.

The argparse shell over `fenced.document.export` (pure Python, the page uses it too): reads the runbook
and the outputs (Runme's session-outputs file, else the outputs kept in the file itself), inlines the
relative images it can read, masks secrets, writes the file.
"""

from __future__ import annotations

import argparse
import base64
import mimetypes
import os
import sys
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Write a report of a runbook and its outputs as one HTML file that needs no script and loads nothing:
the Markdown rendered (raw HTML through the page's allow-list), each cell's code highlighted, and its
output with colours, exit code, duration and start time.

Outputs come from --outputs (a session-outputs file, as "Save with outputs" or Runme's auto-save write
it), else from the outputs kept in the runbook itself ("outputs in this file"). Remote images become
links; relative images inside the runbook's repository (or folder) are inlined. Values of secret
variables set in this environment -- names like *TOKEN*, *PASSWORD*, *SECRET*, *_KEY, *CREDENTIAL*,
the frontmatter's `secrets`, `# Secret`/`# Password` entries of a .env.example next to the runbook --
and of each --mask-env NAME are replaced by \u2022\u2022\u2022\u2022."""

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "image/avif"})


def register(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="write a runbook and its outputs as one self-contained HTML report",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the runbook (Markdown or MDX)")
    p.add_argument(
        "--outputs", type=Path, metavar="SESSION_FILE", help="the session-outputs file with the outputs"
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT.html", help="where to write it (- for stdout)"
    )
    p.add_argument("--title", help="the report's title (default: the runbook's first heading, else its name)")
    p.add_argument(
        "--mask-env",
        action="append",
        default=[],
        metavar="NAME",
        help="also mask the value of environment variable NAME (repeatable)",
    )
    p.set_defaults(handler=run)


def first_heading(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# "):
            return stripped[2:].strip().strip("#").strip()
    return ""


def repository_of(path: Path) -> Path:
    """The git checkout holding `path`, else its folder: where relative images may come from."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def image_loader(runbook: Path) -> Any:
    """Relative image path -> a data: URL, for readable images inside the runbook's repository."""
    folder = runbook.resolve().parent
    root = repository_of(runbook)

    def load(src: str) -> str | None:
        from urllib.parse import unquote, urlsplit

        path = unquote(urlsplit(src).path)
        if not path:
            return None
        target = (
            folder / path.lstrip("/") if not path.startswith("/") else root / path.lstrip("/")
        ).resolve()
        kind = mimetypes.guess_type(target.name)[0]
        if kind not in IMAGE_TYPES or not target.is_relative_to(root):
            return None
        try:
            if target.stat().st_size > MAX_IMAGE_BYTES:
                return None
            data = target.read_bytes()
        except OSError:
            return None
        return f"data:{kind};base64,{base64.b64encode(data).decode()}"

    return load


def secret_values(runbook: Path, nb: Any, extra: list[str]) -> list[str]:
    """Values to mask: this environment's secret variables by the runbook's rule, and --mask-env names."""
    from fenced.document.secrets import ENV_SPEC_FILE, secret_names

    spec_path = runbook.resolve().parent / ENV_SPEC_FILE
    try:
        spec = spec_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        spec = None
    rule = secret_names(nb.frontmatter, spec)
    values = [v for k, v in os.environ.items() if rule.is_secret(k)]
    values += [os.environ[name] for name in extra if name in os.environ]
    return values


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from fenced.document import loads
    from fenced.document.export import export_html
    from fenced.document.outputs import session_runs

    from .running.book import read_text
    from .running.errors import CliError

    text = read_text(args.file)
    nb = loads(text)
    runs = session_runs(nb, read_text(args.outputs)) if args.outputs else {}
    html = export_html(
        nb,
        runs,
        title=args.title or first_heading(text) or args.file.name,
        secrets=secret_values(args.file, nb, args.mask_env),
        generated=dt.datetime.now().astimezone(),
        images=image_loader(args.file),
    )
    if args.output == "-":
        sys.stdout.write(html)
        return 0
    out = Path(args.output)
    try:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise CliError(f"{out}: {exc.strerror or exc}") from None
    print(f"fenced export: wrote {out}", file=sys.stderr)
    return 0
