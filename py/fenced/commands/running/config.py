"""Which runner `fenced run` talks to, and with which token: flags, profiles, the environment.

Each of the runner URL and the token is taken from the first of:

1. the flags ``--runner``, ``--token``, ``--token-file``;
2. the profile named by ``--profile NAME`` or ``$FENCED_PROFILE``;
3. the environment: ``$FENCED_RUNNER_URL``, ``$FENCED_RUNNER_TOKEN``, ``$FENCED_RUNNER_TOKEN_FILE``
   (the same variables ``fenced runner`` and ``fenced serve`` use; ``$FENCED_RUNNER``, ``$FENCED_TOKEN``
   and ``$FENCED_TOKEN_FILE`` are accepted as shorter spellings);
4. the config file's default profile (``profile = "NAME"``) and its top-level keys;
5. ``http://127.0.0.1:8765`` and no token.

The config file is ``--config FILE``, else ``$FENCED_CONFIG``, else ``$XDG_CONFIG_HOME/fenced/config.toml``
(``~/.config/fenced/config.toml``)::

    profile = "local"                  # the default profile (optional)

    [profiles.local]
    runner = "http://127.0.0.1:8765"
    token_file = "~/.config/fenced/local.token"

    [profiles.staging]
    runner = "https://runner.staging.example.com"
    token_env = "STAGING_RUNNER_TOKEN"  # the token is in this environment variable

Top-level ``runner``/``token_file``/``token_env``/``token`` apply to every profile that does not set
them. A token file holds the token alone (surrounding whitespace ignored); a relative path is relative
to the config file. The token is never printed: messages name where it came from.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CliError

DEFAULT_RUNNER = "http://127.0.0.1:8765"
URL_ENV = ("FENCED_RUNNER_URL", "FENCED_RUNNER")
TOKEN_ENV = ("FENCED_RUNNER_TOKEN", "FENCED_TOKEN")
TOKEN_FILE_ENV = ("FENCED_RUNNER_TOKEN_FILE", "FENCED_TOKEN_FILE")
PROFILE_ENV = "FENCED_PROFILE"
CONFIG_ENV = "FENCED_CONFIG"
_KEYS = frozenset({"runner", "token", "token_file", "token_env"})


class ConfigError(CliError):
    """A config file, profile or token file that cannot be used."""


@dataclass(frozen=True)
class Target:
    """The runner to use; `token` is left out of the repr, the sources say where things came from."""

    url: str
    token: str | None = field(default=None, repr=False)
    url_source: str = "default"
    token_source: str = "none"
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        token = f"token from {self.token_source}" if self.token else "no token"
        return f"runner {self.url} (from {self.url_source}); {token}"


@dataclass(frozen=True)
class _Layer:
    """One place settings can come from, with its name for messages."""

    name: str
    values: Mapping[str, Any]
    base: Path | None = None  # directory that relative token files are relative to


def default_config_path(env: Mapping[str, str]) -> Path:
    home = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(home) / "fenced" / "config.toml"


def load_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None
    _check_keys(data, _KEYS | {"profile", "profiles"}, f"config file {path}")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"config file {path}: 'profiles' must be a table ([profiles.NAME])")
    for name, values in profiles.items():
        if not isinstance(values, dict):
            raise ConfigError(f"config file {path}: profile {name!r} must be a table")
        _check_keys(values, _KEYS, f"config file {path}, profile {name!r}")
    return data


def _check_keys(values: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    for key, value in values.items():
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(allowed))})")
        if key not in ("profiles",) and not isinstance(value, str):
            raise ConfigError(f"{where}: {key!r} must be a string")


def _profile_layer(data: Mapping[str, Any], name: str, path: Path) -> _Layer:
    profiles = data.get("profiles", {})
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(f"no profile {name!r} in {path} (profiles: {known})")
    base = {k: v for k, v in data.items() if k in _KEYS}
    return _Layer(f"profile {name!r} in {path}", {**base, **profiles[name]}, path.parent)


def resolve(
    *,
    runner: str | None = None,
    token: str | None = None,
    token_file: str | None = None,
    profile: str | None = None,
    config: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Target:
    """The runner URL and token by the precedence in the module docstring; raises `ConfigError`."""
    env = os.environ if env is None else env
    explicit_path = config or env.get(CONFIG_ENV)
    path = Path(explicit_path).expanduser() if explicit_path else default_config_path(env)
    data: dict[str, Any] = {}
    if explicit_path or path.is_file():
        data = load_config(path)
    profile = profile or env.get(PROFILE_ENV) or None

    layers: list[_Layer] = [
        _Layer("--runner", {"runner": runner} if runner else {}),
        _Layer("--token", {"token": token} if token else {}),
        _Layer("--token-file", {"token_file": token_file} if token_file else {}),
    ]
    if profile:
        if not data:
            raise ConfigError(f"profile {profile!r} asked for, but there is no config file at {path}")
        layers.append(_profile_layer(data, profile, path))
    layers.extend(_env_layers(env))
    if data:
        default = data.get("profile")
        if default and not profile:
            layers.append(_profile_layer(data, default, path))
        else:
            layers.append(_Layer(f"{path}", {k: v for k, v in data.items() if k in _KEYS}, path.parent))

    url, url_source = DEFAULT_RUNNER, "default"
    for layer in layers:
        if layer.values.get("runner"):
            url, url_source = str(layer.values["runner"]), layer.name
            break
    warnings: list[str] = []
    found: tuple[str, str] | None = None
    for layer in layers:
        found = _token_of(layer, env, warnings)
        if found is not None:
            break
    value, source = found if found is not None else (None, "none")
    return Target(url, value, url_source, source, tuple(warnings))


def _env_layers(env: Mapping[str, str]) -> list[_Layer]:
    out = []
    for name in URL_ENV:
        if env.get(name):
            out.append(_Layer(f"${name}", {"runner": env[name]}))
            break
    for name in TOKEN_ENV:
        if env.get(name):
            out.append(_Layer(f"${name}", {"token": env[name]}))
            break
    for name in TOKEN_FILE_ENV:
        if env.get(name):
            out.append(_Layer(f"${name}", {"token_file": env[name]}))
            break
    return out


def _token_of(layer: _Layer, env: Mapping[str, str], warnings: list[str]) -> tuple[str, str] | None:
    """(token, where it came from) if this layer sets one."""
    values = layer.values
    if values.get("token"):
        return str(values["token"]), layer.name
    if values.get("token_env"):
        name = str(values["token_env"])
        if not env.get(name):
            raise ConfigError(f"{layer.name}: token_env names ${name}, which is not set")
        return env[name], f"${name} ({layer.name})"
    if values.get("token_file"):
        path = Path(str(values["token_file"])).expanduser()
        if not path.is_absolute() and layer.base is not None:
            path = layer.base / path
        return read_token_file(path, warnings), f"file {path}"
    return None


def read_token_file(path: Path, warnings: list[str]) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"token file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"token file {path}: not UTF-8 text") from None
    if not text:
        raise ConfigError(f"token file {path} is empty")
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(f"token file {path} is readable by other users (chmod 600 {path})")
    return text
