"""The proxy harness itself: a port another process took is noticed, not mistaken for the proxy.

`free_port` probes a port that is free now; anything binding port 0 afterwards (the test's own runner
included) can get it before nginx or Caddy binds it. Connecting to the port then reaches that process,
and the tests read its answers as the proxy's (CI saw a TLS handshake answered in plain HTTP, an empty
body for an RPC, a stream cut short).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.deploy.conftest import start_stack
from tests.deploy.proxies import PROXIES, PortTaken, family


@pytest.mark.parametrize("kind", sorted(PROXIES))
def test_a_port_taken_before_the_proxy_binds_it_is_noticed(
    kind: str, built_app: Path, tmp_path: Path
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(PortTaken):
            PROXIES[kind](tmp_path, built_app, 9, https_port=port)


@pytest.mark.parametrize("kind", sorted(PROXIES))
def test_the_stack_listens_itself_on_the_port_it_reports(kind: str, built_app: Path, tmp_path: Path) -> None:
    import psutil

    runner, proxy = start_stack(kind, built_app, tmp_path, "--quiet")
    with runner, proxy:
        assert proxy.proc is not None
        owners = {
            c.pid
            for c in psutil.net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == proxy.site.https_port
        }
        assert owners and owners <= family(proxy.proc.pid)
