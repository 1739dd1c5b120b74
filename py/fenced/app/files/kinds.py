"""Which files Fenced opens, and how bytes become text.

Files are read as bytes and decoded strictly as UTF-8 with no BOM stripping (`"utf-8"`, not
`"utf-8-sig"`): a BOM stays in the text as U+FEFF, `fenced.document` keeps it, and saving encodes the
same bytes back. Anything we cannot show faithfully (not UTF-8, binary, not Markdown, too big) is refused
with a message that says why, before the current document is touched.
"""

from __future__ import annotations

import codecs
import posixpath

MAX_BYTES = 20 * 1024 * 1024  # 20 MB: far above any runbook; keeps the tab responsive
MARKDOWN_EXTENSIONS = frozenset(
    {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdx", ".rmd", ".qmd", ".txt", ".text"}
)
LISTED_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdx"})
ACCEPT_TYPES = {"text/markdown": [".md", ".markdown", ".mdx"], "text/plain": [".txt"]}
PICKER_TYPES = [{"description": "Markdown", "accept": ACCEPT_TYPES}]  # File System Access pickers
INPUT_ACCEPT = ",".join(sorted(MARKDOWN_EXTENSIONS)) + ",text/markdown,text/plain"  # <input type=file>
SNIFF_BYTES = 8192

# Magic numbers of common binary formats someone might drop by mistake.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "a program (ELF binary)",
    b"RIFF": "a media file",
}


class FileRejected(Exception):
    """The file cannot be opened; `str(exc)` is the message for the user."""


def human_size(n: int) -> str:
    """1536 -> '1.5 KB': sizes in messages, decimal-free for bytes."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover - loop always returns


def extension(name: str) -> str:
    """Lower-case extension of a file name ('' for `README` or `.profile`)."""
    base = posixpath.basename(name)
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def is_listed(name: str) -> bool:
    """Show this file in the folder panel (Markdown extensions only; .txt files are too common)."""
    return extension(name) in LISTED_EXTENSIONS


def check_size(name: str, size: int) -> None:
    """Refuse a file before reading it when it is over the limit."""
    if size > MAX_BYTES:
        raise FileRejected(
            f"{name} is {human_size(size)}; Fenced opens files up to {human_size(MAX_BYTES)}. "
            "Nothing was changed."
        )


def check_name(name: str) -> None:
    """Refuse names that are clearly not Markdown; files without an extension (README) may pass."""
    ext = extension(name)
    if ext and ext not in MARKDOWN_EXTENSIONS:
        allowed = ", ".join(sorted(LISTED_EXTENSIONS | {".txt"}))
        raise FileRejected(
            f"{name} is not a Markdown file ({ext}); Fenced opens {allowed}. Nothing was changed."
        )


def sniff_binary(data: bytes) -> str | None:
    """A short description when the start of `data` looks binary, else None."""
    head = data[:SNIFF_BYTES]
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # text, but UTF-16: decoding reports it precisely
    if b"\x00" in head:
        return "binary data (it contains NUL bytes)"
    return None


def decode_utf8(name: str, data: bytes) -> str:
    """Strict UTF-8; a BOM stays in the text so the bytes round-trip."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            hint = "it looks like UTF-16"
        else:
            line = data.count(b"\n", 0, exc.start) + 1
            hint = f"invalid byte 0x{data[exc.start]:02x} at line {line}, byte {exc.start}"
        raise FileRejected(
            f"{name} is not UTF-8 text ({hint}). Fenced only opens UTF-8 files, so that saving can never "
            "corrupt them; convert it first (for example `iconv -f latin1 -t utf-8`). Nothing was changed."
        ) from None


def decode_markdown(name: str, data: bytes) -> str:
    """All the checks, in the order a user would want to hear about them; returns the text."""
    check_name(name)
    check_size(name, len(data))
    what = sniff_binary(data)
    if what:
        raise FileRejected(f"{name} is not a Markdown file: it looks like {what}. Nothing was changed.")
    return decode_utf8(name, data)


def encode(text: str) -> bytes:
    """Text back to bytes for saving (strict: a lone surrogate is an error, never a silent '?')."""
    return text.encode("utf-8")
