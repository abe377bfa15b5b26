#!/usr/bin/env bash
# Issue 5 benchmark: listing/search latency at 10k and 1M repos. For each N, a generator writes
# N synthetic repos' index rows straight into a fresh hubd database (gen_index.cpp: the real
# Database::put_repo_index write path), then hubd serves
#   GET /api/models?search=bert&filter=text-classification&sort=downloads&limit=20
# and wrk (1 connection, 10 s) reports p50/p99. Also timed: a rare search (a unique id) and a
# walk-the-sort-index listing. Prints build times, latencies and the 1M/10k ratio.
# Usage: bench/search/run.sh BUILD_DIR   (needs wrk; not a test; 1M needs ~3 GB disk, minutes)
set -euo pipefail
BUILD=$(realpath "${1:?usage: bench/search/run.sh BUILD_DIR}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HUBD="$BUILD/hubd"
SIZES=${SIZES:-"10000 1000000"}
DURATION=${DURATION:-10s}
T=$(mktemp -d /tmp/hubd-bench-search.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
cmake --build "$BUILD" --target hubd hub_db hub_core >/dev/null
g++ -O2 -std=c++2b -I"$SRC/src" "$SRC/bench/search/gen_index.cpp" "$BUILD/src/storage/db/libhub_db.a" \
  "$BUILD/src/core/libhub_core.a" -lsqlite3 -lboost_json -o "$T/gen_index"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

latency() {  # latency URL -> "p50 p99" in ms
  wrk -t1 -c1 -d"$DURATION" --latency "$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) } END { printf "%.2f %.2f", p50, p99 }'
}

declare -A P50 P99
for N in $SIZES; do
  echo "== N=$N"
  mkdir -p "$T/d$N"
  start=$(date +%s.%N)
  "$T/gen_index" "$T/d$N/hubd.db" "$N" 2>/dev/null
  echo "index build: $(echo "$(date +%s.%N) - $start" | bc) s (db $(du -sh "$T/d$N" | cut -f1))"
  PORT=$(free_port)
  "$HUBD" serve --port "$PORT" --data "$T/d$N" >"$T/out$N" 2>"$T/log$N" &
  PID=$!
  for _ in $(seq 1 100); do grep -q listening "$T/out$N" && break; sleep 0.1; done
  BASE="http://127.0.0.1:$PORT"
  Q="$BASE/api/models?search=bert&filter=text-classification&sort=downloads&limit=20"
  curl -sf "$Q" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("hits:", len(d), "first:", d[0]["id"] if d else None)'
  read -r p50 p99 <<<"$(latency "$Q")"
  P50[$N]=$p50 P99[$N]=$p99
  echo "search=bert&filter=text-classification&sort=downloads&limit=20: p50 ${p50} ms  p99 ${p99} ms"
  read -r r50 r99 <<<"$(latency "$BASE/api/models?search=bert-base-$((N / 2))&sort=downloads&limit=20")"
  echo "rare search (one id):                                        p50 ${r50} ms  p99 ${r99} ms"
  read -r s50 s99 <<<"$(latency "$BASE/api/models?sort=likes&limit=20")"
  echo "sort=likes&limit=20 (no filter):                             p50 ${s50} ms  p99 ${s99} ms"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  rm -rf "$T/d$N"
done
set -- $SIZES
if [ $# -ge 2 ]; then
  echo "== p99 ratio N=$2 / N=$1: $(echo "scale=2; ${P99[$2]} / ${P99[$1]}" | bc)  (target: p99 < 20 ms at 1M)"
fi
