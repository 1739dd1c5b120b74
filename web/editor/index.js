// The browser half of Fenced's notebook view, bundled with CodeMirror 6 into dist/vendor/editor/editor.js
// (see web/build_steps.py) and imported by fenced.app.view once the shell is interactive (view/warmup.py),
// not as part of boot.
//
// Python owns the model and decides what the DOM shows; this module does what must be cheap and
// frequent: watching which cells are on screen (binary search on scroll), mounting CodeMirror editors
// there first (and, for small notebooks, everywhere else in short background tasks after), asking Python
// to render Markdown in batches, and noticing edits without one Python call per key press (dirty set +
// debounce, then Python pulls the texts with takeChanges()).
import {EditorState, Annotation, EditorSelection} from "@codemirror/state";
import {EditorView} from "@codemirror/view";
import {languageExtension, canonicalLanguage} from "./languages.js";
import {editingExtensions, highlightStatic, offsetAtPoint, warmUp} from "./extensions.js";
import {LazyWork, FIRST_BUDGET_MS} from "./lazywork.js";
import {makePurifier} from "./sanitize.js";

export {canonicalLanguage, warmUp};

/** Marks transactions made on Python's behalf (undo, redo): they are not user edits. */
const external = Annotation.define();

const CHANGE_DEBOUNCE_MS = 300;
// Steady typing never pauses 300 ms: report at least this often anyway, so drafts are written while
// typing goes on (fenced.app.files.drafts writes one at most 0.6 s after a report).
const CHANGE_MAX_WAIT_MS = 1000;

export function createController(root, py, options) {
  return new Controller(root, py, options || {});
}

class Controller extends LazyWork {
  constructor(root, py, options) {
    super();
    this.root = root;                  // the element whose children are the cell <article>s
    this.py = py;                      // {render(keys) -> [html], changed(), state(s)}
    this.editors = new Map();          // key -> {view, el, used}
    this.dirty = new Set();            // keys of editors with edits Python has not taken yet
    this.pending = new Map();          // key -> text of dirty editors that were unmounted
    this.visible = new Set();          // cell elements in (or near) the viewport
    this.eager = false;                // small notebook: finish everything while idle
    this.maxEditors = options.maxEditors || 160;
    this.stateEl = options.stateEl || null;   // gets data-view-state="rendering|idle"
    this.purify = makePurifier(options.sanitize);  // rendered Markdown passes through it (sanitize.js)
    this.tick = 0;
    this.cursor = 0;                   // eager work: next child index to look at
    this._frame = 0;
    this._idle = 0;
    this._timer = 0;
    this._firstChange = 0;             // when the oldest edit Python has not been told of was made
    this._state = "";
    // Which cells are on screen is computed by binary search over the cells' positions on scroll and
    // after changes (O(log n) per frame). An IntersectionObserver on thousands of cells costs tens of
    // milliseconds per frame, typing included, which is what the big-notebook benchmark caught.
    this._onScroll = () => this._schedule();
    addEventListener("scroll", this._onScroll, {passive: true, capture: true});
    addEventListener("resize", this._onScroll, {passive: true});
  }

  /** Forward keydown events (capture phase, whole page) to `handler`, but not the ones Python never
   *  acts on: typing in an editor (only Esc, Shift/Ctrl+Enter leave it) or in another text field. So no
   *  Python runs per key press while typing. */
  listenKeys(handler) {
    document.addEventListener("keydown", (e) => {
      if (e.defaultPrevented || e.isComposing) return;
      const t = e.target;
      const editor = t && t.closest ? t.closest(".cm-editor") : null;
      if (editor) {
        if (!this.root.contains(editor)) return;
        const k = e.key;
        if (!(k === "Escape" || (k === "Enter" && (e.shiftKey || e.ctrlKey || e.metaKey)))) return;
      } else if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))
                 && !(t.classList && t.classList.contains("nb-find-input"))) {
        return;
      }
      handler(e);
    }, true);
  }

  // --- lifecycle ----------------------------------------------------------------------------------

  /** Forget every editor and observation (a new document is about to be shown). */
  reset() {
    for (const entry of this.editors.values()) entry.view.destroy();
    this.editors.clear();
    this.dirty.clear();
    this.pending.clear();
    this.visible.clear();
    clearTimeout(this._timer);
    if (this._frame) cancelAnimationFrame(this._frame);
    this._frame = this._idle = 0;  // a pending background message finds _idle == 0 and does nothing
    this.cursor = 0;
  }

  /** Start on a new set of cells; `eager` = mount/render all of them (small notebooks), the ones on screen
   *  now and the others in background tasks. */
  observeAll(eager) {
    this.eager = !!eager;
    this.cursor = 0;
    // Big notebooks: cells off screen get `content-visibility: hidden` (see view.css) and this module
    // marks the ones on screen. Plain `content-visibility: auto` would do the same with an internal
    // IntersectionObserver over every cell, which costs ~20 ms per frame at 5,000 cells.
    this.root.classList.toggle("big", !this.eager);
    this._setState("rendering");
    // The cells on screen at once, before the first paint (the layout this forces is the one the first
    // frame would do anyway): the document appears rendered and editable instead of filling in frame by frame.
    if (this._frame) { cancelAnimationFrame(this._frame); this._frame = 0; }
    this._work(FIRST_BUDGET_MS);
  }

  /** A cell was added or replaced: look at what is on screen again. */
  observe(el) {
    this.cursor = 0;
    this._schedule();
  }

  /** The cell's element leaves the DOM (its cell was deleted or replaced; Python flushed edits first). */
  forget(el) {
    this.visible.delete(el);
    const key = el.dataset.key;
    const entry = this.editors.get(key);
    if (entry) {
      entry.view.destroy();
      this.editors.delete(key);
    }
    this.dirty.delete(key);
    this.pending.delete(key);
  }

  /** data-cell-index = position, from child `start` on. */
  renumber(start) {
    const kids = this.root.children;
    for (let i = start || 0; i < kids.length; i++) {
      const el = kids[i];
      if (el.dataset.cellIndex !== String(i)) el.dataset.cellIndex = String(i);
    }
  }

  // --- editors ------------------------------------------------------------------------------------

  hasEditor(el) { return this.editors.has(el.dataset.key); }

  /** Mount an editor in the cell (text defaults to the static <pre>'s); optionally focus it, with the caret
   *  at `where` ("start", "end") or at text offset `offset` (see `offsetAt`). */
  mount(el, text, focus, where, offset) {
    let entry = this.editors.get(el.dataset.key);
    if (!entry) {
      entry = this._create(el, text);
      if (!entry) return;
      this._attach(entry);
      this._evict();
    }
    entry.used = ++this.tick;
    if (focus) {
      entry.view.focus();
      const len = entry.view.state.doc.length;
      if (offset !== undefined && offset !== null) entry.view.dispatch({selection: {anchor: Math.min(offset, len)}});
      else if (where === "end") entry.view.dispatch({selection: {anchor: len}});
      else if (where === "start") entry.view.dispatch({selection: {anchor: 0}});
    }
  }

  /** The offset in a code cell's static text under the viewport point (x, y), or null: a click there puts
   *  the caret at that place once the editor replaces the static text. */
  offsetAt(el, x, y) {
    const pre = el.querySelector(".cell-source > pre.cell-static");
    return pre ? offsetAtPoint(pre, x, y) : null;
  }

  /** A new editor for the cell, registered but not yet in the page. CodeMirror's constructor reads the
   *  DOM selection, which makes Chrome bring style and layout up to date whenever the page has pending
   *  changes: creating a batch of editors before inserting any of them (see `_process`) costs one such
   *  pass per batch instead of one per editor (~1 ms each with a few hundred cells). */
  _create(el, text) {
    const key = el.dataset.key;
    const holder = el.querySelector(".cell-source");
    if (!holder) return null;
    if (text === undefined || text === null) {
      const pre = holder.querySelector("pre.cell-static");
      text = pre ? pre.textContent : "";
    }
    const kind = el.dataset.cellKind;
    const view = new EditorView({state: EditorState.create({doc: text, extensions: this._extensions(el, key, kind)})});
    const entry = {view, el, holder, used: ++this.tick};
    this.editors.set(key, entry);
    return entry;
  }

  _attach(entry) {
    entry.holder.replaceChildren(entry.view.dom);
    entry.holder.removeAttribute("data-md");  // a Markdown cell being edited is not rendered meanwhile
  }

  /** Replace the editor with static text (what it shows now); returns the text. */
  unmount(el, keepStatic) {
    const key = el.dataset.key;
    const entry = this.editors.get(key);
    if (!entry) return null;
    const text = entry.view.state.doc.toString();
    if (this.dirty.has(key)) this.pending.set(key, text);
    this.dirty.delete(key);
    entry.view.destroy();
    this.editors.delete(key);
    if (keepStatic !== false) this._static(el, text);
    return text;
  }

  _static(el, text) {
    const holder = el.querySelector(".cell-source");
    const pre = document.createElement("pre");
    pre.className = "cell-static";
    const code = document.createElement("code");
    code.textContent = text;
    pre.append(code);
    if (this.eager && el.dataset.cellKind === "code") highlightStatic(pre, text, el.dataset.lang);
    holder.replaceChildren(pre);
  }

  _extensions(el, key, kind) {
    const label = kind === "code" ? `Code of ${el.dataset.cellName || "cell"}` : "Markdown source";
    return [
      editingExtensions(),
      kind === "code" ? languageExtension(el.dataset.lang) : EditorView.lineWrapping,
      EditorView.contentAttributes.of({"aria-label": label}),
      EditorView.updateListener.of((u) => {
        if (u.heightChanged) this._schedule();
        if (u.docChanged && !u.transactions.every((t) => t.annotation(external))) {
          this.dirty.add(key);
          clearTimeout(this._timer);
          const now = performance.now();
          if (!this._firstChange) this._firstChange = now;
          const wait = Math.max(0, Math.min(CHANGE_DEBOUNCE_MS, this._firstChange + CHANGE_MAX_WAIT_MS - now));
          this._timer = setTimeout(() => { this._firstChange = 0; this.py.changed(); }, wait);
        }
      }),
    ];
  }

  /** Text of a cell as shown (editor or static <pre>), or null for a rendered Markdown cell. */
  getText(el) {
    const entry = this.editors.get(el.dataset.key);
    if (entry) return entry.view.state.doc.toString();
    const pre = el.querySelector(".cell-source > pre.cell-static");
    return pre ? pre.textContent : null;
  }

  /** Set a cell's text on Python's behalf (undo/redo): not recorded as a user edit. */
  setText(el, text) {
    const key = el.dataset.key;
    const entry = this.editors.get(key);
    this.pending.delete(key);
    if (entry) {
      this.dirty.delete(key);
      const doc = entry.view.state.doc;
      if (doc.toString() !== text) {
        entry.view.dispatch({changes: {from: 0, to: doc.length, insert: text}, annotations: external.of(true)});
      }
    } else if (el.querySelector(".cell-source > pre.cell-static")) {
      this._static(el, text);
    }
  }

  /** Switch a code editor's highlighting after the cell's language changed. */
  relanguage(el) {
    const key = el.dataset.key;
    if (!this.editors.has(key)) return;
    const text = this.unmount(el);
    this.mount(el, text, false);
    if (this.pending.has(key)) { this.dirty.add(key); }
  }

  /** Edits Python has not seen: a flat [key, text, key, text, ...] array; clears them. */
  takeChanges() {
    clearTimeout(this._timer);
    this._firstChange = 0;
    const out = [];
    for (const [key, text] of this.pending) out.push(key, text);
    this.pending.clear();
    for (const key of this.dirty) {
      const entry = this.editors.get(key);
      if (entry) out.push(key, entry.view.state.doc.toString());
    }
    this.dirty.clear();
    return out;
  }

  /** Select [from, to) (UTF-16 offsets) in the cell's editor, mounting it if needed, and scroll there. */
  select(el, from, to, focus) {
    this.mount(el, null, false);
    const entry = this.editors.get(el.dataset.key);
    if (!entry) return;
    const len = entry.view.state.doc.length;
    const range = EditorSelection.range(Math.min(from, len), Math.min(to, len));
    entry.view.dispatch({selection: EditorSelection.create([range]), effects: EditorView.scrollIntoView(range, {y: "center"})});
    if (focus) entry.view.focus();
  }

  focused(el) {
    const entry = this.editors.get(el.dataset.key);
    return !!entry && entry.view.hasFocus;
  }

  /** Set rendered Markdown into a Markdown cell, through DOMPurify (parsed in an inert document). */
  setHTML(el, html) {
    this._putHTML(el, html);
    this._schedule();  // its height changed: more (or fewer) cells may be on screen
  }

  _putHTML(el, html) {
    const holder = el.querySelector(".cell-source");
    holder.replaceChildren(this.purify(html));
    holder.removeAttribute("data-md");
  }

  /** Mark a Markdown cell as needing a render (it is rendered when it is on screen). */
  invalidate(el) {
    el.querySelector(".cell-source").dataset.md = "pending";
    this.cursor = 0;
    this._schedule();
  }
}
