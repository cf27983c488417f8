#!/usr/bin/env bash
# Long polls over HTTP on the embedded cluster: CPU while 500 polls wait, latency from a provide's 201 to the polls'
# return at a given provide rate, librdkafka clients held.
# Usage: bench/longpoll/run.sh [--pollers 500] [--rate 50] [--seconds 10] [--idle 10] [--wait 30]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../scripts/setup.sh
scratch="${LONGPOLL_BENCH_SCRATCH:-../.build-bench-gw}"
sh replan.sh "$scratch"
swift build -c release --product LongPollBench --scratch-path "$scratch" >&2
echo "nproc: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
ulimit -n 4096 || true
"$scratch/release/LongPollBench" --contracts ../contracts "$@"
