"""The parts of `fenced run` and `fenced list`, one job each.

`book` (read a runbook: one-line file errors, the catalog of its cells), `select` (command-line selection
-> cells), `config` (runner URL and token: flags, profiles, environment), `prompts` (promptEnv values
from --env or the terminal), `terminal` (the local terminal: raw mode, stdin, size, signals), `remote`
(the one place that talks to the runner: session, start, watch, input, stop), `execute` (running the
selected cells), `report` (headers, summary, dry run, listings). `fenced.commands.run`/`list` are the
thin argparse shells over them. The rules shared with the browser live in `fenced.document`.
"""
