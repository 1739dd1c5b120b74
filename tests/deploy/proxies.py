"""The shipped reverse-proxy recipes (deploy/nginx, deploy/caddy), started for real on loopback.

`render_nginx`/`render_caddy` take the very files from deploy/ and substitute the site's values (names,
ports, paths, certificate, read timeout) for the literals they ship with; every literal must be there, so
a changed recipe fails here instead of being tested in a stale copy. `Nginx`/`Caddy` run the result on
ephemeral loopback ports with a self-signed certificate from `make_cert`. Used by tests/deploy and
bench/wan.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_NAME = "fenced.test"  # the browser maps *.fenced.test to 127.0.0.1 (--host-resolver-rules)
RUNNER_NAME = "runner.fenced.test"
HOST_RULES = f"MAP {APP_NAME} 127.0.0.1, MAP {RUNNER_NAME} 127.0.0.1"


class ProxyMissing(Exception):
    """nginx or caddy is not installed: the test fails (./dev test installs them)."""


def find(program: str, *candidates: str) -> str:
    path = shutil.which(program) or next((c for c in candidates if Path(c).exists()), None)
    if path is None:
        raise ProxyMissing(
            f"{program} is not installed: the proxy tests need Debian's '{program}' package "
            f"(./dev test installs it when run as root; otherwise: sudo apt-get install {program})"
        )
    return path


def free_port() -> int:
    """A loopback port nothing listens on right now (nginx and caddy cannot bind port 0 and say which)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(RuntimeError):
    """The port another process took between `free_port` and the proxy's bind: try another one."""


def wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 20) -> None:
    """Wait until `proc` itself listens on `port`. A free port can be taken between the probe and the
    bind (by any process binding port 0, the test's runner included): a connection alone would then reach
    that process, not the proxy, so the listening socket's owner is checked."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            taken = _listening_elsewhere(port, proc.pid)
            error = PortTaken if taken else RuntimeError
            raise error(f"{proc.args[0]} exited with {proc.returncode}:\n{_tail(log)}")
        if _listens(proc.pid, port):
            return
        time.sleep(0.05)
    if _listening_elsewhere(port, proc.pid):
        raise PortTaken(f"port {port} was taken by another process before {proc.args[0]} could bind it")
    raise RuntimeError(f"{proc.args[0]} is not listening on {port} after {timeout}s:\n{_tail(log)}")


def _listens(pid: int, port: int) -> bool:
    """Whether process `pid` (nginx: its master) holds a listening socket on `port`."""
    try:
        sockets = psutil.Process(pid).net_connections(kind="tcp")
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in sockets)


def family(pid: int) -> set[int]:
    """`pid` and its descendants (nginx's workers share the master's listening sockets)."""
    try:
        return {pid} | {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return {pid}


def _listening_elsewhere(port: int, pid: int) -> bool:
    ours = family(pid)
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid not in ours
        for c in psutil.net_connections(kind="tcp")
    )


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate (and key) for the test names and 127.0.0.1, valid for a day."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    openssl = find("openssl")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={APP_NAME}",
            "-addext",
            f"subjectAltName=DNS:{APP_NAME},DNS:{RUNNER_NAME},IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass(frozen=True)
class Site:
    """What a test changes in a shipped recipe."""

    dist: Path
    runner_port: int
    https_port: int
    http_port: int
    cert: Path
    key: Path
    read_timeout: str = "1h"  # the proxy's read timeout toward the runner

    @property
    def app_url(self) -> str:
        return f"https://{APP_NAME}:{self.https_port}/"

    @property
    def app_origin(self) -> str:
        return f"https://{APP_NAME}:{self.https_port}"

    @property
    def prefix_runner_url(self) -> str:
        """The runner under a path prefix on the app's own origin."""
        return f"https://{APP_NAME}:{self.https_port}/runner/"

    @property
    def separate_runner_url(self) -> str:
        """The runner on an origin of its own."""
        return f"https://{RUNNER_NAME}:{self.https_port}/"


def substitute(text: str, replacements: dict[str, str], source: str) -> str:
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"{source} no longer contains {old!r}: update tests/deploy/proxies.py")
        text = text.replace(old, new)
    return text


def render_nginx(site: Site) -> str:
    """deploy/nginx/fenced.conf for `site` (IPv4 loopback only: the IPv6 listens are dropped)."""
    source = DEPLOY / "nginx" / "fenced.conf"
    return substitute(
        source.read_text(),
        {
            "fenced.example.com": APP_NAME,
            "runner.example.com": RUNNER_NAME,
            "/srv/fenced/dist": str(site.dist),
            "/etc/ssl/fenced/fullchain.pem": str(site.cert),
            "/etc/ssl/fenced/privkey.pem": str(site.key),
            "127.0.0.1:8765": f"127.0.0.1:{site.runner_port}",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{site.https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{site.http_port};",
            "listen [::]:80;": "",
            "proxy_read_timeout 1h;": f"proxy_read_timeout {site.read_timeout};",
        },
        str(source),
    )


def render_caddy(site: Site) -> str:
    """deploy/caddy/Caddyfile for `site` (loopback only, no admin endpoint)."""
    source = DEPLOY / "caddy" / "Caddyfile"
    return substitute(
        source.read_text(),
        {
            "fenced.example.com": APP_NAME,
            "runner.example.com": RUNNER_NAME,
            "/srv/fenced/dist": str(site.dist),
            "/etc/caddy/fenced/fullchain.pem": str(site.cert),
            "/etc/caddy/fenced/privkey.pem": str(site.key),
            "127.0.0.1:8765": f"127.0.0.1:{site.runner_port}",
            "http_port 80": f"http_port {site.http_port}",
            "https_port 443": f"https_port {site.https_port}",
            "admin localhost:2019": "admin off\n\tdefault_bind 127.0.0.1",
            "read_timeout 1h": f"read_timeout {site.read_timeout}",
        },
        str(source),
    )


# Stands in for Debian's /etc/nginx/nginx.conf: its mime.types (which lacks .mjs) and the site file.
NGINX_MAIN = """\
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
{user}
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/fenced.conf;
}}
"""


class ReverseProxy:
    """A proxy process on loopback; a context manager that stops it (and only it)."""

    name = ""

    def __init__(
        self,
        tmp: Path,
        dist: Path,
        runner_port: int,
        *,
        https_port: int | None = None,
        read_timeout: str = "1h",
    ) -> None:
        """`https_port`: the port the app's origin will have (e.g. already in the runner's
        --allow-origin); by default a free one."""
        self.tmp = tmp
        self.tmp.mkdir(parents=True, exist_ok=True)
        cert, key = make_cert(tmp)
        self.proc: subprocess.Popen[bytes] | None = None
        for attempt in range(3):  # a free port can be taken between the probe and the bind
            port = https_port or free_port()
            self.site = Site(dist, runner_port, port, free_port(), cert, key, read_timeout)
            try:
                self._start()
                return
            except RuntimeError as exc:
                self.stop()
                if attempt == 2 or (https_port is not None and isinstance(exc, PortTaken)):
                    raise  # a given port is the caller's to change (start_stack: with the runner's origin)

    def _start(self) -> None:
        raise NotImplementedError

    @property
    def log(self) -> Path:
        return self.tmp / f"{self.name}.log"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> ReverseProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Nginx(ReverseProxy):
    name = "nginx"

    def _start(self) -> None:
        nginx = find("nginx", "/usr/sbin/nginx")
        if not Path("/etc/nginx/mime.types").exists():
            raise ProxyMissing("nginx's /etc/nginx/mime.types is missing (Debian's nginx package ships it)")
        (self.tmp / "fenced.conf").write_text(render_nginx(self.site))
        user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private files
        (self.tmp / "nginx.conf").write_text(NGINX_MAIN.format(tmp=self.tmp, user=user))
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf"), "-e", str(self.log)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode:
            raise AssertionError(f"nginx -t refused the config:\n{check.stderr}\n{_tail(self.log)}")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [nginx, "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf"), "-e", str(self.log)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_listening(self.site.https_port, self.proc, self.log)


class Caddy(ReverseProxy):
    name = "caddy"

    def _start(self) -> None:
        caddy = find("caddy", "/usr/bin/caddy")
        config = self.tmp / "Caddyfile"
        config.write_text(render_caddy(self.site))
        home = self.tmp / "home"
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
        }
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        wait_listening(self.site.https_port, self.proc, self.log)


PROXIES: dict[str, type[ReverseProxy]] = {"nginx": Nginx, "caddy": Caddy}
