"""fenced.app.files: open, save, drafts and the dirty state of the notebook's file.

Split so the decisions can be tested under CPython: `kinds` (is it a Markdown file we can open, decoded
how), `state` (the open document, its draft key, title, save outcomes), `conflict` (did the file change on
disk), `walk` (which folder entries to list). The browser-only modules import `js` and run in Pyodide
only: `controller` (the composition: opening, drops, keys), `drafts` (dirty state, drafts and their
offers), `saving` (Save, Save as, Download), `folder` (the opened folder, recents, where a saved-as file
went), `ui` (their DOM), `idb` (IndexedDB stores). Nothing in this `__init__` imports them, so the pure
modules stay importable anywhere. This room never imports fenced.app.run; it tells the view which
document it shows with a `DocumentRef` and hears of edits through the view's `changed` event.
"""
