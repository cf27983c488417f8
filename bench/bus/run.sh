#!/usr/bin/env bash
# Bus bulk benchmark: 1,000,000 residents as CSV in one bulk transfer to 3 receivers, through to committed,
# on the embedded cluster. Usage: bench/bus/run.sh [records] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
# The scratch folder, relative to bench/ (one folder can serve several bench products: each build takes minutes).
scratch="${BUS_BENCH_SCRATCH:-../.build-bench-bus}"
bash ../scripts/setup.sh
sh replan.sh "$scratch"
swift build -c release --product BusBench --scratch-path "$scratch" >&2
"$scratch"/release/BusBench "${1:-1000000}" "${2:-3}" ../contracts
