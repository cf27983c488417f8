#!/usr/bin/env bash
# History index benchmark (issue 11): a synthetic history of 10,000,000 entries indexed into a file index, key
# lookups, newest-first pages, bus start with that index, memory. Options: see bench/README.md ("History index").
# Usage: bench/history/run.sh [--entries 10000000] [--transfers 6] [--lookups 1000] [--starts 5] [...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../scripts/setup.sh
# The scratch folder, relative to bench/ (one folder can serve several bench products: each build takes minutes).
scratch="${HISTORY_BENCH_SCRATCH:-../.build-bench-history}"
sh replan.sh "$scratch"
swift build -c release --product HistoryBench --scratch-path "$scratch" >&2
echo "nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$scratch/release/HistoryBench" --contracts ../contracts "$@"
