#!/bin/sh
# Drops SwiftPM's cached build plan in a bench scratch directory (argument), keeping the compiled objects.
# The bench package depends on the main package by path, and SwiftPM reuses its cached plan for it: files added
# to the main package since the last bench build would be missing ("cannot find … in scope").
scratch="$1"
rm -f "$scratch/release.yaml" "$scratch"/*/release/description.json
