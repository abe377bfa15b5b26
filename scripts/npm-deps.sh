#!/usr/bin/env bash
# Installs the pinned npm packages the e2e tests and benchmarks drive (tests/package.json,
# locked by tests/package-lock.json) into tests/node_modules. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../tests"
[ -f package.json ] || exit 0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.installed ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch node_modules/.installed
fi
