#!/usr/bin/env bash
# Installs the Debian packages hubd needs to build, run and test. Idempotent: a second run
# on a machine that has everything only checks (dpkg-query) and returns.
set -euo pipefail

PKGS=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache
  # server and storage
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgit2-dev git git-lfs libsqlite3-dev sqlite3 libssl-dev libcurl4-openssl-dev libpq-dev
  libargon2-dev libyaml-cpp-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libcli11-dev
  libspdlog-dev libfmt-dev
  liblz4-dev  # Xet xorb chunks are LZ4 frames (storage/xet)
  # inference
  libopenblas-dev libpcre2-dev libutf8proc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3-torch python3-numpy
  curl jq nginx-light fcgiwrap wrk postgresql chromium
  # fuzzing (tests/fuzz): clang 16 with libFuzzer and the sanitizer runtimes
  clang-16 libclang-rt-16-dev
)

# Node.js (with npm) runs the e2e clients. This machine image may ship its own Node.js build,
# which conflicts with Debian's npm package: only install Debian's when there is no node at all.
command -v node >/dev/null && command -v npm >/dev/null || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or install them) and retry" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx and postgresql are started by the tests and benchmarks themselves, never as services.
systemctl disable --now nginx postgresql >/dev/null 2>&1 || true
git lfs install --system --skip-repo >/dev/null 2>&1 || true
