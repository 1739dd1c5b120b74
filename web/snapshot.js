// Fetches the Python memory snapshot (vendor/pyodide/snapshot.bin.gz) from the first moments of the page
// load, in a worker (web/snapshot-worker.js): unzipping its 31 MB took ~110 ms of the page's main thread,
// and only began once PyScript's modules had loaded. The worker unzips it on another core while the page
// parses and loads those modules, and keeps the unzipped bytes in the origin-private file system, so that
// the next load of the same build reads them in a few ms. `window.fencedSnapshot` is a promise of the
// bytes (a Uint8Array), or of null when there is no snapshot: pyodide-boot.mjs then boots Python the
// ordinary way. `fencedBoot.snapshotFrom` says where the bytes came from ("kept", "unzipped", "page");
// `fencedBoot.snapshotKept` whether the worker kept them for the next load, once it is done.
"use strict";
window.fencedSnapshot = (() => {
  const here = document.currentScript.src;
  const url = new URL("../vendor/pyodide/snapshot.bin.gz", here).href;
  const boot = window.fencedBoot || { mark() {} };
  function inWorker() {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL("snapshot-worker.js", here).href);
      worker.onmessage = (e) => {  // the worker closes itself (it may still be keeping the bytes)
        if (e.data && "kept" in e.data) {  // it kept the unzipped bytes (true) or could not (false)
          boot.snapshotKept = e.data.kept;
          return;
        }
        const { bytes, error, missing, from } = e.data || {};
        boot.snapshotFrom = from || null;
        if (bytes) resolve(new Uint8Array(bytes));
        else if (missing) resolve(null);  // the server has none (a build without it): nothing to retry
        else reject(new Error(error || "no snapshot"));
      };
      worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || "the snapshot worker failed")); };
      worker.postMessage(url);
    });
  }
  async function onPage(why) {  // no worker (e.g. one that could not start): the old way, on this thread
    console.info("Fenced: unzipping the Python snapshot on the page:", String(why));
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    boot.snapshotFrom = "page";
    return bytes;
  }
  let started;
  try { started = inWorker(); } catch (error) { started = Promise.reject(error); }
  return started.catch(onPage).then(
    (bytes) => {
      boot.mark("snapshot-bytes");
      if (!bytes) console.info("Fenced: no Python snapshot, starting Python from scratch.");
      return bytes;
    },
    (error) => {
      console.info("Fenced: no Python snapshot, starting Python from scratch:", String(error));
      return null;
    });
})();

// A kept snapshot that did not restore (pyodide-boot.mjs says so) is removed: the next load unzips again.
window.fencedForgetSnapshot = async () => {
  try {
    const dir = await navigator.storage.getDirectory();
    for await (const name of dir.keys()) if (name.startsWith("snapshot-")) await dir.removeEntry(name);
  } catch (_) {
    // nothing kept, or no origin-private file system
  }
  if (window.fencedBoot) window.fencedBoot.snapshotForgotten = true;
};
