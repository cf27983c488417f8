#!/usr/bin/env bash
# File linkage benchmark (issue 12): 1,000,000 residents; the first window after a bulk transfer (it writes the full
# receivers' state), full daily files for 3 receivers to a folder and to S3 (moto_server on loopback), differential
# files, and the inbox ingest of a 1M-row CSV. Options: see bench/README.md ("File linkage").
# Usage: bench/files/run.sh [--records 1000000] [--runs 3] [--storage folder,s3] [--no-differential] [--no-inbox]
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../scripts/setup.sh
# The scratch folder, relative to bench/ (one folder can serve several bench products: each build takes minutes).
scratch="${FILE_BENCH_SCRATCH:-../.build-bench-files}"
sh replan.sh "$scratch"
swift build -c release --product FileBench --scratch-path "$scratch" >&2
echo "nproc: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"
# moto on loopback for the S3 figures; it accepts any credentials (INITIAL_NO_AUTH_ACTION_COUNT is not set).
port="${FILE_BENCH_MOTO_PORT:-$((20000 + RANDOM % 20000))}"
moto_server -p "$port" >/tmp/renkei-filebench-moto.log 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.2
done
curl -s -X PUT -o /dev/null "http://127.0.0.1:$port/renkei-bench"
"$scratch/release/FileBench" --contracts ../contracts --storage folder,s3 --s3-endpoint "http://127.0.0.1:$port" "$@"
