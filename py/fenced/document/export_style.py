"""The CSS of exported reports (:mod:`fenced.document.export`): inline, system fonts, light and dark."""

CSS = """
:root { --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; --code-bg: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --com: #6e7781; --str: #0a3069; --kw: #cf222e; --cmd: #8250df;
  --var: #953800; --opt: #0550ae; --op: #57606a; --num: #0550ae; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --code-bg: #151b23;
    --ok: #3fb950; --bad: #f85149; --com: #9198a1; --str: #a5d6ff; --kw: #ff7b72; --cmd: #d2a8ff;
    --var: #ffa657; --opt: #79c0ff; --op: #9198a1; --num: #79c0ff; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 960px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); }
.title { margin: 0 0 4px; font-size: 1.6em; }
.summary { margin: 0 0 16px; color: var(--muted); font-size: .9em; }
pre, code { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.md code { background: var(--code-bg); padding: .1em .3em; border-radius: 4px; }
.md pre { background: var(--code-bg); padding: 12px; overflow: auto; border-radius: 6px; }
.md pre code { padding: 0; background: none; }
.md img { max-width: 100%; }
.md table { border-collapse: collapse; }
.md th, .md td { border: 1px solid var(--line); padding: 4px 10px; }
.md blockquote { margin: 0; padding: 0 1em; color: var(--muted); border-left: 4px solid var(--line); }
a { color: var(--opt); }
.image-alt { color: var(--muted); font-style: italic; }
.cell { margin: 16px 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.cell-head { padding: 4px 12px; font-size: .85em; background: var(--code-bg); border-bottom: 1px solid var(--line); }
.cell-head .name { font-weight: 600; }
.cell-head .lang { color: var(--muted); }
pre.code { margin: 0; padding: 12px; overflow: auto; background: var(--code-bg); }
.output { border-top: 1px solid var(--line); }
.output .run { padding: 4px 12px; font-size: .8em; color: var(--muted); }
.output.ok .run { border-left: 4px solid var(--ok); }
.output.failed .run { border-left: 4px solid var(--bad); color: var(--bad); }
.output pre { margin: 0; padding: 8px 12px 12px; overflow: auto; white-space: pre-wrap; word-break: break-word; }
.output.none .run { font-style: italic; }
.tok-com { color: var(--com); font-style: italic; } .tok-str { color: var(--str); }
.tok-kw { color: var(--kw); } .tok-cmd { color: var(--cmd); font-weight: 600; } .tok-var { color: var(--var); }
.tok-opt { color: var(--opt); } .tok-op { color: var(--op); } .tok-num { color: var(--num); }
@media print { .cell { break-inside: avoid; } }
"""
