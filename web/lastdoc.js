// The last document, on screen before Python runs (issue 17, "instant open"): the picture that
// fenced.app.files.lastdoc keeps in localStorage (fenced.document.preview: headings, paragraphs, each
// code cell's first lines and its output's last lines) is painted as a "Last document" card in the empty
// state while Python starts; Python then takes the card over as it is (its Reopen button runs the
// `reopen-last` command) and removes it once a document is shown. Loaded right after the empty state's
// markup, so it paints in the first frame. Text only: every piece is set with textContent, so nothing
// stored can become markup, a link or a request.
"use strict";
window.fencedLastDocument = (() => {
  const KEY = "fenced.last-document";
  const KINDS = ["heading", "text", "code", "output"];

  function read() {
    let data = null;
    try { data = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
    const ok = data && data.v === 1 && typeof data.name === "string" && Array.isArray(data.blocks) &&
      data.blocks.every((b) => Array.isArray(b) && b.length === 3 && KINDS.includes(b[0]) && typeof b[1] === "string");
    return ok ? data : null;
  }

  function ago(ms) {
    const s = Math.max(0, (Date.now() - ms) / 1000);
    if (!Number.isFinite(s)) return "";
    if (s < 60) return "just now";
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    const days = Math.round(s / 86400);
    return days === 1 ? "yesterday" : `${days} days ago`;
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function block([kind, text, extra]) {
    if (kind === "heading") {
      const level = Number.isInteger(extra) ? Math.min(6, Math.max(1, extra)) : 1;
      return el("p", `lp-heading lp-h${level}`, text);
    }
    if (kind === "text") return el("p", "lp-text", text);
    return el("pre", kind === "code" ? "lp-code" : "lp-output", text);
  }

  function paint(data) {
    const state = document.getElementById("empty-state");
    if (!state || document.getElementById("last-document")) return false;
    const label = typeof data.label === "string" && data.label ? data.label : data.name;
    const card = el("section", "last-document");
    card.id = "last-document";
    card.setAttribute("aria-labelledby", "last-document-title");
    card.dataset.lastDocument = label;
    const head = el("div", "last-document-head");
    head.append(el("h2", "", "Last document"));
    head.firstChild.id = "last-document-title";
    const about = el("p", "last-document-about");
    about.id = "last-document-about";
    // The name is drawn by CSS (content: attr(data-label)): the page's text keeps one element naming the
    // file, the Recent files entry, for whoever looks it up by its text while Python starts.
    const named = el("strong", "last-document-name");
    named.dataset.label = label;
    about.append(named);
    const when = typeof data.at === "number" ? ago(data.at) : "";
    if (when) about.append(` · ${when}`);
    head.append(about);
    if (data.reopen) {
      // Enabled with the other [data-command] buttons once Python is ready (fenced.app.view.shell).
      const button = el("button", "tool big primary", "Reopen");
      button.type = "button";
      button.title = `Reopen ${label}`;
      button.setAttribute("aria-describedby", "last-document-about");
      button.dataset.command = "reopen-last";
      button.dataset.icon = "go-to-file";
      button.disabled = true;
      head.append(button);
    } else {
      head.append(el("p", "last-document-hint", "It was dropped on the page: drop or open it again to continue."));
    }
    const forget = el("button", "tool", "Forget");
    forget.type = "button";
    forget.title = "Remove this card (the file itself is not touched)";
    forget.dataset.command = "forget-last";
    forget.disabled = true;
    head.append(forget);
    card.append(head);
    // A glimpse, not the document: hidden from assistive technology and never focusable.
    const glimpse = el("div", "last-document-preview");
    glimpse.setAttribute("aria-hidden", "true");
    glimpse.inert = true;
    for (const b of data.blocks) glimpse.append(block(b));
    if (data.truncated) glimpse.append(el("p", "lp-more", "…"));
    card.append(glimpse);
    const hint = state.querySelector(".hint");
    if (hint) hint.after(card); else state.append(card);
    document.body.dataset.lastDocument = "shown";
    // The workbench shows before Python now: with the sidebar as the user left it, so that Python, which
    // applies the same choice (fenced.app.view.shell), moves nothing when it takes over.
    try { if (localStorage.getItem("fenced.sidebar") === "open") document.body.dataset.sidebar = "open"; } catch (e) { /* none */ }
    // On screen with the frame this callback precedes (benchmarks read the mark: bench/startup.py).
    requestAnimationFrame(() => { if (window.fencedBoot) window.fencedBoot.mark("lastDocument"); });
    return true;
  }

  /** The plain text shown as output by the first `cells` cells, at most `chars` of its end each. */
  function outputs(cells, chars) {
    const out = {};
    for (const pre of document.querySelectorAll("#notebook article.cell[data-cell-kind='code'] [data-output-text]")) {
      const cell = pre.closest("article.cell");
      const index = Number(cell && cell.dataset.cellIndex);
      if (!Number.isInteger(index) || index >= cells) continue;
      const text = pre.textContent;
      if (!text) continue;
      const cut = text.length > chars ? text.indexOf("\n", text.length - chars) : -1;
      out[index] = text.length > chars ? text.slice(cut >= 0 ? cut + 1 : text.length - chars) : text;
    }
    return out;
  }

  const data = read();
  if (data) paint(data);
  return { outputs };
})();
