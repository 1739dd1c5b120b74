// What the notebook's cell editors are made of, and the static rendering of a code cell that has no editor
// yet: highlighted by the same parser and highlighter as its editor will be, so a cell looks the same
// before and after CodeMirror takes over (same token classes; fonts and padding match in view.css).
import {EditorState} from "@codemirror/state";
import {EditorView, keymap, drawSelection, highlightSpecialChars} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {syntaxHighlighting, indentOnInput, bracketMatching} from "@codemirror/language";
import {classHighlighter, highlightCode} from "@lezer/highlight";
import {languageExtension} from "./languages.js";

let shared = null;

/** What every cell editor has besides its language, label and change listener: one shared array, so
 *  that the values CodeMirror caches per extension (key bindings, highlighters) are computed once. */
export function editingExtensions() {
  shared = shared || [
    history(),
    drawSelection(),
    highlightSpecialChars(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(classHighlighter),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    // Not a Tab stop: Tab moves between cells and controls; Enter on a cell (or a click) enters the editor,
    // where Tab then indents, and Esc leaves it (the shortcut help says so).
    EditorView.contentAttributes.of({tabindex: "-1"}),
  ];
  return shared;
}

const ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"};
const escapeHTML = (text) => text.replace(/[&<>]/g, (c) => ESCAPES[c]);

/** Fill `pre` (a `pre.cell-static` with a `<code>`) with `text` highlighted as `lang`; marks it
 *  `data-hl` (also when there is no highlighter for the language: the plain text is then final). The
 *  markup is built as one string (token classes come from classHighlighter, text is escaped): one
 *  innerHTML costs a fraction of a DOM call per token. */
export function highlightStatic(pre, text, lang) {
  const ext = languageExtension(lang);
  const language = ext && (ext.language || (ext.parser ? ext : null));
  const code = pre.querySelector("code") || pre;
  if (language) {
    let html = "";
    highlightCode(text, language.parser.parse(text), classHighlighter, (piece, classes) => {
      html += classes ? `<span class="${classes}">${escapeHTML(piece)}</span>` : escapeHTML(piece);
    }, () => { html += "\n"; });
    code.innerHTML = html;
  } else if (code.textContent !== text) {
    code.textContent = text;
  }
  pre.dataset.hl = "1";
}

/** The text offset inside `container` under the viewport point (x, y), or null: where a click on a
 *  static code cell puts the caret once its editor replaces it. */
export function offsetAtPoint(container, x, y) {
  let node = null, offset = 0;
  if (document.caretPositionFromPoint) {
    const p = document.caretPositionFromPoint(x, y);
    if (p) { node = p.offsetNode; offset = p.offset; }
  } else if (document.caretRangeFromPoint) {
    const r = document.caretRangeFromPoint(x, y);
    if (r) { node = r.startContainer; offset = r.startOffset; }
  }
  if (!node || !container.contains(node)) return null;
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/** Warm-up while the page is idle after boot: mount and measure one throwaway editor per language in
 *  `samples` ([[language, text], ...]) in an invisible box, then remove them. The first editors otherwise
 *  pay for compiling CodeMirror's code, building each language's parser and resolving styles, which is
 *  tens of ms on the way to the user's first document. Resolves when done. */
export function warmUp(samples) {
  const box = document.createElement("div");
  box.className = "cell-source";
  box.setAttribute("aria-hidden", "true");
  box.style.cssText = "position:absolute;left:-10000px;top:0;width:40rem;visibility:hidden;contain:strict;height:1px";
  document.body.append(box);
  const views = samples.map(([lang, text]) => new EditorView({
    state: EditorState.create({doc: text, extensions: [editingExtensions(), languageExtension(lang)]}),
  }));
  for (const view of views) box.append(view.dom);
  for (const [lang, text] of samples) {
    const pre = document.createElement("pre");
    pre.append(document.createElement("code"));
    highlightStatic(pre, text, lang);
  }
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => {
    for (const view of views) view.destroy();
    box.remove();
    resolve();
  }, 0)));
}
