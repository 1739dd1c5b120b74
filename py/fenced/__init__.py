"""Fenced: executable Markdown notebooks in the browser."""


def _installed_version() -> str:
    """pyproject.toml's version, from the installed distribution's metadata (pip wrote it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fenced")
    except PackageNotFoundError:  # py/ put on sys.path by hand, never installed
        return "0+unknown"


try:
    # The browser wheel carries pyproject.toml's version as a constant (build.py writes this module into
    # the wheel only): looking it up in the metadata grows Pyodide's heap past what its snapshot restores.
    from fenced._version import __version__ as __version__
except ImportError:
    __version__ = _installed_version()
