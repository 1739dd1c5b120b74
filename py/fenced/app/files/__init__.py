"""fenced.app.files: open, save, drafts and the dirty state of the notebook's file.

Split so the decisions can be tested under CPython: `kinds` (is it a Markdown file we can open, decoded
how), `state` (the open document, its draft key, title), `conflict` (did the file change on disk),
`walk` (which folder entries to list). The browser-only modules (`controller`, `ui`, `idb`, `pickers`)
import `js` and run in Pyodide only; nothing in this `__init__` imports them, so the pure modules stay
importable anywhere.
"""
