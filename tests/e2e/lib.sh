# Shared helpers for the e2e scripts: a hubd on a free port with its own data directory,
# assertions that print what failed, and cleanup on exit. Source it; set HUBD to the binary.
set -uo pipefail

E2E_TMP=$(mktemp -d /tmp/hubd-e2e.XXXXXX)
HUBD_PID=""
FAILS=0
PASSES=0

cleanup() {
  [ -n "$HUBD_PID" ] && kill -9 "$HUBD_PID" 2>/dev/null
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# start_hubd DATA_DIR [extra args]: starts hubd, waits for its "listening" line, sets URL, HOSTPORT.
start_hubd() {
  local data=$1; shift
  local log="$E2E_TMP/hubd-$(date +%s%N).log"
  "$HUBD" serve --host 127.0.0.1 --port "${HUBD_PORT_WANTED:-0}" --data "$data" "$@" >"$log.out" 2>"$log" &
  HUBD_PID=$!
  for _ in $(seq 1 200); do
    if grep -q "hubd listening on" "$log.out" 2>/dev/null; then
      URL=$(grep -o 'http://[^ ]*' "$log.out" | tail -1)
      HOSTPORT=${URL#http://}
      HUBD_LOG=$log
      ADMIN_TOKEN=$(grep 'admin token:' "$log.out" | awk '{print $3}')
      return 0
    fi
    if ! kill -0 "$HUBD_PID" 2>/dev/null; then echo "hubd died at start:"; cat "$log"; exit 1; fi
    sleep 0.05
  done
  echo "hubd did not start"; cat "$log"; exit 1
}

stop_hubd() {
  [ -n "$HUBD_PID" ] || return 0
  kill -TERM "$HUBD_PID" 2>/dev/null
  wait "$HUBD_PID" 2>/dev/null
  HUBD_PID=""
}

pass() { PASSES=$((PASSES + 1)); echo "PASS: $*"; }
failed() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass "$what"; else failed "$what"; fi
}

# http METHOD PATH [curl args...]: sets STATUS, BODY, HEADERS (files read into variables).
http() {
  local method=$1 path=$2; shift 2
  local hf="$E2E_TMP/h.$$" bf="$E2E_TMP/b.$$"
  STATUS=$(curl -s -o "$bf" -D "$hf" -w '%{http_code}' -X "$method" "$URL$path" "$@")
  BODY=$(cat "$bf")
  HEADERS=$(cat "$hf")
}

# The server must still answer after every bad request.
healthy() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/health")" = 200 ]
}

# expect_error STATUS "what" METHOD PATH [curl args]: a clear 4xx with the Hub's error shape.
expect_error() {
  local want=$1 what=$2; shift 2
  http "$@"
  if [ "$STATUS" = "$want" ] && grep -qi '^x-error-message:' <<<"$HEADERS" && jq -e '.error|type=="string"' <<<"$BODY" >/dev/null 2>&1 && healthy; then
    pass "$what -> $want"
  else
    failed "$what: wanted $want with X-Error-Message and {error}, got $STATUS $BODY"
  fi
}

finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}
