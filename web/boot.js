// Boot watchdog: the only JS that runs before Python. It turns any failure to load the runtime into a
// clear in-page message (never a blank page) and sets <body data-app-state="error">. Python sets "ready".
"use strict";
window.fencedBoot = (() => {
  const started = performance.now();
  const marks = {};
  // Marks are ms since navigation start (performance.timeOrigin), as benchmarks expect.
  function mark(name) { marks[name] = performance.now(); }
  function fail(what, detail) {
    const body = document.body;
    if (!body || body.dataset.appState === "ready") { console.error(what, detail || ""); return; }
    body.dataset.appState = "error";
    const box = document.getElementById("load-error");
    const loading = document.getElementById("loading");
    if (loading) loading.hidden = true;
    if (box) {
      box.querySelector(".what").textContent = what;
      box.querySelector(".details").textContent = String(detail || "");
      box.hidden = false;
    }
  }
  function describe(reason) {
    const text = String(reason && (reason.stack || reason.message) || reason);
    if (/pyodide|\.wasm|stdlib|lock/i.test(text)) return "The Python runtime (Pyodide) could not be loaded.";
    if (/fetch|NetworkError|Failed to fetch|import/i.test(text)) return "A file the app needs could not be loaded.";
    return "Python failed while starting the app.";
  }
  window.addEventListener("unhandledrejection", (e) => {
    if (document.body && document.body.dataset.appState === "loading") fail(describe(e.reason), e.reason && (e.reason.stack || e.reason));
  });
  window.addEventListener("error", (e) => {
    if (!document.body || document.body.dataset.appState !== "loading") return;
    const name = e.target && e.target.dataset && e.target.dataset.bootName;  // a <script> that did not load
    if (name) fail(`${name} could not be loaded.`, e.target.src);
    else fail(describe(e.error || e.message), e.error ? e.error.stack : e.message);
  }, true);
  // The page allows no inline handlers (its Content-Security-Policy), so this stands in for the runner
  // form's onsubmit="return false": Enter in its fields never navigates, with or without Python.
  document.addEventListener("submit", (e) => {
    if (e.target.closest && e.target.closest(".runner-settings")) e.preventDefault();
  }, true);
  // PyScript reports Python errors through its own events/DOM; catch both.
  addEventListener("py:error", (e) => fail("Python failed while starting the app.", e.detail));
  addEventListener("py:ready", () => mark("python"));
  return { fail, mark, marks, started };
})();
