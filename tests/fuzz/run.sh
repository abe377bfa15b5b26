#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of tests/fuzz (see README.md).
#   run.sh build FUZZ_DIR              configure tests/fuzz with clang++-16 into FUZZ_DIR and build
#   run.sh run FUZZ_DIR TARGET SECONDS replay corpus/TARGET, then mutate for SECONDS
# A run works on a scratch copy of the seeds, so the committed corpus never changes by itself.
# Any crash, leak, timeout, out-of-memory or sanitizer report fails the run and leaves the
# input as FUZZ_DIR/artifacts/TARGET/crash-* (or timeout-*, oom-*, leak-*).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: run.sh build|run FUZZ_DIR [TARGET SECONDS]}
dir=${2:?FUZZ_DIR}
CXX=${HUBD_FUZZ_CXX:-clang++-16}

case "$cmd" in
  build)
    command -v "$CXX" >/dev/null || { echo "fuzz: $CXX not found (scripts/install-deps.sh installs clang-16)" >&2; exit 1; }
    # -O0 by default: half the compile time, and ctest mutates for seconds only. Long runs by
    # hand: HUBD_FUZZ_OPT=-O1 (README.md).
    cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER="$CXX" \
      -DCMAKE_C_COMPILER="${CXX/clang++/clang}" -DHUBD_FUZZ_OPT="${HUBD_FUZZ_OPT:--O0}" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
    ;;
  run)
    target=${3:?TARGET}
    secs=${4:-5}
    bin="$dir/fuzz_$target"
    [ -x "$bin" ] || { echo "fuzz: $bin missing (run.sh build first)" >&2; exit 1; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/corpus" "$dir/artifacts/$target"
    # -rss_limit_mb / -malloc_limit_mb: a parser that allocates past 2 GiB on a small input
    # is a finding (issue 14's amplification class), reported as an oom-* artifact.
    # -timeout: one input taking over 10 s is a hang.
    # Readable reports: the sanitizers want an llvm-symbolizer by an exact path (any version).
    for s in llvm-symbolizer-16 llvm-symbolizer-14 llvm-symbolizer; do
      if p=$(command -v "$s"); then export ASAN_SYMBOLIZER_PATH="$p"; break; fi
    done
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
    set +e
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target/" \
      "$work/corpus" "$here/corpus/$target" >"$work/log" 2>&1
    rc=$?
    set -e
    # Progress lines are noise in a test log; the summary, stats and any report are kept.
    grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$work/log" | tail -n 80
    echo "fuzz_$target: exit $rc after ${secs}s"
    exit "$rc"
    ;;
  *) echo "usage: run.sh build|run FUZZ_DIR [TARGET SECONDS]" >&2; exit 2 ;;
esac
