#!/usr/bin/env bash
# Runs every benchmark in bench/ that has a run.sh, each printing its own ratios.
BUILD=${1:-build}
cd "$(dirname "$0")/.."
for b in bench/*/run.sh; do
  echo "######## $b"
  bash "$b" "$BUILD" || echo "(benchmark $b failed)"
done
