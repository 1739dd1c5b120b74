// The page shell's behaviour that needs no Python (fenced.app decides what commands do): menus, the skip link,
// and the cell actions bar following the mouse. Plain JS loaded in <head>, so menus work while Python boots.
//
// Menus are native popovers (`popover` + `popovertarget`): the browser gives them light dismiss, Escape and
// focus return. This adds what it does not: placing a menu under the button that opened it (flipped to stay
// on screen), `aria-expanded` on that button, closing the menu once one of its commands was clicked, and
// arrow keys between its items. The header's tools are themselves a popover that only a phone opens (the
// CSS lays them out as a row on wider screens), so the one "Menu" button holds every command there.
"use strict";
window.fencedShell = (() => {
  const ITEMS = "button:not([disabled]), input:not([disabled]), a[href]";

  function invokerOf(popover) {
    return document.querySelector(`[popovertarget="${popover.id}"]`);
  }

  /** Under the invoker, left-aligned; right-aligned when it would leave the viewport; above when there
   *  is no room below. Fixed coordinates: a popover lives in the top layer. */
  function place(popover, invoker) {
    const r = invoker.getBoundingClientRect();
    const vw = document.documentElement.clientWidth, vh = window.innerHeight;
    popover.style.position = "fixed";
    popover.style.margin = "0";
    popover.style.inset = "auto";
    popover.style.maxHeight = "";
    const w = popover.offsetWidth, h = popover.offsetHeight;
    let left = r.left;
    if (left + w > vw - 4) left = Math.max(4, r.right - w);
    if (left + w > vw - 4) left = Math.max(4, vw - 4 - w);
    const header = invoker.closest(".app-header");  // a header menu opens under the header's edge
    let top = Math.max(r.bottom + 4, header ? header.getBoundingClientRect().bottom + 1 : 0);
    if (top + h > vh - 4 && r.top - 4 - h >= 4) top = r.top - 4 - h;
    else if (top + h > vh - 4) popover.style.maxHeight = `${Math.max(120, vh - 8 - top)}px`;
    popover.style.left = `${Math.round(left)}px`;
    popover.style.top = `${Math.round(top)}px`;
  }

  const anchored = (popover) => popover.classList.contains("menu") || popover.classList.contains("anchored");

  /** Hidden until placed (the toggle event comes after the popover is shown). */
  function onBeforeToggle(e) {
    const popover = e.target;
    if (popover instanceof HTMLElement && e.newState === "open" && anchored(popover)) popover.style.visibility = "hidden";
  }

  function onToggle(e) {
    const popover = e.target;
    if (!(popover instanceof HTMLElement) || !popover.hasAttribute("popover")) return;
    const invoker = invokerOf(popover) || popover.fencedInvoker;
    const open = e.newState === "open";
    if (invoker) invoker.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && anchored(popover)) {
      if (invoker) place(popover, invoker);
      popover.style.visibility = "";
    }
    if (open && popover.classList.contains("menu") && popover.dataset.focusFirst !== "false") {
      const first = popover.querySelector(ITEMS);
      if (first) first.focus({preventScroll: true});
    }
  }

  /** A click on a command in an open menu closes the menu (a checkbox or a text field keeps it open). */
  function onClick(e) {
    const item = e.target.closest && e.target.closest("button");
    if (!item || item.hasAttribute("popovertarget") || item.type === "submit") return;
    const menu = item.closest("[popover]");
    if (menu && menu.matches(":popover-open")) {
      queueMicrotask(() => {
        try { menu.hidePopover(); } catch (err) { /* already closed */ }
        // The one phone menu closes with the command it ran.
        const outer = menu.parentElement && menu.parentElement.closest("[popover]");
        if (outer && outer.matches(":popover-open")) outer.hidePopover();
      });
    }
  }

  /** Up/Down/Home/End between the items of an open menu. */
  function onKey(e) {
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(e.key)) return;
    const menu = e.target.closest && e.target.closest(".menu[popover], #header-tools[popover]");
    if (!menu || !menu.matches(":popover-open")) return;
    if (e.target.matches("input[type=text], input[type=url], input[type=password], input[type=search]")) return;
    const items = [...menu.querySelectorAll(ITEMS)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    e.preventDefault();
    let i = items.indexOf(document.activeElement);
    if (e.key === "Home") i = 0;
    else if (e.key === "End") i = items.length - 1;
    else i = (i + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
    items[i].focus();
  }

  /** "Skip to the notebook": the selected cell when a document is open, else the page's main area. */
  function onSkip(e) {
    const link = e.target.closest && e.target.closest(".skip-link");
    if (!link) return;
    e.preventDefault();
    const target = document.querySelector("#notebook .cell.active") || document.getElementById("app");
    if (target) {
      target.focus();
      target.scrollIntoView({block: "nearest"});
    }
  }

  /** The one cell actions bar (fenced.app.view) shows in the cell under the mouse, and goes back to the
   *  selected cell when the mouse leaves the cells; never while its menu is open.
   *  Only a moving mouse moves it (`pointermove`): cells that move under a still mouse (a cell moved or
   *  deleted) leave it in the selected cell. */
  function onPointer(e) {
    if (e.pointerType === "touch") return;
    const bar = document.querySelector("#notebook .cell-actions");
    if (!bar || document.querySelector(".cell-menu:popover-open")) return;
    const cells = bar.closest(".nb-cells") || document.querySelector("#notebook .nb-cells");
    const cell = e.target.closest && e.target.closest(".nb-cells > .cell");
    const home = cell || (cells && cells.querySelector(":scope > .cell.active"));
    if (!home || bar.parentElement === home || bar.closest(".cell") === home) return;
    const source = home.querySelector(":scope > .cell-source");
    home.insertBefore(bar, source);
  }

  document.addEventListener("beforetoggle", onBeforeToggle, true);
  document.addEventListener("toggle", onToggle, true);
  document.addEventListener("click", onClick);
  document.addEventListener("click", onSkip, true);
  document.addEventListener("keydown", onKey);
  document.addEventListener("pointermove", onPointer, {passive: true});
  document.addEventListener("DOMContentLoaded", () => {
    for (const b of document.querySelectorAll("[popovertarget]")) b.setAttribute("aria-expanded", "false");
    document.getElementById("notebook")?.addEventListener("pointerleave", onPointer, {passive: true});
  });
  return {place};
})();
