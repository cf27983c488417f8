#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, builds, and runs every test suite, the OpenAPI
# conformance check, the console's browser test and a short run of every fuzzer.
# Kafka tests run against librdkafka's in-process mock cluster; no broker needs to be started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-tools

echo "== format check (swift format lint, config .swift-format)"
swift format lint --strict --recursive Package.swift Sources Tests

echo "== build"
swift build --build-tests

# The fuzzers need a second build of everything with -sanitize=fuzzer,address (10-15 minutes on 2 idle cores,
# longer on shared ones). It runs at the lowest CPU priority while the tests run, which mostly wait on timers and
# sockets, and the fuzzers run once both are done. Its log: .build-fuzz/fuzz-build.log.
echo "== fuzz build (sanitized, in the background at nice 19 while the tests run)"
nice -n 19 scripts/fuzz.sh build >/dev/null 2>&1 &
fuzz_build=$!

echo "== tests"
# One test at a time: the suites start many in-process Kafka clusters and HTTP servers, and a 2-core machine
# running them all at once starves the timing-bound tests (consumer-group rebalances, timeouts).
# One target per run, each bounded to 600 s, so a hang fails CI with the target's name instead of holding it
# until the job limit.
status=0
for target in RenkeiContractsTests RenkeiCodecTests RenkeiKafkaTests RenkeiStorageTests RenkeiBusTests RenkeiCLITests RenkeiGatewayTests; do
    echo "== $target"
    set +e
    timeout 600 swift test --skip-build --no-parallel --filter "$target" "$@"
    code=$?
    set -e
    [ "$code" -eq 124 ] && echo "!! $target did not finish within 600 s" >&2
    [ "$code" -eq 0 ] || status=1
done

# A check by a Python script (test tooling) against the built renkei: exit 3 means its tools are missing, a skip
# outside CI and a failure under CI; any other exit but 0 fails the run.
python_check() {
    local name=$1 tools=$2 script=$3
    set +e
    timeout 600 python3 "$script" --binary "$(swift build --show-bin-path)/renkei"
    local code=$?
    set -e
    if [ "$code" -eq 3 ] && [ -z "${CI:-}" ]; then
        echo "!! $tools is not installed: $name was skipped" >&2
    elif [ "$code" -ne 0 ]; then
        [ "$code" -eq 124 ] && echo "!! $name did not finish within 600 s" >&2
        status=1
    fi
    return 0
}

echo "== OpenAPI conformance (schemathesis against a real renkei serve)"
python_check "the OpenAPI check" "schemathesis" scripts/check-openapi.py

echo "== operator console in headless Chromium (Playwright against a real renkei serve)"
python_check "the console's browser test" "Playwright or Chromium" scripts/check-console.py

# The alert rules parse and fire as their unit tests expect (promtool, from Debian's `prometheus` package). The
# Swift suite already checks that every metric they use is documented and served.
echo "== Prometheus alert rules (promtool)"
if command -v promtool >/dev/null; then
    promtool check rules docs/prometheus/renkei-alerts.yaml || status=1
    (cd docs/prometheus && promtool test rules renkei-alerts.test.yaml) || status=1
elif [ -n "${CI:-}" ]; then
    echo "!! promtool is not installed (scripts/setup.sh --with-test-tools installs it)" >&2
    status=1
else
    echo "!! promtool is not installed: the alert rule tests were skipped (scripts/setup.sh --with-test-tools)" >&2
fi

# Every libFuzzer target briefly, from its committed seeds in a throwaway folder: 6 targets x 15 s. A crash, a
# hang or a broken invariant fails the run. Longer runs: scripts/fuzz.sh TARGET SECONDS (docs/reliability.md).
echo "== fuzz (6 targets x 15 s)"
if ! wait "$fuzz_build"; then
    echo "!! the fuzzers did not build; the log ends:" >&2
    grep -v 'Cannot export local symbol' .build-fuzz/fuzz-build.log | tail -40 >&2 || true
    status=1
else
    fuzz_work=$(mktemp -d)
    RENKEI_FUZZ_SKIP_BUILD=1 RENKEI_FUZZ_WORK=$fuzz_work timeout 600 scripts/fuzz.sh all 15 || status=1
    rm -rf "$fuzz_work"
fi
exit $status
