#!/usr/bin/env bash
# The main job: installs what is missing, builds renkei, and walks through the sample contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --product renkei >&2
renkei=$(swift build --show-bin-path)/renkei

echo "\$ renkei contract lint contracts"
"$renkei" contract lint contracts
echo
echo "\$ renkei contract show"
"$renkei" contract show
echo
echo "\$ renkei contract show resident-change"
"$renkei" contract show resident-change
