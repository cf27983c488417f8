#!/bin/sh
# Kafka layer benchmark: builds the C ceiling and the Swift bench (release), then runs both against one
# embedded cluster in the same process run. Usage: bench/kafka/run.sh [messages=1000000] [repetitions=2]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch="$root/.build-bench-kafka"
mkdir -p "$scratch"
gcc -O2 -Wall -o "$scratch/kafka_ceiling" "$here/kafka_ceiling.c" -lrdkafka
(cd "$root/bench" && swift build -c release --scratch-path "$scratch" --product KafkaBench)
"$scratch/release/KafkaBench" "$scratch/kafka_ceiling" "${1:-1000000}" "${2:-2}"
