#!/usr/bin/env bash
# Installs what building and testing Renkei needs on a fresh Debian machine that has the Swift toolchain:
# librdkafka (the Kafka client, with its in-process mock cluster), OpenSSL, SQLite (the history index), pkg-config,
# and for the tests Python 3 with jsonschema (an independent JSON Schema validator), moto[server] (an S3 test
# peer that checks request signatures), asyncapi3, schemathesis, and Playwright driving Debian's Chromium with the
# Noto CJK fonts (scripts/check-console.py); with --with-bench-tools, wrk (the HTTP load generator of bench/wrk/) and
# perf. Installs only what is missing.
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "setup: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

apt_packages=()
pkg-config --exists rdkafka 2>/dev/null || apt_packages+=(librdkafka-dev pkg-config)
[ -f /usr/include/openssl/ssl.h ] || apt_packages+=(libssl-dev)
[ -f /usr/include/sqlite3.h ] || apt_packages+=(libsqlite3-dev)
if [ "${1:-}" = "--with-test-tools" ]; then
    command -v python3 >/dev/null || apt_packages+=(python3 python3-jsonschema)
    # The console's browser test drives Debian's Chromium (Playwright's own browser download is never used); the
    # pages are Japanese, and without a CJK font the screenshots show empty boxes.
    [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 || apt_packages+=(fonts-noto-cjk)
fi
if [ "${1:-}" = "--with-bench-tools" ]; then
    command -v wrk >/dev/null || apt_packages+=(wrk)
    command -v curl >/dev/null || apt_packages+=(curl)
    command -v perf >/dev/null || apt_packages+=(linux-perf)
fi
if [ ${#apt_packages[@]} -gt 0 ]; then
    echo "setup: installing ${apt_packages[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
if [ "${1:-}" = "--with-test-tools" ] && ! python3 -c 'import jsonschema' 2>/dev/null; then
    echo "setup: installing the Python package jsonschema" >&2
    python3 -m pip install --quiet jsonschema 2>/dev/null \
        || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-jsonschema >/dev/null
fi
if [ "${1:-}" = "--with-test-tools" ] && ! python3 -c 'import moto.server' 2>/dev/null; then
    echo "setup: installing the Python package moto[server]" >&2
    timeout 600 python3 -m pip install --quiet 'moto[server]' \
        || echo "setup: could not install moto[server]; the S3 tests (storage, file linkage) will be skipped (or fail under CI)" >&2
fi
# asyncapi3: an independent AsyncAPI 3.0 parser (Pydantic models of the specification and its bindings), which
# scripts/check-asyncapi.py runs on the documents of `renkei contract asyncapi`.
if [ "${1:-}" = "--with-test-tools" ] && ! python3 -c 'import asyncapi3' 2>/dev/null; then
    echo "setup: installing the Python package asyncapi3" >&2
    timeout 300 python3 -m pip install --quiet 'asyncapi3>=0.0.2' \
        || echo "setup: could not install asyncapi3; the AsyncAPI tests will be skipped (or fail under CI)" >&2
fi
# schemathesis: property-based testing of the gateway against docs/openapi.yaml (scripts/check-openapi.py, run by
# scripts/test.sh after the Swift tests).
if [ "${1:-}" = "--with-test-tools" ] && ! python3 -c 'import schemathesis' 2>/dev/null; then
    echo "setup: installing the Python package schemathesis" >&2
    timeout 600 python3 -m pip install --quiet 'schemathesis>=4.1,<5' \
        || echo "setup: could not install schemathesis; the OpenAPI check will be skipped (or fail under CI)" >&2
fi
# Playwright: drives the operator console in headless Chromium (scripts/check-console.py, run by scripts/test.sh).
# Only the Python package: the browser is Debian's /usr/bin/chromium, never `playwright install`.
if [ "${1:-}" = "--with-test-tools" ] && ! python3 -c 'import playwright.sync_api' 2>/dev/null; then
    echo "setup: installing the Python package playwright" >&2
    timeout 600 python3 -m pip install --quiet 'playwright>=1.40,<2' \
        || echo "setup: could not install playwright; the console's browser test will be skipped (or fail under CI)" >&2
fi
# promtool (Debian's `prometheus` package): scripts/test.sh checks the alert rules with it and runs their unit
# tests. The package is the whole Prometheus server; a temporary policy-rc.d keeps it from being started as a
# service while it is installed.
if [ "${1:-}" = "--with-test-tools" ] && ! command -v promtool >/dev/null; then
    echo "setup: installing promtool (Debian's prometheus package, not started)" >&2
    policy=/usr/sbin/policy-rc.d
    own_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && own_policy=1
    fi
    apt-cache show prometheus >/dev/null 2>&1 || as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
        || echo "setup: could not install prometheus; the alert rule tests will be skipped (or fail under CI)" >&2
    [ -n "$own_policy" ] && as_root rm -f "$policy"
fi
