"""A throw-away `renkei serve --demo` for the scripts that check a running gateway (test tooling only).

scripts/check-openapi.py and scripts/check-console.py both start the built binary on the embedded cluster, on a free
port, with a throw-away data directory and a copy of the sample contracts whose webhook and query endpoints are a
local peer's, and call it with the demo secrets. The helpers for that live here once.
"""
import base64
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServeFailed(Exception):
    """The server did not start, stopped, or refused what a check needs; the message says which, with the log's tail."""


def demo_secret(owner):
    """The demo client secret of a system (by its id, lowercased) or an operator (by its client id)."""
    return f"renkei-demo-client-secret-for-{owner.lower()}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, data=None, headers=None, timeout=10, method=None):
    """(status, body) of one request; HTTP errors are answers too."""
    try:
        message = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        with urllib.request.urlopen(message, timeout=timeout) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def basic(client):
    """`Authorization: Basic` of a (client id, system id or operator name) pair with its demo secret."""
    client_id, owner = client
    return "Basic " + base64.b64encode(f"{client_id}:{demo_secret(owner)}".encode()).decode()


def token(base, client):
    status, body = request(
        f"{base}/oauth/token", data=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic(client)})
    if status != 200:
        raise ServeFailed(f"no token for {client[0]}: {status} {body[:300]!r}")
    return json.loads(body)["access_token"]


def contracts_calling(peer_port, folder):
    """A copy of the sample contracts whose webhook and query endpoints are the peer's."""
    shutil.copytree(ROOT / "contracts", folder)
    systems = folder / "systems.yaml"
    systems.write_text(re.sub(r"http://127\.0\.0\.1:\d+/", f"http://127.0.0.1:{peer_port}/", systems.read_text()))
    return folder


def tail(path, lines=40):
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


class DemoServe:
    """`renkei serve --demo` in `scratch` calling the peer on `peer_port`; stopped when the `with` block ends."""

    def __init__(self, binary, scratch, peer_port, *arguments):
        self.scratch = Path(scratch)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.scratch / "serve.log"
        contracts = contracts_calling(peer_port, self.scratch / "contracts")
        self.command = [
            binary, "serve", "--demo", "--port", str(self.port), "--contracts", str(contracts),
            "--data-dir", str(self.scratch / "data"), *arguments]
        self.process = None

    def __enter__(self):
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                self.command, cwd=self.scratch, stdout=output, stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *failure):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines=40):
        return tail(self.log, lines)

    def stopped(self):
        """Whether the server has exited (it never should while a check runs)."""
        return self.process.poll() is not None

    def wait_until_ready(self, seconds=180):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stopped():
                raise ServeFailed(f"renkei serve exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if request(f"{self.base}/health/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise ServeFailed(f"renkei serve was not ready within {seconds} s:\n{self.tail()}")
