// Light/dark theme: follows the OS by default; the header's "Theme" button cycles system -> light -> dark
// (an icon button: its label, "Theme: Dark", is its accessible name and its tooltip).
// Plain JS loaded in <head> so a saved choice applies before the first paint (no flash while Python boots).
"use strict";
window.fencedTheme = (() => {
  const KEY = "fenced.theme";
  const MODES = ["system", "light", "dark"];
  const root = document.documentElement;
  function get() {
    try { const m = localStorage.getItem(KEY); return MODES.includes(m) ? m : "system"; } catch (e) { return "system"; }
  }
  function label(mode) { return "Theme: " + mode[0].toUpperCase() + mode.slice(1); }
  function apply(mode) {
    if (mode === "system") delete root.dataset.theme; else root.dataset.theme = mode;
    const button = document.getElementById("theme-toggle");
    if (button) {
      const text = button.querySelector(".label") || button;
      text.textContent = label(mode);
      button.title = `${label(mode)} (click for ${MODES[(MODES.indexOf(mode) + 1) % MODES.length]})`;
      button.dataset.mode = mode;
    }
  }
  function set(mode) {
    if (!MODES.includes(mode)) return;
    try { localStorage.setItem(KEY, mode); } catch (e) { /* private mode: still applies for this page */ }
    apply(mode);
  }
  function cycle() { set(MODES[(MODES.indexOf(get()) + 1) % MODES.length]); }
  apply(get());
  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("theme-toggle");
    if (button) { apply(get()); button.addEventListener("click", cycle); }
  });
  return {get, set, cycle};
})();
