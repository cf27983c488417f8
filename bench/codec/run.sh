#!/bin/sh
# Codec benchmark: builds CodecBench (release) and prints one summary line per figure, Foundation's
# JSONEncoder/JSONDecoder measured in the same run on the same records.
# Usage: bench/codec/run.sh [CodecBench options: --records N --foundation-records N --runs N --only FIGURE]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch="$root/.build-bench-codec"
sh "$root/bench/replan.sh" "$scratch"
(cd "$root/bench" && swift build -c release --scratch-path "$scratch" --product CodecBench >&2)
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(uname -sr)"
"$scratch/release/CodecBench" --contracts "$root/contracts" "$@"
