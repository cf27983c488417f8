#!/usr/bin/env bash
# Gateway benchmark over HTTP on the embedded cluster: single-record provide latency (sequential and 8 concurrent
# clients, with Bus.provide without HTTP for comparison) and one bulk transfer streamed as CSV.
# Usage: bench/gateway/run.sh [GatewayBench options, e.g. --single 2000 --warmup 200 --bulk 200000,1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
# The scratch folder, relative to bench/ (one folder can serve several bench products: each build takes minutes).
scratch="${GATEWAY_BENCH_SCRATCH:-../.build-bench-gw}"
bash ../scripts/setup.sh
sh replan.sh "$scratch"
swift build -c release --product GatewayBench --scratch-path "$scratch" >&2
echo "nproc: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$scratch"/release/GatewayBench --contracts ../contracts "$@"
