// The lazy half of the notebook view's controller (web/editor/index.js extends it): which cells are on
// screen, and the work done for them first, then (small notebooks) for every other cell in background
// tasks. Kept apart from the editor handling so each file stays readable on its own.

const FRAME_BUDGET_MS = 10;    // main-thread work per animation frame while cells come into view
export const FIRST_BUDGET_MS = 60;  // the cells on screen when a document is shown
const BACKGROUND_BUDGET_MS = 40;  // per task while small notebooks finish their off-screen cells
const MARGIN = 300;           // px above and below the viewport that count as on screen
const MD_BATCH = 6;          // Markdown cells rendered per Python call (a few ms each)

/** Expects of its subclass: root, py, editors, visible, eager, cursor, _frame, _idle, _state,
 *  stateEl, maxEditors, and the editor methods _create, _attach, _putHTML, unmount. */
export class LazyWork {
  /** Cells within MARGIN px of the viewport, found by binary search (cells are in document order). */
  _onScreen() {
    const kids = this.root.children;
    const n = kids.length;
    const box = this.root.getBoundingClientRect();
    if (!n || box.height === 0) return [];
    const top = -MARGIN, bottom = innerHeight + MARGIN;
    if (box.bottom < top || box.top > bottom) return [];
    let lo = 0, hi = n - 1, first = n;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (kids[mid].getBoundingClientRect().bottom >= top) { first = mid; hi = mid - 1; } else lo = mid + 1;
    }
    const out = [];
    for (let i = first; i < n; i++) {
      if (kids[i].getBoundingClientRect().top > bottom) break;
      out.push(kids[i]);
    }
    return out;
  }

  _needs(el) {
    if (!el.isConnected) return false;
    if (el.dataset.cellKind === "code") return !this.editors.has(el.dataset.key);
    const holder = el.querySelector(".cell-source");
    return !!holder && holder.dataset.md === "pending" && !this.editors.has(el.dataset.key);
  }

  _schedule() {
    if (!this._frame) this._frame = requestAnimationFrame(() => { this._frame = 0; this._work(); });
  }

  /** Mark and fill the cells on screen: editors mounted, Markdown rendered, for up to `budget` ms (the
   *  rest next frame). Big notebooks first make the cells on screen visible (content-visibility) and look
   *  again, since their real heights replace the estimates. */
  _work(budget = FRAME_BUDGET_MS) {
    const start = performance.now();
    let now = [];
    for (let pass = 0; pass < 3; pass++) {
      now = this._onScreen();
      const visible = new Set(now);
      let shown = 0;
      if (!this.eager) {
        for (const el of this.visible) if (!visible.has(el)) el.classList.remove("on-screen");
        for (const el of now) if (!el.classList.contains("on-screen")) { el.classList.add("on-screen"); shown++; }
      }
      this.visible = visible;
      if (!shown) break;
    }
    const todo = now.filter((el) => this._needs(el));
    let done = this._process(todo, () => performance.now() - start < budget);
    if (done < todo.length) { this._schedule(); return; }
    if (this.eager) { this._scheduleIdle(); return; }
    this._setState("idle");
  }

  /** Small notebooks, after what is on screen: every other cell done in document order (Markdown
   *  rendered, code in its editor: ~1-3 ms a cell), in back-to-back tasks of BACKGROUND_BUDGET_MS via a
   *  MessageChannel rather than requestIdleCallback: while CodeMirror keeps asking for frames the idle
   *  periods are a few ms each, and finishing took four times its CPU time. A cell that comes on screen
   *  meanwhile is done first (`_work`); a click mounts its editor at once. (Code is not highlighted as
   *  static text first: its editor follows within a few hundred ms and parses it again, so that only
   *  delayed the last editor by ~1 ms a code cell.) */
  _scheduleIdle() {
    if (this._idle) return;
    if (!this._channel) {
      this._channel = new MessageChannel();
      this._channel.port1.onmessage = () => { if (this._idle) { this._idle = 0; this._background(); } };
    }
    this._idle = 1;
    this._channel.port2.postMessage(0);
  }

  _background() {
    if ([...this.visible].some((el) => this._needs(el))) { this._schedule(); return; }
    const until = performance.now() + BACKGROUND_BUDGET_MS;
    const more = () => performance.now() < until;
    const kids = this.root.children;
    while (more()) {
      const batch = [];
      while (this.cursor < kids.length && batch.length < 4 * MD_BATCH) {
        const el = kids[this.cursor++];
        if (this._needs(el)) batch.push(el);
      }
      if (!batch.length) { this._setState("idle"); return; }
      const done = this._process(batch, more);
      if (done < batch.length) { this.cursor = Number(batch[done].dataset.cellIndex); break; }
    }
    this._scheduleIdle();
  }

  /** Do the work for `els` while `more()` says there is time; returns how many were done. Reads and
   *  Python calls first (editors created off-page, Markdown rendered to strings), DOM writes last, so the
   *  batch forces no style or layout pass between its cells. */
  _process(els, more) {
    const created = [];
    const rendered = [];
    let i = 0;
    while (i < els.length) {
      if (i && !more()) break;
      if (els[i].dataset.cellKind === "code") {
        const entry = this._create(els[i++], null);
        if (entry) created.push(entry);
        continue;
      }
      const batch = [];  // a run of Markdown cells: one Python call
      while (i < els.length && els[i].dataset.cellKind !== "code" && batch.length < MD_BATCH) batch.push(els[i++]);
      const htmls = this.py.render(batch.map((el) => el.dataset.key));
      batch.forEach((el, j) => { if (htmls[j] !== null && htmls[j] !== undefined) rendered.push([el, htmls[j]]); });
    }
    for (const entry of created) this._attach(entry);
    for (const [el, html] of rendered) this._putHTML(el, html);
    if (created.length) this._evict();
    if (rendered.length) this._schedule();
    if (i) this._setState("rendering");
    return i;
  }

  _evict() {
    if (this.eager || this.editors.size <= this.maxEditors) return;
    const candidates = [...this.editors.values()]
      .filter((e) => !this.visible.has(e.el) && !e.view.hasFocus && e.el.dataset.cellKind === "code")
      .sort((a, b) => a.used - b.used);
    for (const e of candidates) {
      if (this.editors.size <= this.maxEditors) break;
      this.unmount(e.el);
    }
  }

  _setState(s) {
    if (s !== this._state) {
      this._state = s;
      (this.stateEl || this.root).dataset.viewState = s;
      if (this.py.state) this.py.state(s);
    }
  }
}
