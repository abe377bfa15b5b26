#!/usr/bin/env bash
# Issue 7 benchmark: end-to-end text-classification over HTTP on a MiniLM-L6-shaped model
# (random weights; hidden 384, 6 layers) at 1, 8 and 64 concurrent clients (wrk, 10 s each):
# hubd's Inference API vs a minimal Python server (http.server + torch) running the same
# model, tokenization and post-processing, in the same run. Also the dynamic batching gain
# at 64 clients (hubd with batching vs HUBD_INFERENCE_MAX_BATCH=1) and hubd's memory for the
# loaded model. Usage: bench/inference_api/run.sh [BUILD_DIR]   (prints ratios; not a test)
set -euo pipefail
BUILD=$(realpath "${1:-build}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DUR=${DUR:-10}
T=$(mktemp -d /tmp/hubd-bench-infer.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME" && git config --global user.name b && git config --global user.email b@b && git lfs install --skip-repo >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== model: MiniLM-L6-shaped, random weights"
/usr/bin/python3 "$ROOT/scripts/demo_model.py" "$T/model" --random 3 --shape minilm
BODY='{"inputs":"I really love this movie and the music was great but the ending was a bit too long"}'
cat > "$T/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
-- Every request is the same: hubd must compute each one, not answer from its response cache.
wrk.headers["X-Use-Cache"] = "false"
LUA

start_hubd() {  # start_hubd PORT [env...]
  local port=$1; shift
  env "$@" "$BUILD/hubd" serve --port "$port" --data "$T/data" >"$T/hubd.out" 2>/dev/null &
  HPID=$!; PIDS+=($HPID)
  for _ in $(seq 1 100); do grep -q listening "$T/hubd.out" 2>/dev/null && return; sleep 0.1; done
}
HPORT=$(free_port)
start_hubd "$HPORT"
TOK=$(awk '/admin token:/ {print $3}' "$T/hubd.out")
curl -sf -H "Authorization: Bearer $TOK" -X POST "http://127.0.0.1:$HPORT/api/repos/create" -d '{"name":"minilm"}' >/dev/null
git clone -q "http://x:$TOK@127.0.0.1:$HPORT/admin/minilm" "$T/repo" && cp "$T/model"/* "$T/repo/" &&
  git -C "$T/repo" add -A && git -C "$T/repo" commit -qm m && git -C "$T/repo" push -q origin main
URL="http://127.0.0.1:$HPORT/models/admin/minilm"
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
BEFORE=$(rss $HPID)
curl -sf -H 'X-Wait-For-Model: true' -X POST "$URL" -d "$BODY" >/dev/null
AFTER=$(rss $HPID)
echo "hubd RSS: $((BEFORE / 1024)) MiB before loading, $((AFTER / 1024)) MiB with the model loaded (+$(((AFTER - BEFORE) / 1024)) MiB; weights $(($(stat -c %s "$T/model/model.safetensors") / 1048576)) MiB on disk)"

PPORT=$(free_port)
/usr/bin/python3 "$ROOT/bench/inference_api/torch_server.py" "$T/model" "$PPORT" &
PIDS+=($!)
for _ in $(seq 1 300); do curl -sf -X POST "http://127.0.0.1:$PPORT/" -d "$BODY" >/dev/null 2>&1 && break; sleep 0.2; done
echo "answers: hubd $(curl -s -X POST "$URL" -d "$BODY" | cut -c1-80)"
echo "         torch $(curl -s -X POST "http://127.0.0.1:$PPORT/" -d "$BODY" | cut -c1-80)"

measure() {  # measure URL CONNECTIONS -> "rps p50ms p99ms"
  local threads=$(( $2 < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$2" -d"${DUR}s" --latency -s "$T/post.lua" "$1" > "$T/wrk.out"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$T/wrk.out")
  p50=$(awk '$1=="50%" {print $2}' "$T/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$T/wrk.out")
  echo "$rps $p50 $p99"
}
printf '%-8s %-28s %-28s %s\n' clients "hubd req/s (p50, p99)" "python+torch req/s (p50, p99)" "ratio"
for c in 1 8 64; do
  read -r hr h50 h99 < <(measure "$URL" "$c")
  read -r pr p50 p99 < <(measure "http://127.0.0.1:$PPORT/" "$c")
  printf '%-8s %-28s %-28s %.2fx\n' "$c" "$hr ($h50, $h99)" "$pr ($p50, $p99)" "$(echo "$hr / $pr" | bc -l)"
done
BATCHED=$(measure "$URL" 64 | awk '{print $1}')
kill $HPID; wait $HPID 2>/dev/null || true
start_hubd "$HPORT" HUBD_INFERENCE_MAX_BATCH=1
curl -sf -H 'X-Wait-For-Model: true' -X POST "$URL" -d "$BODY" >/dev/null
UNBATCHED=$(measure "$URL" 64 | awk '{print $1}')
printf 'dynamic batching at 64 clients: %s req/s batched vs %s unbatched = %.2fx\n' "$BATCHED" "$UNBATCHED" "$(echo "$BATCHED / $UNBATCHED" | bc -l)"
