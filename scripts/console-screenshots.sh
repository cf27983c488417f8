#!/usr/bin/env bash
# Refreshes the console's screenshots in docs/console/ (shown by docs/console.md and the README): runs
# scripts/check-console.py, which takes one of each page, and copies them only when every step passed, so a failed
# run never leaves a half-updated set. Usage: scripts/console-screenshots.sh [path to the renkei binary]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-"$(swift build --show-bin-path)/renkei"}
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT
python3 scripts/check-console.py --binary "$binary" --screenshots "$shots"
mkdir -p docs/console
for page in sign-in linkages tablet-linkages resident dead-letters dead-letter dry-run replay-progress replay-done \
    health verify sign-in-refused; do
    cp "$shots/$page.png" "docs/console/$page.png"
done
echo "console-screenshots: docs/console/*.png refreshed"
