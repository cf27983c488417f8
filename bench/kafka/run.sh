#!/bin/sh
# Kafka layer benchmark: builds the C ceiling and the Swift bench (release), then runs both against one
# embedded cluster in the same run, taking turns. Usage:
#   bench/kafka/run.sh [messages=1000000] [runs=7] [--callgrind N] [--callgrind-only]
# Scratch directory: $KAFKA_BENCH_SCRATCH (default .build-bench-kafka).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch="${KAFKA_BENCH_SCRATCH:-$root/.build-bench-kafka}"
case "$scratch" in /*) ;; *) scratch="$root/$scratch" ;; esac
mkdir -p "$scratch"
gcc -O2 -Wall -o "$scratch/kafka_ceiling" "$here/kafka_ceiling.c" -lrdkafka
sh "$root/bench/replan.sh" "$scratch"
(cd "$root/bench" && swift build -c release --scratch-path "$scratch" --product KafkaBench)
"$scratch/release/KafkaBench" "$scratch/kafka_ceiling" "$@"
