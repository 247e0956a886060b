"""production.ini listens where the command line says, and only on this machine by default."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from trainings.server import listen_address

ROOT = Path(__file__).resolve().parents[2]


def test_command_line_port_wins_and_the_host_stays_local():
    assert listen_address({"http_port": "8123"}, {"host": "127.0.0.1", "port": "6543"}) == "127.0.0.1:8123"
    assert listen_address({}, {"host": "127.0.0.1", "port": "6543"}) == "127.0.0.1:6543"
    assert listen_address({}, {}) == "127.0.0.1:6543"
    assert listen_address({"listen": "0.0.0.0:8001", "http_port": "9"}, {}) == "0.0.0.0:8001"
    settings = {"host": "127.0.0.1", "port": "6543", "threads": "8"}
    listen_address({}, settings)
    assert settings == {"threads": "8"}  # waitress is given only what it understands


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_pserve_production_ini_serves_on_the_given_port_of_127_0_0_1(tmp_path):
    port = _free_port()
    environment = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/production.sqlite",
                       CAPACITA_SECRET="p" * 64, CAPACITA_PUBLIC_URL=f"http://127.0.0.1:{port}",
                       PYTHONWARNINGS="ignore")
    pserve = Path(sys.executable).with_name("pserve")
    server = subprocess.Popen([str(pserve), str(ROOT / "production.ini"), f"http_port={port}"], cwd=tmp_path,  # noqa: S603
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status = None
        for _attempt in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app/capacita.css", timeout=2) as response:
                    status = response.status
                break
            except urllib.error.HTTPError as error:
                status = error.code
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert status == 200, server.communicate(timeout=5)[0] if server.poll() is not None else status
        assert _listening_addresses(port) in ({"127.0.0.1"}, None)  # None: no /proc to ask
    finally:
        server.terminate()
        server.communicate(timeout=10)


def _listening_addresses(port: int) -> set[str] | None:
    """The IPv4 addresses listening on `port`, from Linux's socket table."""
    table = Path("/proc/net/tcp")
    if not table.exists():
        return None
    addresses = set()
    for line in table.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, local_port = local.split(":")
        if int(local_port, 16) == port and state == "0A":
            addresses.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return addresses
