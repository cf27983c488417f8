#!/usr/bin/env python3
"""Checks the gateway against docs/openapi.yaml with schemathesis (test tooling only, from PyPI).

Starts a real `renkei serve --demo` (embedded cluster, a free port, a throw-away data directory, the sample contracts
with their webhook and query endpoints pointed at a local peer) from the built binary, gets access tokens for a
provider, a receiver, a file receiver and an operator through POST /oauth/token (client_secret_basic with the demo
secrets), waits until queries are answered, and runs schemathesis against the document: operations tagged
`operations` with the operator's token, `receive` ones with a receiver's, the token endpoints with the provider's
Basic credentials, the rest with the provider's token. Every check that needs no links between operations runs: no
server error, statuses, content types, headers and bodies as documented, invalid requests refused, valid ones
accepted (see REFUSED_THOUGH_VALID), undeclared methods answered 405 with `Allow`. `PUT /operations/maintenance`
runs last, on its own, so that maintenance mode does not turn the other operations' answers into 503s.

Usage: check-openapi.py [--binary PATH] [--examples N] [--seed N]
Exit 0 when schemathesis finds no failure, 1 when it finds any (or the server does not start), 3 when schemathesis
is not installed (scripts/setup.sh --with-test-tools).
"""
import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from demo_serve import ROOT, DemoServe, ServeFailed, basic, request, tail, token

DOCUMENT = ROOT / "docs" / "openapi.yaml"
# (client id, system id or operator name): the provider of `resident-change`, a receiver of it that also asks
# `resident-query`, the file receiver of `resident-register-daily`, and the demo operator.
PROVIDER = ("sys-001", "001")
RECEIVER = ("sys-017", "017")
FILE_RECEIVER = ("sys-008", "008")
OPERATOR = ("ops", "ops")


class Peer(BaseHTTPRequestHandler):
    """The systems the bus calls: every webhook push is taken (204), every query answered with no records."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = b"[]" if self.path.endswith("/query") else b""
        self.send_response(200 if answer else 204)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *arguments):
        pass


def wait_until_queries_answered(base, token, log, seconds=120):
    """Readiness is the gateway's; the query-endpoint workers answer once their consumer group has settled, and a
    query asked before then times out (504, as documented). Wait for three answers in a row."""
    deadline = time.monotonic() + seconds
    answered = 0
    while answered < 3:
        if time.monotonic() > deadline:
            raise SystemExit(f"check-openapi: queries were not answered within {seconds} s:\n{tail(log)}")
        status, _ = request(
            f"{base}/linkages/resident-query/query", data=b'{"key": "warm-up"}', timeout=30,
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        answered = answered + 1 if status == 200 else 0
        time.sleep(0.5)


def configuration(tokens, examples, seed):
    """schemathesis.toml: who calls which operation, and the bounds of the run."""
    def headers(value):
        return "{ Authorization = " + json.dumps(value) + " }"
    return f"""
seed = {seed}
headers = {headers("Bearer " + tokens[PROVIDER])}
# The tokens are short-lived and the answers carry nothing secret; keep the failures readable.
output.sanitization.enabled = false
# Nothing of a run is kept in the work tree.
cache.enabled = false

[generation]
max-examples = {examples}
# The same cases on every run with the same seed, so that CI does not pass or fail by chance.
deterministic = true
database = "none"
# The layouts' fields are Japanese text; generate any Unicode.
codec = "utf-8"

[phases.stateful]
enabled = false

[[operations]]
include-tag = "receive"
exclude-path-regex = "/files$"
headers = {headers("Bearer " + tokens[RECEIVER])}

[[operations]]
include-path-regex = "/files$"
headers = {headers("Bearer " + tokens[FILE_RECEIVER])}

[[operations]]
include-tag = "operations"
headers = {headers("Bearer " + tokens[OPERATOR])}

[[operations]]
include-path-regex = "^/oauth/"
headers = {headers(basic(PROVIDER))}

{accepted()}"""


# Requests the document calls valid that are still refused, and why: the document cannot say what a linkage's layout
# makes of a record (the layout's own JSON Schema is `renkei contract schema`), nor which opaque cursors the server
# handed out. For these operations schemathesis's "valid request accepted" check also takes these statuses.
REFUSED_THOUGH_VALID = {
    "POST /linkages/{linkage}/records": [400, 422],  # unreadable as the layout's records; records failing it
    "POST /linkages/{linkage}/transfers": [400, 422],
    "POST /linkages/{linkage}/query": [400],  # a condition on an item the asker does not receive
    "GET /linkages/{linkage}/feed": [400, 410],  # a cursor this feed did not hand out, or one retention passed
    "GET /operations/history": [400],  # a cursor this server did not hand out
}


def accepted():
    blocks = []
    for name, statuses in REFUSED_THOUGH_VALID.items():
        expected = ["2xx", "3xx", 401, 403, 404, 409, 429, "5xx", *statuses]
        block = f"""
[[operations]]
include-name = "{name}"
checks.positive_data_acceptance.expected-statuses = {json.dumps(expected)}
"""
        if name == "GET /linkages/{linkage}/feed":
            # A long poll answers after `wait` seconds when nothing comes: keep the run short.
            block += "parameters = { wait = 0 }\n"
        blocks.append(block)
    return "".join(blocks)


def schemathesis(config, base, *selection):
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(DOCUMENT), "--url", base,
        # The stateful checks need links between operations, which the document does not declare.
        "--checks", "all", "--exclude-checks", "use_after_free,ensure_resource_availability,object_level_authorization",
        "--request-timeout", "30", "--workers", "1", "--no-color", *selection,
    ]
    print("$ st " + " ".join(command[3:4] + ["schemathesis.toml"] + command[5:]), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", help="renkei executable (default: the debug build)")
    parser.add_argument("--examples", type=int, default=100, help="most test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()
    if importlib.util.find_spec("schemathesis") is None:
        print("check-openapi: schemathesis is not installed (scripts/setup.sh --with-test-tools)", file=sys.stderr)
        return 3
    binary = str(Path(arguments.binary).resolve()) if arguments.binary else str(ROOT / ".build" / "debug" / "renkei")
    with tempfile.TemporaryDirectory(prefix="renkei-openapi-") as scratch:
        peer = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
        threading.Thread(target=peer.serve_forever, daemon=True).start()
        try:
            with DemoServe(binary, scratch, peer.server_address[1], "--query-timeout", "2") as server:
                server.wait_until_ready()
                base = server.base
                config = Path(scratch) / "schemathesis.toml"
                tokens = {client: token(base, client) for client in (PROVIDER, RECEIVER, FILE_RECEIVER, OPERATOR)}
                wait_until_queries_answered(base, tokens[RECEIVER], server.log)
                config.write_text(configuration(tokens, arguments.examples, arguments.seed))
                started = time.monotonic()
                status = schemathesis(config, base, "--exclude-name", "PUT /operations/maintenance")
                status |= schemathesis(config, base, "--include-name", "PUT /operations/maintenance")
                print(f"check-openapi: schemathesis took {time.monotonic() - started:.0f} s", flush=True)
                if server.stopped():
                    print(f"check-openapi: renkei serve stopped during the run:\n{server.tail()}", file=sys.stderr)
                    return 1
                return 0 if status == 0 else 1
        except ServeFailed as failure:
            print(f"check-openapi: {failure}", file=sys.stderr)
            return 1
        finally:
            peer.shutdown()

if __name__ == "__main__":
    sys.exit(main())
