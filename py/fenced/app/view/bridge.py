"""Loading the editor bundle (CodeMirror + the view's JS half, web/editor/index.js).

The bundle is ~650 kB and takes 20-80 ms of main-thread time to evaluate, so it is not part of boot: its
import starts when the view is created (late in boot, once Python is up), so it downloads while boot
finishes and is evaluated just after the shell is interactive; a document dropped then does not wait for
it. `show` awaits the same import. (Calls between Python and JS in general: `fenced.app.jsffi`.)
"""

from __future__ import annotations

from fenced.app.jsbundle import JsBundle

BUNDLE = "./vendor/editor/editor.js"

_bundle = JsBundle(BUNDLE)
start_loading = _bundle.start_loading  # start importing the bundle (once); an awaitable for the module
load = _bundle.load  # the bundle's module (awaits the same import)
