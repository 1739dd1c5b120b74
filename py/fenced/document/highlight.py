"""Code highlighting for exported reports: HTML spans with ``tok-*`` classes, pure Python, no tables.

Pygments would be the library to reach for, but it is not among the wheels the browser ships, and a
report only needs to make a runbook's shell readable. So: a small lexer for shell (comments, quoted
strings with the variables inside them, ``$VAR``/``${...}``, here-documents, operators, options, the
command word and keywords), and for other languages only comments, strings and numbers. The output
is the code's text, escaped, with spans around tokens: removing the tags gives the code back exactly
(property-tested), so a lexer mistake costs a colour, never a character.
"""

from __future__ import annotations

import re
from html import escape

from .runnable import is_shell

KEYWORDS = frozenset(
    [
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "for",
        "while",
        "until",
        "do",
        "done",
        "case",
        "esac",
        "in",
        "function",
        "select",
        "time",
        "return",
        "export",
        "local",
        "readonly",
        "declare",
        "typeset",
        "unset",
        "set",
        "source",
        "alias",
        "break",
        "continue",
        "exit",
    ]
)
_OPENS_COMMAND = frozenset(
    ["if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "(", "exec", "sudo", "command"]
)
_SH = re.compile(
    r"""
    (?P<com>(?<![^\s;|&()])\#[^\n]*)
    |(?P<heredoc><<-?[ \t]*(?P<hq>['"]?)(?P<hd>[A-Za-z_][A-Za-z0-9_]*)(?P=hq))
    |(?P<sq>'[^']*'?)
    |(?P<ansi>\$'(?:[^'\\]|\\.)*'?)
    |(?P<dq>"(?:[^"\\]|\\.)*"?)
    |(?P<var>\$(?:\{[^}\n]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9@*\#?$!-]))
    |(?P<sub>\$\(\(?|`)
    |(?P<op>\|\||&&|;;|[|&;()]|[0-9]*>>?&?[0-9-]?|<<<|[0-9]*<)
    |(?P<word>(?:[^\s|&;()<>'"`$\\]|\\.)+)
    |(?P<ws>\s+)
    |(?P<other>.)
    """,
    re.X | re.S,
)
_IN_DQ = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])")
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_NUMBER = r"(?P<num>\b\d+(?:\.\d+)?\b)"
_STRINGS = r"""(?P<str>"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)"""
_GENERIC = {
    "hash": re.compile(rf"(?P<com>\#[^\n]*)|{_STRINGS}|{_NUMBER}|(?P<other>[A-Za-z_]\w*|.)", re.S),
    "slash": re.compile(
        rf"(?P<com>//[^\n]*|/\*.*?(?:\*/|$))|{_STRINGS}|(?P<tpl>`(?:[^`\\]|\\.)*`?)|{_NUMBER}|(?P<other>[A-Za-z_]\w*|.)",
        re.S,
    ),
    "plain": re.compile(rf"{_STRINGS}|{_NUMBER}|(?P<other>[A-Za-z_]\w*|.)", re.S),
}
_FAMILY = {
    **dict.fromkeys(("python", "py", "python3", "ruby", "rb", "perl", "yaml", "yml", "toml", "r"), "hash"),
    **dict.fromkeys(("dockerfile", "makefile", "make", "ini", "conf", "hcl", "terraform", "tf"), "hash"),
    **dict.fromkeys(
        ("js", "javascript", "node", "ts", "typescript", "go", "java", "c", "cpp", "rust"), "slash"
    ),
    **dict.fromkeys(("jsx", "tsx", "kotlin", "swift", "scala", "csharp", "cs", "php", "groovy"), "slash"),
    **dict.fromkeys(("json", "jsonc"), "plain"),
}


def _span(kind: str, text: str) -> str:
    return f'<span class="tok-{kind}">{escape(text, quote=False)}</span>'


def _dq(text: str) -> str:
    """A double-quoted string with the variables it expands marked inside."""
    out = ['<span class="tok-str">']
    pos = 0
    for m in _IN_DQ.finditer(text):
        out.append(escape(text[pos : m.start()], quote=False))
        out.append(_span("var", m.group()))
        pos = m.end()
    out.append(escape(text[pos:], quote=False))
    out.append("</span>")
    return "".join(out)


def _shell(code: str) -> str:
    out: list[str] = []
    pos = 0
    command = True  # the next word is a command name
    heredocs: list[tuple[str, bool]] = []  # delimiters waiting for the end of the line
    n = len(code)
    while pos < n:
        m = _SH.match(code, pos)
        assert m is not None  # `other` matches any character
        kind = m.lastgroup if m.lastgroup not in ("hq", "hd") else "heredoc"
        text = m.group()
        pos = m.end()
        if kind == "ws" and "\n" in text and heredocs:
            cut = text.index("\n") + 1
            out.append(text[:cut])
            pos = m.start() + cut
            pos = _heredoc_bodies(code, pos, heredocs, out)
            heredocs = []
            command = True
            continue
        if kind == "com":
            out.append(_span("com", text))
        elif kind == "heredoc":
            out.append(_span("op", text))
            heredocs.append((m.group("hd"), text.startswith("<<-")))
        elif kind in ("sq", "ansi"):
            out.append(_span("str", text))
            command = False
        elif kind == "dq":
            out.append(_dq(text))
            command = False
        elif kind == "var":
            out.append(_span("var", text))
            command = False
        elif kind in ("sub", "op"):
            out.append(_span("op", text))
            command = kind == "sub" or text in ("|", "||", "&&", ";", ";;", "&", "(")
        elif kind == "word":
            if text in KEYWORDS and (command or text in ("in", "do", "then", "done", "fi", "esac")):
                out.append(_span("kw", text))
                command = text in _OPENS_COMMAND
            elif command and _ASSIGN.match(text):
                out.append(_span("var", text))
            elif command:
                out.append(_span("cmd", text))
                command = text in _OPENS_COMMAND
            elif text.startswith("-") and len(text) > 1:
                out.append(_span("opt", text))
            else:
                out.append(escape(text, quote=False))
        else:
            if kind == "ws" and "\n" in text:
                command = True
            out.append(escape(text, quote=False))
    return "".join(out)


def _heredoc_bodies(code: str, pos: int, heredocs: list[tuple[str, bool]], out: list[str]) -> int:
    """Here-document bodies starting at `pos` (a line start), one per waiting delimiter."""
    for delimiter, tabs in heredocs:
        start = pos
        while pos < len(code):
            end = code.find("\n", pos)
            line_end = len(code) if end < 0 else end + 1
            line = code[pos:line_end].rstrip("\n")
            if (line.lstrip("\t") if tabs else line) == delimiter:
                if start < pos:
                    out.append(_span("str", code[start:pos]))
                out.append(_span("op", line))
                pos = pos + len(line)
                break
            pos = line_end
        else:
            if start < pos:
                out.append(_span("str", code[start:pos]))
            return pos
    return pos


def _generic(code: str, family: str) -> str:
    out: list[str] = []
    for m in _GENERIC[family].finditer(code):
        kind = m.lastgroup
        text = m.group()
        if kind == "tpl":
            kind = "str"
        out.append(_span(kind, text) if kind in ("com", "str", "num") else escape(text, quote=False))
    return "".join(out)


def highlight(code: str, language: str) -> str:
    """Escaped HTML for `code` with token spans (see the module docstring)."""
    lang = language.strip().lower()
    if is_shell(lang):
        return _shell(code)
    family = _FAMILY.get(lang)
    return _generic(code, family) if family else escape(code, quote=False)
