"""fenced.app: the browser UI (Pyodide only). A thin layer: DOM events -> model/client calls -> DOM updates.

`boot.start()` is the PyScript entry point. Nothing here is imported under CPython except by tests that
exercise pure helpers; modules that touch `js`/`pyscript` import them at module level and are only
loaded in the browser.
"""
