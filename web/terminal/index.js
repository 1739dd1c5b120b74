// The browser half of Fenced's cell output: xterm.js terminals, bundled by web/build_steps.py into
// dist/vendor/terminal/terminal.js (+ terminal.css) and imported by fenced.app.run.terminal on first use.
//
// Python decides what runs and where output goes; this module does what must be cheap per byte: writing
// to the terminal with flow control (Python awaits drained() when xterm falls behind), growing the
// terminal's height with its content up to a maximum, following the cell's width (fit addon), and
// handing keystrokes and size changes of interactive cells back to Python.
import {Terminal} from "@xterm/xterm";
import {FitAddon} from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";

const STDERR_ON = new TextEncoder().encode("\x1b[31m");
const STDERR_OFF = new TextEncoder().encode("\x1b[39m");
const BEHIND = 128 << 10;       // unparsed bytes in xterm beyond which new output waits in the backlog
const PIECE = 8 << 10;          // xterm parses one write() without a break: keep each short
const BACKLOG_LIMIT = 64 << 20; // backlog bytes beyond which Python is asked to wait (drained())

export function createTerminal(host, options, py) {
  return new CellTerminal(host, options || {}, py || {});
}

class CellTerminal {
  constructor(host, options, py) {
    this.host = host;
    this.py = py;                       // {input(text), resize(rows, cols)}
    this.interactive = !!options.interactive;
    this.maxRows = options.maxRows || 16;
    this.pending = 0;                   // bytes handed to xterm, not parsed yet
    this.backlog = [];                  // output that arrived while xterm was behind
    this.backlogBytes = 0;
    this.waiters = [];
    this.rows = 1;
    this.term = new Terminal({
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
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    this.term.open(host);
    this.term.onData((data) => { if (this.interactive && this.py.input) this.py.input(data); });
    this.term.onBinary((data) => { if (this.interactive && this.py.input) this.py.input(data); });
    this.cols = this._proposedCols() || 80;
    this.term.resize(this.cols, this.rows);
    this.observer = new ResizeObserver(() => this._refit());
    this.observer.observe(host);
    host.fencedTerminal = this;         // tests and benchmarks read the buffer through this
    this._setMode();
  }

  /** Size for the PTY: [rows, cols] (rows is the maximum height, which the terminal grows into). */
  size() { return [this.maxRows, this.cols]; }

  /** Clear for a new run of the cell. */
  reset(interactive, maxRows) {
    this.interactive = !!interactive;
    this.maxRows = maxRows || this.maxRows;
    this.term.options.convertEol = !this.interactive;
    this.term.options.disableStdin = !this.interactive;
    this.term.reset();
    this.rows = 1;
    this.cols = this._proposedCols() || this.cols;
    this.term.resize(this.cols, this.rows);
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
    if (this.pending > BEHIND || this.backlog.length) {
      this.backlog.push([bytes, !!(stderr || escapes)]);
      this.backlogBytes += bytes.length;
    } else {
      this._write(bytes);
    }
    return this.pending + this.backlogBytes;
  }

  _write(bytes) {
    const n = bytes.length;
    this.pending += n;
    for (let at = 0; at + PIECE < n; at += PIECE) this.term.write(bytes.subarray(at, at + PIECE));
    const last = n > PIECE ? bytes.subarray(n - ((n % PIECE) || PIECE)) : bytes;
    this.term.write(last, () => {
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
        if (this.term.buffer.active.cursorX > 0) this._write(new Uint8Array([13, 10]));
        this._write(parts[from][0].subarray(at));
      } else {
        this._write(parts[0][0]);
      }
      for (let i = from + 1; i < parts.length; i++) this._write(parts[i][0]);
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** [part, offset] where the last scrollback+rows lines of the backlog start, or [0, 0] when everything
   * must be written (too few lines, or escape sequences before that point: colours, modes, cursor). */
  _firstVisible(parts) {
    const keep = this.term.options.scrollback + this.maxRows + 1;
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
    if (!this.pending && !this.backlog.length) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when everything written so far is parsed (tests, benchmarks). */
  flushed() {
    return this.drained().then(() => new Promise((resolve) => this.term.write("", resolve)));
  }

  needsDrain() { return this.backlogBytes > BACKLOG_LIMIT; }

  focus() { this.term.focus(); }

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
    const buf = this.term.buffer.active;
    const used = buf.type === "alternate" ? this.maxRows : buf.baseY + buf.cursorY + 1;
    const rows = Math.max(1, Math.min(this.maxRows, used));
    if (rows > this.rows) {
      this.rows = rows;
      this.term.resize(this.cols, rows);
    }
  }

  _proposedCols() {
    try {
      const dims = this.fit.proposeDimensions();
      return dims && dims.cols > 1 && isFinite(dims.cols) ? Math.max(20, dims.cols) : 0;
    } catch (e) {
      return 0;
    }
  }

  _refit() {
    const cols = this._proposedCols();
    if (!cols || cols === this.cols) return;
    this.cols = cols;
    this.term.resize(cols, this.rows);
    this._setMode();
    if (this.interactive && this.py.resize) this.py.resize(this.maxRows, cols);
  }

  dispose() {
    this.observer.disconnect();
    this.term.dispose();
    for (const resolve of this.waiters) resolve();
    this.waiters = [];
  }
}
