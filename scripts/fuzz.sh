#!/usr/bin/env bash
# Fuzzes one parser (or all of them) with libFuzzer under the address sanitizer:
#   scripts/fuzz.sh TARGET|all SECONDS
#   scripts/fuzz.sh build              (only build every fuzzer)
# TARGET is csv, json, contracts, token, feed-cursor or cloudevents (docs/reliability.md, "Fuzzing").
# Each run starts from a copy of the committed seeds in fuzz/corpus/TARGET/ plus what earlier runs in the same work
# folder found; the repository is never written to. Crashes, hangs and broken invariants are saved as
# WORK/TARGET/crash-* (WORK is $RENKEI_FUZZ_WORK, default .build-fuzz/runs, ignored by git) and fail the script.
# RENKEI_FUZZ_SCRATCH moves the build folder (default .build-fuzz); RENKEI_FUZZ_SKIP_BUILD=1 runs what is built.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

targets="csv json contracts token feed-cursor cloudevents"
usage="usage: scripts/fuzz.sh TARGET|all SECONDS, or scripts/fuzz.sh build   (TARGET: ${targets// /, })"
build_only=
if [ $# -eq 1 ] && [ "$1" = build ]; then
    # Only build every fuzzer (scripts/test.sh does it while the tests run).
    build_only=1
    set -- all 1
fi
[ $# -eq 2 ] || { echo "$usage" >&2; exit 64; }
[[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS must be a positive whole number. $usage" >&2; exit 64; }
seconds=$2
if [ "$1" = all ]; then
    chosen=$targets
elif [[ " $targets " == *" $1 "* ]]; then
    chosen=$1
else
    echo "unknown target '$1'. $usage" >&2
    exit 64
fi

scratch=${RENKEI_FUZZ_SCRATCH:-$root/.build-fuzz}
work=${RENKEI_FUZZ_WORK:-$scratch/runs}

product() {
    case $1 in
        csv) echo FuzzCSV ;;
        json) echo FuzzJSON ;;
        contracts) echo FuzzContracts ;;
        token) echo FuzzToken ;;
        feed-cursor) echo FuzzFeedCursor ;;
        cloudevents) echo FuzzCloudEvents ;;
    esac
}

# Every module, the Renkei targets under test included, is compiled with the fuzzer's coverage instrumentation and
# the address sanitizer; -parse-as-library because libFuzzer, not the Swift file, provides main.
build_flags=(--scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
mkdir -p "$scratch"
if [ -n "${RENKEI_FUZZ_SKIP_BUILD:-}" ]; then
    echo "== fuzz: using the fuzzers already built in $scratch (RENKEI_FUZZ_SKIP_BUILD)"
else
    echo "== fuzz: building $chosen (debug, -sanitize=fuzzer,address) in $scratch"
    only=()
    [ "$chosen" = "$targets" ] || only=(--product "$(product "$chosen")")
    # The linker warns once per sanitizer symbol it cannot export; the log is shown only when the build fails.
    if ! (cd fuzz && swift build "${build_flags[@]}" "${only[@]}") >"$scratch/fuzz-build.log" 2>&1; then
        grep -v 'Cannot export local symbol' "$scratch/fuzz-build.log" | tail -40 >&2
        echo "!! the fuzzers did not build (full log: $scratch/fuzz-build.log)" >&2
        exit 1
    fi
fi
[ -z "$build_only" ] || exit 0
bin=$scratch/debug
# The Swift runtime's crash backtracer would race the sanitizer's report for the same signal.
export SWIFT_BACKTRACE=enable=no
# Leaks outside Renkei's code that the leak checker must not report (each explained in the file).
export LSAN_OPTIONS=suppressions=$root/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}

status=0
for target in $chosen; do
    dir=$work/$target
    mkdir -p "$dir/corpus"
    cp -n fuzz/corpus/"$target"/* "$dir/corpus/"
    echo "== fuzz $target for $seconds s (corpus $dir/corpus, crashes $dir/)"
    set +e
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the process growing past 2 GiB is a crash.
    # Leak detection stays on: a leak found is reported like a crash.
    # TMPDIR: what a fuzzer writes (the contract fuzzer's copy of contracts/) stays in the work folder.
    TMPDIR=$dir "$bin/$(product "$target")" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/" "$dir/corpus" >"$dir/last.log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/last.log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$dir/last.log")
    echo "$target: exit $code, ${runs:-?} executions in ${took:-<$seconds} s, corpus $(ls "$dir/corpus" | wc -l) files"
    if [ "$code" -ne 0 ]; then
        echo "!! $target failed; the input is saved in $dir/ (log: $dir/last.log):" >&2
        grep -E 'invariant broken|ERROR: |Fatal error|SUMMARY|Test unit written' "$dir/last.log" >&2 || tail -20 "$dir/last.log" >&2
        status=1
    fi
done
exit $status
