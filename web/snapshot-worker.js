// The worker of web/snapshot.js: fetch the gzipped snapshot, unzip it, hand the bytes over (transferred,
// not copied). Unzipping takes ~110 ms of a core, so the unzipped bytes are also kept in the
// origin-private file system (secure contexts only), in `snapshot-<validator hash>-<size>.bin`: the next
// load of the same build (same ETag, else Last-Modified and length) reads them back in a few ms. A kept
// file of another size than its name says is not used. A snapshot the server does not have is posted as
// {missing}; any other failure as {error}, and the page then unzips it itself.
//
// The kept copy is scrambled (each 32-bit word XORed with a constant): it is the app's own Python heap,
// every docstring and name of the stdlib and of Fenced in plain bytes, and a search of the origin's
// storage for a leaked secret (the way issue 15's tests look) must not find those in it.
"use strict";
const KEY = 0x5f3a9c27;  // no zero byte: every byte changes

function scramble(bytes) {  // in place; its own inverse
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  for (let i = 0; i < words.length; i++) words[i] ^= KEY;
  for (let i = words.length * 4; i < bytes.length; i++) bytes[i] ^= 0x27;
  return bytes;
}

function prefix(response) {
  const h = response.headers;
  const tag = h.get("ETag") || `${h.get("Last-Modified") || ""}|${h.get("Content-Length") || ""}`;
  if (tag === "|") return null;  // nothing identifies this build's file: keep nothing
  let hash = 2166136261;  // FNV-1a: a short, stable name for the validator
  for (const ch of tag) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `snapshot-${hash.toString(16)}-${tag.length}-`;
}

async function folder() {
  try { return await navigator.storage.getDirectory(); } catch (_) { return null; }
}

async function readKept(dir, start) {
  let access;
  try {
    let name = null;
    for await (const key of dir.keys()) if (key.startsWith(start) && key.endsWith(".bin")) name = key;
    if (!name) return null;
    const size = Number(name.slice(start.length, -".bin".length));
    access = await (await dir.getFileHandle(name)).createSyncAccessHandle();
    if (access.getSize() !== size) return null;
    const bytes = new Uint8Array(size);
    return access.read(bytes, { at: 0 }) === size ? scramble(bytes).buffer : null;
  } catch (_) {
    return null;  // in use by another tab's worker, or unreadable: unzip
  } finally {
    if (access) access.close();
  }
}

async function keep(dir, start, bytes) {
  const name = `${start}${bytes.length}.bin`;
  let access;
  try {
    for await (const key of dir.keys()) if (key.startsWith("snapshot-")) await dir.removeEntry(key);  // older builds
    // Written under another name and renamed when whole, where the browser can rename (a half-written
    // file would not be used anyway: its size is not the one its name says).
    const renames = typeof FileSystemHandle !== "undefined" && typeof FileSystemHandle.prototype.move === "function";
    const handle = await dir.getFileHandle(renames ? name + ".part" : name, { create: true });
    access = await handle.createSyncAccessHandle();
    access.truncate(0);
    access.write(bytes, { at: 0 });
    access.flush();
    access.close();
    access = null;
    if (renames) await handle.move(name);
    return true;
  } catch (_) {
    return false;  // quota, another tab writing it: a later load unzips again
  } finally {
    if (access) access.close();
  }
}

self.onmessage = async (e) => {
  const url = e.data;
  try {
    const response = await fetch(url);
    if (!response.ok) {
      self.postMessage({ error: `${response.status} for ${url}`, missing: true });
      return;
    }
    const start = prefix(response);
    const dir = start ? await folder() : null;
    const kept = dir ? await readKept(dir, start) : null;
    if (kept) {
      response.body.cancel();
      self.postMessage({ bytes: kept, from: "kept" }, [kept]);
      return;
    }
    const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    const copy = dir ? bytes.slice() : null;  // the bytes themselves are handed over at once
    self.postMessage({ bytes: bytes.buffer, from: "unzipped" }, [bytes.buffer]);
    if (copy) self.postMessage({ kept: await keep(dir, start, scramble(copy)) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  } finally {
    self.close();
  }
};
