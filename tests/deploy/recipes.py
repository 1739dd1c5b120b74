"""Reading the deploy recipes the way their tools do: Containerfile instructions, systemd unit keys, the
commands documented next to them. Pure parsing, for tests/deploy/test_recipes.py and test_container.py."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from tests.deploy.proxies import DEPLOY

CONTAINERFILE = DEPLOY / "container" / "Containerfile"
KUBERNETES = DEPLOY / "kubernetes"
UNIT = DEPLOY / "systemd" / "fenced-runner.service"


def containerfile(path: Path = CONTAINERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; comments dropped, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    return instructions


def exec_form(instructions: list[tuple[str, str]], name: str) -> list[str]:
    """The JSON (exec) form of the last `name` instruction (ENTRYPOINT, CMD); refuses the shell form."""
    values = [args for word, args in instructions if word == name]
    assert values, f"no {name}"
    parsed = json.loads(values[-1])
    assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed), f"{name} is not exec form"
    return parsed


def env_of(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, args in instructions:
        if word == "ENV":
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def single(instructions: list[tuple[str, str]], name: str) -> str:
    values = [args for word, args in instructions if word == name]
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def documented_command(text: str, starts: str) -> list[str]:
    """The shell words of the documented command beginning with `starts` (continuations joined, `#` and
    the text around the command dropped)."""
    lines = [re.sub(r"^#\s?", "", line).rstrip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if line.strip().startswith(starts):
            command = ""
            for part in lines[index:]:
                command += part.rstrip("\\").strip() + " "
                if not part.endswith("\\"):
                    break
            return shlex.split(command)
    raise AssertionError(f"no documented command starting with {starts!r}")


def unit(path: Path = UNIT) -> dict[str, dict[str, list[str]]]:
    """systemd unit file: section -> key -> values (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def after(words: list[str], marker: list[str]) -> list[str]:
    """The words following the first occurrence of the sequence `marker`."""
    for i in range(len(words) - len(marker) + 1):
        if words[i : i + len(marker)] == marker:
            return words[i + len(marker) :]
    raise AssertionError(f"{marker} not in {words}")
