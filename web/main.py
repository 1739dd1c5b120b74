# PyScript entry point: everything lives in the fenced package (installed from the vendored wheel).
from fenced.app.boot import start

await start()  # noqa: F704 - PyScript runs this module with top-level await
