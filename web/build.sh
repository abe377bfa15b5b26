#!/usr/bin/env bash
# Builds the npm front-end assets hubd embeds: installs web/package.json's packages (from the
# lockfile when present) and copies the files the pages load into web/dist/. Re-run CMake's
# build afterwards; src/web/CMakeLists.txt picks up web/dist/*.js and *.css.
set -euo pipefail
cd "$(dirname "$0")"
# Up to date: nothing to do (make build calls this every time).
if [ -f dist/.built ] && [ dist/.built -nt package-lock.json ] && [ -f dist/uPlot.iife.min.js ]; then exit 0; fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
mkdir -p dist
cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css dist/
touch dist/.built
echo "web/dist: $(ls dist | tr '\n' ' ')"
