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

# Every libFuzzer target briefly, from its committed seeds in a throwaway folder: 6 targets x 15 s, about 2 minutes
# once the sanitized build in .build-fuzz is there (a first build takes 15-35 minutes on 2 shared cores). A crash, a
# hang or a broken invariant fails the run. Longer runs: scripts/fuzz.sh TARGET SECONDS (docs/reliability.md).
echo "== fuzz (6 targets x 15 s, sanitized build cached in .build-fuzz)"
fuzz_work=$(mktemp -d)
RENKEI_FUZZ_WORK=$fuzz_work timeout 1800 scripts/fuzz.sh all 15 || status=1
rm -rf "$fuzz_work"
exit $status
