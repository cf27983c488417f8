#!/usr/bin/env bash
# Bus bulk benchmark: 1,000,000 residents as CSV in one bulk transfer to 3 receivers, through to committed,
# on the embedded cluster. Usage: bench/bus/run.sh [records] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../scripts/setup.sh
sh replan.sh ../.build-bench-bus
swift build -c release --product BusBench --scratch-path ../.build-bench-bus >&2
../.build-bench-bus/release/BusBench "${1:-1000000}" "${2:-3}" ../contracts
