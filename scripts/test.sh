#!/usr/bin/env bash
# Runs every test: the ctest suites (unit and e2e, which start their own servers), then
# prints one summary line. Exit status is non-zero if anything failed.
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
bash scripts/npm-deps.sh
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" --timeout 1200
