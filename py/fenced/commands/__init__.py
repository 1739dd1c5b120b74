"""Subcommands of the `fenced` CLI: each module has `register(subparsers)` which sets `handler`."""
