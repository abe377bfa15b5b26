#!/usr/bin/env bash
# Server time of every web page for a repo with 1,000 files (target < 50 ms each; reported,
# not asserted). Usage: bench/web/run.sh BUILD_DIR [FILES=1000] [REPS=20]
set -euo pipefail
BUILD=${1:?usage: bench/web/run.sh BUILD_DIR [FILES] [REPS]}
cmake --build "$BUILD" --target web_bench -j2 >/dev/null
BIN=$(find "$BUILD" -name web_bench -type f -perm -u+x | head -1)
"$BIN" "${2:-1000}" "${3:-20}"
