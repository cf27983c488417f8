#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, builds, and runs every test suite.
# Kafka tests run against librdkafka's in-process mock cluster; no broker needs to be started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-tools

echo "== format check (swift format lint, config .swift-format)"
swift format lint --strict --recursive Package.swift Sources Tests

echo "== build"
swift build --build-tests

echo "== tests"
swift test --skip-build "$@"
