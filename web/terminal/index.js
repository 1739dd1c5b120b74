// The browser half of Fenced's cell output: xterm.js terminals, bundled by web/build_steps.py into
// dist/vendor/terminal/terminal.js (+ terminal.css) and imported by fenced.app.run.terminal on first use.
//
// Python decides what runs and where output goes; this module does what must be cheap per byte: writing
// to the terminal with flow control (Python awaits drained() when xterm falls behind), growing the
// terminal's height with its content up to a maximum, following the cell's width (fit addon), and
// handing keystrokes and size changes of interactive cells back to Python.
//
// A cell's output is kept as the bytes it wrote (Python caps them per cell); the xterm.js instance that
// draws them exists only while the output is on or near the screen (one IntersectionObserver for all
// outputs): a long runbook keeps a few live terminals, not one per cell with a full scrollback each.
// Coming back on screen, a terminal is made again and replays the bytes (minus plain text that would
// scroll out past the scrollback, as for a flood). Until then the output keeps its height.
import {Terminal} from "@xterm/xterm";
import {FitAddon} from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";

const STDERR_ON = new TextEncoder().encode("\x1b[31m");
const STDERR_OFF = new TextEncoder().encode("\x1b[39m");
const BEHIND = 128 << 10;       // unparsed bytes in xterm beyond which new output waits in the backlog
const PIECE = 8 << 10;          // xterm parses one write() without a break: keep each short
const BACKLOG_LIMIT = 64 << 20; // backlog bytes beyond which Python is asked to wait (drained())

const NEAR = "300px 0px";         // outputs this close to the viewport get a live terminal
// A live terminal's columns, row height and padding: the size of the others.
let known = {cols: 0, rowPx: 17, padPx: 0, measured: false};

const visibility = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const cell = entry.target.fencedTerminal;
    if (!cell) continue;
    if (entry.isIntersecting) cell._attach();
    else cell._detach();
  }
}, {rootMargin: NEAR});

export function createTerminal(host, options, py) {
  return new CellTerminal(host, options || {}, py || {});
}

/** A long plain-text copy's two ends and its count of line ends, for the run history's summary
 *  (fenced.document.history.OutputEnds): reading a whole output into Python at a cell's exit for six
 *  lines was a long task for a big one. Each end is cut at a line end (no half of a character pair); null
 *  when the text is short or holds an escape character (then Python reads it all). */
export function textEnds(el, chars) {
  const text = el.textContent;
  if (text.length < 2 * chars || text.includes("\x1b")) return null;
  let newlines = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) newlines++;
  const head = text.lastIndexOf("\n", chars);
  const tail = text.indexOf("\n", text.length - chars);
  if (head < 0 || tail < 0) return null;
  return [text.slice(0, head + 1), text.slice(tail), newlines];
}

/** Live xterm.js instances in the page (tests, benchmarks). */
export function liveTerminals() { return live; }
let live = 0;

class CellTerminal {
  constructor(host, options, py) {
    this.host = host;
    this.py = py;                       // {input(text), resize(rows, cols)}
    this.interactive = !!options.interactive;
    this.maxRows = options.maxRows || 16;
    this.record = [];                   // everything written since the last reset: [bytes, escapes]
    this.recordBytes = 0;
    this.recordLines = 0;               // lines in it, counted up to maxRows (the height it will take)
    this.xterm = null;                  // the live terminal, while on or near the screen
    this.pending = 0;                   // bytes handed to xterm, not parsed yet
    this.backlog = [];                  // output that arrived while xterm was behind
    this.backlogBytes = 0;
    this.waiters = [];
    this.rows = 1;
    this.cols = this._estimatedCols();
    host.fencedTerminal = this;         // tests and benchmarks read the buffer through this
    this._setMode();
    // The first terminal of the page is made at once if it is on screen: its columns size the PTY of
    // this run and the estimate of the others. After that the observer makes it live within a frame,
    // before a cell's first output is back from the runner (no forced layout per cell in a Run all).
    if (!known.cols && this._onScreen()) this._attach();
    if (visibility) visibility.observe(host);
    else this._attach();
  }

  /** The xterm.js Terminal (made live if it is not: tests and benchmarks). */
  get term() {
    this._attach();
    return this.xterm;
  }

  get live() { return this.xterm !== null; }

  _onScreen() {
    const r = this.host.getBoundingClientRect();
    return r.bottom >= -300 && r.top <= window.innerHeight + 300 && r.width > 0;
  }

  _attach() {
    if (this.xterm) return;
    const term = new Terminal({
      rows: 1,
      cols: 80,
      convertEol: !this.interactive,    // pipes end lines with \n; a PTY already sends \r\n
      disableStdin: !this.interactive,
      cursorBlink: false,
      cursorStyle: "bar",
      cursorInactiveStyle: "none",
      scrollback: 10000,
      fontSize: 13,
      fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
      // ANSI red and bright black chosen to read at 4.5:1 on this background, so stderr keeps its palette
      // class (xterm-fg-1) and minimumContrastRatio only steps in for colours a program picks itself.
      theme: {background: "#1b1d23", foreground: "#e6e6e6", cursor: "#e6e6e6", red: "#ff6b6b", brightBlack: "#8b929e"},
      // Every colour a program picks (stderr's red, dim text, ANSI black on this dark background) is
      // adjusted until it reads at 4.5:1 against the background: WCAG AA, as axe-core checks it.
      minimumContrastRatio: 4.5,
    });
    this.xterm = term;
    live++;
    this.fit = new FitAddon();
    term.loadAddon(this.fit);
    term.open(this.host);
    term.onData((data) => { if (this.interactive && this.py.input) this.py.input(data); });
    term.onBinary((data) => { if (this.interactive && this.py.input) this.py.input(data); });
    this.rows = 1;
    const cols = this._proposedCols() || this.cols || 80;
    this.cols = cols;
    term.resize(cols, this.rows);
    this.observer = new ResizeObserver(() => this._refit());
    this.observer.observe(this.host);
    this._setMode();
    if (this.record.length) {           // replay what was written meanwhile
      this.backlog = this.record.slice();
      this.backlogBytes = this.recordBytes;
      this._caughtUp();
    } else {
      this.host.style.height = "";
    }
  }

  /** Off screen: the terminal goes, its output stays (as bytes) and its height too. */
  _detach() {
    const term = this.xterm;
    if (!term || this.host.contains(document.activeElement)) return;
    this.host.style.height = `${this.host.offsetHeight}px`;
    this._dispose(term);
    this._release();
  }

  /** The live terminal `term` goes, with what was queued for it (the kept bytes stay). */
  _dispose(term) {
    this.observer.disconnect();
    this.xterm = null;
    live--;
    term.dispose();
    this.pending = 0;
    this.backlog = [];
    this.backlogBytes = 0;
  }

  /** Replace the output kept and shown with `data` (the same output with secrets masked, learned after it
   *  was written): a live terminal is made again from it, since xterm.js cannot take back what it has
   *  parsed or still has queued. */
  rewrite(data) {
    const term = this.xterm;
    if (term) this._dispose(term);
    this.record = data.length ? [[data, true]] : [];
    this.recordBytes = data.length;
    if (term) this._attach();
    else this._release();
  }

  /** Without a live terminal, the output takes the height it will have (no jump when it comes back). */
  _holdHeight(bytes) {
    let lines = this.recordLines;
    if (lines >= this.maxRows) return;
    for (let at = bytes.indexOf(10); at >= 0 && lines < this.maxRows; at = bytes.indexOf(10, at + 1)) lines++;
    const shown = Math.max(1, Math.min(this.maxRows, lines + (bytes[bytes.length - 1] === 10 ? 0 : 1)));
    if (lines !== this.recordLines || !this.host.style.height) {
      this.recordLines = lines;
      this.host.style.height = `${Math.round(known.padPx + shown * known.rowPx)}px`;
    }
  }

  _release() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** The columns of a live terminal (every output is as wide: the notebook's column; live terminals keep
   *  `known` current as the page resizes). Reading this host's width instead forced a style and layout
   *  pass per cell in a Run all, the page's DOM having just changed. */
  _estimatedCols() {
    return known.cols || 80;
  }

  /** Size for the PTY: [rows, cols] (rows is the maximum height, which the terminal grows into). */
  size() { return [this.maxRows, this.cols]; }

  /** Clear for a new run of the cell. */
  reset(interactive, maxRows) {
    this.interactive = !!interactive;
    this.maxRows = maxRows || this.maxRows;
    this.record = [];
    this.recordBytes = 0;
    this.recordLines = 0;
    this.rows = 1;
    this.host.style.height = "";
    const term = this.xterm;
    if (term) {
      term.options.convertEol = !this.interactive;
      term.options.disableStdin = !this.interactive;
      term.reset();
      this.cols = this._proposedCols() || this.cols;
      term.resize(this.cols, this.rows);
    } else {
      this.cols = this._estimatedCols();
    }
    this._setMode();
  }

  _setMode() {
    this.host.dataset.interactive = String(this.interactive);
    this.host.dataset.cols = String(this.cols);
    this.host.dataset.rows = String(this.maxRows);
  }

  /** Write output bytes (stderr in red). While xterm is behind, output collects in a backlog that is
   * written in one go once xterm has caught up, minus what could never be seen: plain text (no escape
   * sequence) that scrolls out past the scrollback. That keeps a flood (`seq 1 2000000`) from costing
   * a full terminal parse while showing what a terminal would. `escapes`: the caller saw an ESC byte
   * in `data` (Python finds that at memchr speed; scanning here would cost a long task). */
  write(data, stderr, escapes) {
    let bytes = data;
    if (stderr) {
      bytes = new Uint8Array(data.length + STDERR_ON.length + STDERR_OFF.length);
      bytes.set(STDERR_ON, 0);
      bytes.set(data, STDERR_ON.length);
      bytes.set(STDERR_OFF, STDERR_ON.length + data.length);
    }
    const part = [bytes, !!(stderr || escapes)];
    this.record.push(part);
    this.recordBytes += bytes.length;
    if (!this.xterm) {
      this._holdHeight(bytes);
      return 0;
    }
    if (this.pending > BEHIND || this.backlog.length) {
      this.backlog.push(part);
      this.backlogBytes += bytes.length;
    } else {
      this._write(bytes);
    }
    return this.pending + this.backlogBytes;
  }

  _write(bytes) {
    const n = bytes.length;
    this.pending += n;
    for (let at = 0; at + PIECE < n; at += PIECE) this.xterm.write(bytes.subarray(at, at + PIECE));
    const last = n > PIECE ? bytes.subarray(n - ((n % PIECE) || PIECE)) : bytes;
    const term = this.xterm;
    term.write(last, () => {
      if (term !== this.xterm) return;  // detached meanwhile
      this.pending -= n;
      this._grow();
      if (this.pending === 0) this._caughtUp();
    });
  }

  _caughtUp() {
    if (this.backlog.length) {
      const parts = this.backlog;
      this.backlog = [];
      this.backlogBytes = 0;
      const [from, at] = this._firstVisible(parts);
      if (from > 0 || at > 0) {
        if (this.xterm.buffer.active.cursorX > 0) this._write(new Uint8Array([13, 10]));
        this._write(parts[from][0].subarray(at));
      } else {
        this._write(parts[0][0]);
      }
      for (let i = from + 1; i < parts.length; i++) this._write(parts[i][0]);
      return;
    }
    this.host.style.height = "";        // (kept while detached)
    this._release();
  }

  /** [part, offset] where the last scrollback+rows lines of the backlog start, or [0, 0] when everything
   * must be written (too few lines, or escape sequences before that point: colours, modes, cursor). */
  _firstVisible(parts) {
    const keep = this.xterm.options.scrollback + this.maxRows + 1;
    let lines = 0;
    for (let i = parts.length - 1; i >= 0; i--) {
      const bytes = parts[i][0];
      let at = bytes.length;
      while (at > 0) {
        at = bytes.lastIndexOf(10, at - 1);
        if (at < 0) break;
        if (++lines > keep) {
          for (let j = 0; j <= i; j++) if (parts[j][1]) return [0, 0];
          return [i, at + 1];
        }
      }
    }
    return [0, 0];
  }

  /** Resolves once xterm has caught up with everything written. */
  drained() {
    if (!this.xterm || (!this.pending && !this.backlog.length)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when everything written so far is parsed (tests, benchmarks). */
  flushed() {
    this._attach();
    return this.drained().then(() => new Promise((resolve) => this.term.write("", resolve)));
  }

  needsDrain() { return this.backlogBytes > BACKLOG_LIMIT; }

  focus() { this.term.focus(); }

  /** Everything written since the last reset, as one array (the output's bytes, stderr coloured). */
  recorded() {
    const out = new Uint8Array(this.recordBytes);
    let at = 0;
    for (const [bytes] of this.record) { out.set(bytes, at); at += bytes.length; }
    return out;
  }

  /** The buffer's last `n` lines as text (tests). */
  lines(n) {
    const buf = this.term.buffer.active;
    const out = [];
    for (let i = Math.max(0, buf.length - (n || buf.length)); i < buf.length; i++) {
      out.push(buf.getLine(i).translateToString(true));
    }
    return out;
  }

  _grow() {
    const buf = this.xterm.buffer.active;
    const used = buf.type === "alternate" ? this.maxRows : buf.baseY + buf.cursorY + 1;
    const rows = Math.max(1, Math.min(this.maxRows, used));
    if (rows > this.rows) {
      this.rows = rows;
      this.xterm.resize(this.cols, rows);
      this._measureRows();
    }
  }

  _measureRows() {
    if (known.measured) return;         // (once: it reads the layout)
    try {
      const cell = this.xterm._core._renderService.dimensions.css.cell.height;  // (no public API for it)
      const element = this.xterm.element;
      if (cell > 0 && element) {
        known.rowPx = cell;
        known.padPx = Math.max(0, element.offsetHeight - this.rows * cell);
        known.measured = true;
      }
    } catch (e) { /* keep the estimate */ }
  }

  _proposedCols() {
    if (!this.xterm) return 0;
    try {
      const dims = this.fit.proposeDimensions();
      if (!(dims && dims.cols > 1 && isFinite(dims.cols))) return 0;
      const cols = Math.max(20, dims.cols);
      known.cols = cols;
      return cols;
    } catch (e) {
      return 0;
    }
  }

  _refit() {
    const cols = this._proposedCols();
    if (!cols || cols === this.cols) return;
    this.cols = cols;
    this.xterm.resize(cols, this.rows);
    this._setMode();
    if (this.interactive && this.py.resize) this.py.resize(this.maxRows, cols);
  }

  dispose() {
    if (visibility) visibility.unobserve(this.host);
    if (this.xterm) {
      this.observer.disconnect();
      this.xterm.dispose();
      this.xterm = null;
      live--;
    }
    this.record = [];
    this.recordBytes = 0;
    this._release();
  }
}
