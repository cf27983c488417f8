#!/usr/bin/env python3
"""Checks the gateway against docs/openapi.yaml with schemathesis (test tooling only, from PyPI).

Starts a real `renkei serve --demo` (embedded cluster, a free port, a throw-away data directory) from the built
binary, gets an access token for a provider system and one for an operator through POST /oauth/token
(client_secret_basic with the demo secrets), and runs schemathesis against the document: the operations tagged
`operations` with the operator's token, the token endpoints with the provider's Basic credentials, every other
operation with the provider's token. Every check schemathesis has that applies without links between operations
runs: no server error, statuses, content types, headers and bodies as documented, schema-violating requests
refused, undeclared methods answered 405 with `Allow`. `PUT /operations/maintenance` runs last, on its own, so
that maintenance mode does not turn the other operations' answers into 503s.

Usage: check-openapi.py [--binary PATH] [--examples N] [--seed N]
Exit 0 when schemathesis finds no failure, 1 when it finds any (or the server does not start), 3 when schemathesis
is not installed (scripts/setup.sh --with-test-tools).
"""
import argparse
import base64
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "openapi.yaml"
# (client id, system id or operator name): a provider of `resident-change` and the demo operator.
PROVIDER = ("sys-001", "001")
OPERATOR = ("ops", "ops")


def demo_secret(owner):
    """The demo client secret of a system (by its id, lowercased) or an operator (by its client id)."""
    return f"renkei-demo-client-secret-for-{owner.lower()}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url, data=None, headers=None, timeout=10):
    """(status, body) of one request; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=timeout) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def basic(client):
    client_id, owner = client
    return "Basic " + base64.b64encode(f"{client_id}:{demo_secret(owner)}".encode()).decode()


def token(base, client):
    status, body = request(
        f"{base}/oauth/token", data=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic(client)})
    if status != 200:
        raise SystemExit(f"check-openapi: no token for {client[0]}: {status} {body[:300]!r}")
    return json.loads(body)["access_token"]


def wait_until_ready(base, server, log, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"check-openapi: renkei serve exited with {server.returncode}:\n{tail(log)}")
        try:
            if request(f"{base}/health/ready", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"check-openapi: renkei serve was not ready within {seconds} s:\n{tail(log)}")


def tail(path, lines=40):
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


def configuration(provider_token, operator_token, examples, seed):
    """schemathesis.toml: who calls which operation, and the bounds of the run."""
    def headers(value):
        return "{ Authorization = " + json.dumps(value) + " }"
    return f"""
seed = {seed}
headers = {headers("Bearer " + provider_token)}
# The tokens are short-lived and the answers carry nothing secret; keep the failures readable.
output.sanitization.enabled = false

[generation]
max-examples = {examples}
# The layouts' fields are Japanese text; generate any Unicode.
codec = "utf-8"

[phases.stateful]
enabled = false

[[operations]]
include-tag = "operations"
headers = {headers("Bearer " + operator_token)}

[[operations]]
include-path-regex = "^/oauth/"
headers = {headers(basic(PROVIDER))}

[[operations]]
# A long poll answers after `wait` seconds when nothing comes: keep the run short.
include-name = "GET /linkages/{{linkage}}/feed"
parameters = {{ wait = 0 }}
"""


def schemathesis(config, base, *selection):
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(DOCUMENT), "--url", base, "--checks", "all",
        "--exclude-checks", "use_after_free,ensure_resource_availability,object_level_authorization",
        "--request-timeout", "30", "--workers", "2", "--no-color", *selection,
    ]
    print("$ st " + " ".join(command[3:4] + ["schemathesis.toml"] + command[5:]), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", help="renkei executable (default: the debug build)")
    parser.add_argument("--examples", type=int, default=25, help="most test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()
    if importlib.util.find_spec("schemathesis") is None:
        print("check-openapi: schemathesis is not installed (scripts/setup.sh --with-test-tools)", file=sys.stderr)
        return 3
    binary = str(Path(arguments.binary).resolve()) if arguments.binary else str(ROOT / ".build" / "debug" / "renkei")
    with tempfile.TemporaryDirectory(prefix="renkei-openapi-") as scratch:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(scratch) / "serve.log"
        with open(log, "wb") as output:
            server = subprocess.Popen(
                [binary, "serve", "--demo", "--port", str(port), "--contracts", str(ROOT / "contracts"),
                 "--data-dir", str(Path(scratch) / "data"), "--query-timeout", "2"],
                cwd=scratch, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(base, server, log)
            config = Path(scratch) / "schemathesis.toml"
            config.write_text(configuration(token(base, PROVIDER), token(base, OPERATOR), arguments.examples,
                                            arguments.seed))
            started = time.monotonic()
            status = schemathesis(config, base, "--exclude-name", "PUT /operations/maintenance")
            status |= schemathesis(config, base, "--include-name", "PUT /operations/maintenance")
            print(f"check-openapi: schemathesis took {time.monotonic() - started:.0f} s", flush=True)
            if server.poll() is not None:
                print(f"check-openapi: renkei serve stopped during the run:\n{tail(log)}", file=sys.stderr)
                return 1
            return 0 if status == 0 else 1
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
