"""Fenced: executable Markdown notebooks in the browser."""

__version__ = "0.1.0"
