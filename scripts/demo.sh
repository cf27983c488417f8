#!/usr/bin/env bash
# The main job: installs what is missing, builds renkei, and runs its one-minute tour on an embedded broker
# (contracts checked, residents provided and received, a refusal, a quarantined row replayed, the history
# verified). Extra arguments go to `renkei demo`, e.g. --residents 1000000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --product renkei >&2
renkei=$(swift build --show-bin-path)/renkei

echo "\$ renkei contract lint"
"$renkei" contract lint contracts
echo
echo "\$ renkei demo $*"
"$renkei" demo "$@"
