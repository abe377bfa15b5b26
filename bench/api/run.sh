#!/usr/bin/env bash
# Read API throughput, hubd vs nginx in the same run on the same machine (wrk, 64 connections):
#   HEAD /{id}/resolve/main/config.json   vs  nginx HEAD of the same bytes as a static file
#   GET  /api/models/{id}                 vs  nginx GET of the same JSON body as a static file
# Prints requests/s, p50 and p99 latency, and hubd/nginx ratios. HEAD is driven by api_load
# (load.cpp) because wrk 4.1 hangs on HEAD; GET runs with both tools, as a cross-check. Runs alternate hubd and nginx
# so other load on the machine hits both alike. hubd logs each request; its log goes to a file.
# Usage: bench/api/run.sh BUILD_DIR [SECONDS=10] [CONNECTIONS=64]
set -euo pipefail
BUILD=$(realpath "${1:?usage: bench/api/run.sh BUILD_DIR [SECONDS] [CONNECTIONS]}")
SECS=${2:-10}
CONNS=${3:-64}
command -v wrk >/dev/null || { echo "bench/api: wrk not installed"; exit 1; }
command -v nginx >/dev/null || { echo "bench/api: nginx not installed"; exit 1; }
cmake --build "$BUILD" --target hubd api_load -j2 >"${TMPDIR:-/tmp}/hubd-api-bench-build.log" 2>&1 ||
  { tail -20 "${TMPDIR:-/tmp}/hubd-api-bench-build.log"; echo "bench/api: cannot build hubd"; exit 1; }
HUBD="$BUILD/hubd"
LOAD=$(find "$BUILD" -name api_load -type f -perm -u+x | head -1)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubd-api-bench-XXXXXX")
HPID= NPID=
cleanup() {
  [ -n "$HPID" ] && kill "$HPID" 2>/dev/null
  [ -n "$NPID" ] && kill "$NPID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export HOME="$WORK/home" GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main

"$HUBD" serve --host 127.0.0.1 --port 0 --data "$WORK/data" >"$WORK/hubd.out" 2>"$WORK/hubd.log" &
HPID=$!
for _ in $(seq 200); do grep -q "listening on" "$WORK/hubd.out" 2>/dev/null && break; sleep 0.05; done
URL=$(grep -o 'http://[^ ]*' "$WORK/hubd.out" | tail -1)
TOKEN=$(awk '/admin token:/ {print $3}' "$WORK/hubd.out")
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -X POST "$URL/api/repos/create" -d '{"name":"bert"}'
# A realistic small model repo: card, config, tokenizer files, a few dozen other files.
git clone -q "http://admin:$TOKEN@${URL#http://}/admin/bert" "$WORK/w"
printf -- '---\nlicense: apache-2.0\nlanguage: en\nlibrary_name: transformers\npipeline_tag: fill-mask\n---\n# bert\n' >"$WORK/w/README.md"
echo '{"model_type":"bert","architectures":["BertForMaskedLM"],"hidden_size":768,"num_attention_heads":12}' >"$WORK/w/config.json"
echo '{"do_lower_case":true,"mask_token":"[MASK]"}' >"$WORK/w/tokenizer_config.json"
mkdir -p "$WORK/w/extra" && for i in $(seq 1 30); do echo "$i" >"$WORK/w/extra/f$i.txt"; done
git -C "$WORK/w" add -A && git -C "$WORK/w" commit -qm files && git -C "$WORK/w" push -q origin main

# nginx serves the very bytes hubd answers with, as static files at the same paths.
mkdir -p "$WORK/root/admin/bert/resolve/main" "$WORK/root/api/models/admin" "$WORK/nginx"
cp "$WORK/w/config.json" "$WORK/root/admin/bert/resolve/main/config.json"
curl -sf "$URL/api/models/admin/bert" >"$WORK/root/api/models/admin/bert"
NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
{
  [ "$(id -u)" = 0 ] && echo "user root;"
  cat <<NGINX
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type application/json;
  server { listen 127.0.0.1:$NPORT; root $WORK/root; }
}
NGINX
} >"$WORK/nginx/nginx.conf"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>>"$WORK/nginx/error.log" &
NPID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$NPORT/api/models/admin/bert" && break; sleep 0.05; done

# Same answers? (status 200 and the same bytes) — otherwise the comparison means nothing.
cmp -s <(curl -s "$URL/api/models/admin/bert") "$WORK/root/api/models/admin/bert"
test "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/admin/bert/resolve/main/config.json")" = 200

# wrk -> "rps p50_ms p99_ms"
run_wrk() {
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$1")
  grep -q "Non-2xx" <<<"$out" && { echo "bench/api: non-2xx answers:" >&2; echo "$out" >&2; exit 1; }
  echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out") $(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")") $(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
}
to_ms() {  # wrk prints 812.00us / 1.23ms / 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
# api_load (keep-alive, HEAD-capable) -> "rps p50_ms p99_ms"
run_load() { "$LOAD" 127.0.0.1 "$1" "$2" "$3" "$CONNS" "$SECS"; }
HPORT=${URL##*:}
line() { printf '%-50s %10s %9s %9s\n' "$@"; }
ratio() {
  read -r hr hp50 hp99 <<<"$1"; read -r nr np50 np99 <<<"$2"
  awk -v a="$hr" -v b="$nr" -v c="$hp50" -v d="$np50" -v e="$hp99" -v f="$np99" \
    'BEGIN { printf "  hubd/nginx: throughput %.2f, p50 latency %.2fx, p99 latency %.2fx\n", a / b, c / d, e / f }'
}
echo "$CONNS connections, ${SECS}s per run, client and servers share $(nproc) cores; hubd and nginx alternate"
line "request (tool)" "req/s" "p50 ms" "p99 ms"
CFG=/admin/bert/resolve/main/config.json INFO=/api/models/admin/bert
# The HTTP layer's own ceiling on this machine: a handler that does nothing.
line "hubd  GET /api/health (api_load, reference)" $(run_load "$HPORT" GET /api/health)
h=$(run_load "$HPORT" HEAD "$CFG"); n=$(run_load "$NPORT" HEAD "$CFG")
line "hubd  HEAD $CFG (api_load)" $h; line "nginx HEAD $CFG (api_load)" $n; ratio "$h" "$n"
h=$(run_wrk "$URL$INFO"); n=$(run_wrk "http://127.0.0.1:$NPORT$INFO")
line "hubd  GET $INFO (wrk)" $h; line "nginx GET $INFO (wrk)" $n; ratio "$h" "$n"
h=$(run_load "$HPORT" GET "$INFO"); n=$(run_load "$NPORT" GET "$INFO")
line "hubd  GET $INFO (api_load)" $h; line "nginx GET $INFO (api_load)" $n; ratio "$h" "$n"
h=$(run_wrk "$URL$CFG"); n=$(run_wrk "http://127.0.0.1:$NPORT$CFG")
line "hubd  GET $CFG (wrk)" $h; line "nginx GET $CFG (wrk)" $n; ratio "$h" "$n"
