"""The container, Kubernetes and systemd recipes agree with each other and with `fenced runner`'s parser.

The Kubernetes manifests are validated against the Kubernetes schemas offline (kubernetes-validate ships
them); the systemd unit with `systemd-analyze verify` where systemd is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from fenced import __version__
from fenced.cli import build_parser
from fenced.runner.health import HEALTH_PATH
from tests.deploy.recipes import (
    CONTAINERFILE,
    KUBERNETES,
    UNIT,
    after,
    containerfile,
    documented_command,
    env_of,
    exec_form,
    single,
    unit,
)

ROOT = Path(__file__).resolve().parents[2]
IMAGE = f"fenced-runner:{__version__}"
APP_ORIGIN = "https://fenced.example.com"
PROXIED_NAMES = ["fenced.example.com", "runner.example.com"]


def runner_args(args: list[str]) -> argparse.Namespace:
    """Parse `fenced runner ARGS` with the real parser; an unknown or malformed flag fails the test."""
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            return build_parser().parse_args(["runner", *args])
    except SystemExit:
        pytest.fail(f"`fenced runner {' '.join(args)}` is refused: {stderr.getvalue()}")


# --- the container image ---------------------------------------------------------------------------


def test_containerfile_runs_the_runner_as_a_non_root_user_from_the_venv() -> None:
    instructions = containerfile()
    entrypoint, cmd = exec_form(instructions, "ENTRYPOINT"), exec_form(instructions, "CMD")
    assert entrypoint == ["/opt/fenced/bin/fenced", "runner"]
    runs = " ".join(args for word, args in instructions if word == "RUN")
    assert "python -m venv /opt/fenced" in runs and "/opt/fenced/bin/pip install" in runs
    assert "fenced-*.whl" in runs  # the project's wheel, not a registry's
    assert "bash" in runs and "coreutils" in runs
    assert single(instructions, "USER") == "10001:10001"  # numeric: runAsNonRoot can check it
    assert "useradd --uid 10001" in runs
    env = env_of(instructions)
    assert env["HOME"] == single(instructions, "WORKDIR") == "/work"
    args = runner_args(cmd)
    assert (args.host, args.port, args.token, args.token_file) == ("0.0.0.0", 8765, None, None)
    assert single(instructions, "EXPOSE") == str(args.port)


def test_the_documented_container_commands_parse() -> None:
    text = CONTAINERFILE.read_text()
    build = documented_command(text, "podman build")
    assert build[build.index("-t") + 1] == IMAGE
    run = documented_command(text, "podman run")
    args = runner_args(after(run, [IMAGE]))
    assert args.host == "0.0.0.0" and args.allow_origin == [APP_ORIGIN] and args.allow_host == PROXIED_NAMES
    assert "127.0.0.1:8765:8765" in run  # published on loopback only, for the TLS proxy
    assert "--read-only" in run and "target=FENCED_RUNNER_TOKEN" in " ".join(run)


# --- Kubernetes ------------------------------------------------------------------------------------


def manifests() -> dict[str, dict[str, Any]]:
    """kind -> the manifest (one resource per file)."""
    found = {}
    for path in sorted(KUBERNETES.glob("*.yaml")):
        docs = list(YAML(typ="safe").load_all(path.read_text()))
        assert len(docs) == 1, path
        found[docs[0]["kind"]] = docs[0]
    return found


def test_manifests_validate_against_the_kubernetes_schemas_offline() -> None:
    import kubernetes_validate

    kinds = manifests()
    assert set(kinds) == {"Deployment", "Service", "Secret", "NetworkPolicy", "Ingress"}
    for resource in kinds.values():
        kubernetes_validate.validate(resource, kubernetes_validate.latest_version(), strict=True)


def test_manifests_agree_with_the_image_the_parser_and_each_other() -> None:
    m = manifests()
    deployment, service, policy, secret, ingress = (
        m["Deployment"],
        m["Service"],
        m["NetworkPolicy"],
        m["Secret"],
        m["Ingress"],
    )
    pod = deployment["spec"]["template"]
    [container] = pod["spec"]["containers"]
    assert container["image"] == IMAGE and "command" not in container  # the image's ENTRYPOINT runs
    args = runner_args(container["args"])
    assert args.host == "0.0.0.0" and args.allow_origin == [APP_ORIGIN] and args.allow_host == PROXIED_NAMES
    [port] = container["ports"]
    assert port["containerPort"] == args.port == int(single(containerfile(), "EXPOSE"))
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == HEALTH_PATH and get["port"] == port["name"]
    # security: non-root as the image's user, no escalation, read-only root, writable work and /tmp
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True
    assert f"{security['runAsUser']}:{security['runAsGroup']}" == single(containerfile(), "USER")
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {v["name"]: v["mountPath"] for v in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert mounts["work"] == single(containerfile(), "WORKDIR") and "emptyDir" in volumes["work"]
    assert mounts["tmp"] == "/tmp" and "emptyDir" in volumes["tmp"]
    # the token: the Secret, mounted as a file, is what --token-file reads
    token_volume = volumes["token"]["secret"]
    assert token_volume["secretName"] == secret["metadata"]["name"]
    assert str(args.token_file) == f"{mounts['token']}/{next(iter(secret['stringData']))}"
    # Service and NetworkPolicy select these pods on this port; the Ingress goes to the Service
    labels = pod["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    [rule] = policy["spec"]["ingress"]
    assert [p["port"] for p in rule["ports"]] == [args.port] and rule["from"]  # only from the proxy
    [service_port] = service["spec"]["ports"]
    assert service_port["targetPort"] == port["name"] and service_port["port"] == args.port
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"name": service_port["name"]}}
    assert ingress["spec"]["rules"][0]["host"] in args.allow_host
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"


def test_the_kubectl_debug_recipe_runs_the_same_image_and_parses() -> None:
    command = documented_command((KUBERNETES / "README.md").read_text(), "kubectl debug")
    assert f"--image={IMAGE}" in command and any(w.startswith("--target=") for w in command)
    entrypoint = exec_form(containerfile(), "ENTRYPOINT")
    args = runner_args(after(command, ["--", *entrypoint]))
    assert args.host == "127.0.0.1" and args.allow_origin == [APP_ORIGIN]  # the pod's loopback only


# --- systemd ---------------------------------------------------------------------------------------


def exec_start() -> list[str]:
    [line] = unit()["Service"]["ExecStart"]
    return line.split()


def test_the_unit_runs_the_runner_on_loopback_with_the_credential_as_token() -> None:
    service = unit()["Service"]
    words = exec_start()
    assert words[:2] == ["/opt/fenced/bin/fenced", "runner"]  # the same venv as the image
    [credential] = service["LoadCredential"]
    name, _, source = credential.partition(":")
    args = runner_args(words[2:])
    assert args.host == "127.0.0.1" and args.allow_origin == [APP_ORIGIN] and args.allow_host == PROXIED_NAMES
    assert str(args.token_file) == f"${{CREDENTIALS_DIRECTORY}}/{name}" and source == "/etc/fenced/token"
    assert service["User"] == ["fenced"] or service.get("DynamicUser") == ["yes"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "KillMode": "mixed",
    }.items():
        assert service[key] == [value], key
    assert service["ExecReload"] == ["/bin/kill -HUP $MAINPID"]  # tokens file and audit log


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (checked where it is)")
    # verify checks that ExecStart's program exists: point it at this checkout's `fenced`.
    fenced = Path(sys.executable).with_name("fenced")
    text = UNIT.read_text().replace("/opt/fenced/bin/fenced", str(fenced))
    target = tmp_path / UNIT.name
    target.write_text(text)
    result = subprocess.run([analyze, "verify", str(target)], capture_output=True, text=True, check=False)
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if UNIT.name in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr
    security = subprocess.run(
        [analyze, "security", "--offline=yes", str(target)], capture_output=True, text=True, check=False
    )
    score = float(security.stdout.rsplit("Overall exposure level for", 1)[1].split(":")[1].split()[0])
    assert score <= 4.0, security.stdout  # "OK" in systemd's words; 9.6 is an unhardened service


def test_readme_tells_how_to_deploy_a_runner() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploy a runner", 1)[1].split("\n## ", 1)[0]
    for recipe in (
        "deploy/nginx/fenced.conf",
        "deploy/caddy/Caddyfile",
        "deploy/container/Containerfile",
        "deploy/kubernetes/",
        "deploy/systemd/fenced-runner.service",
    ):
        assert recipe in section, recipe
    for flag in ("--allow-origin", "--allow-host", "--tokens-file", "--audit-log"):
        assert flag in section, flag
