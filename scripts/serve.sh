#!/usr/bin/env bash
# `make serve`: starts hubd on an embedded default (SQLite + local disk) in the foreground,
# seeds a demo model on the first start, and prints the URL and an admin token.
# Settings: HUBD_HOST (127.0.0.1), HUBD_PORT (8080), HUBD_DATA (./hubd-data), BUILD (build).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HUBD_HOST:-127.0.0.1}
PORT=${HUBD_PORT:-8080}
DATA=$(realpath -m "${HUBD_DATA:-hubd-data}")
HUBD=$(realpath "${BUILD:-build}/hubd")
mkdir -p "$DATA"

"$HUBD" serve --host "$HOST" --port "$PORT" --data "$DATA" >"$DATA/serve.out" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID' INT TERM
for _ in $(seq 1 100); do
  grep -q "hubd listening on" "$DATA/serve.out" 2>/dev/null && break
  kill -0 $PID 2>/dev/null || { echo "hubd failed to start (is port $PORT taken? set HUBD_PORT)"; exit 1; }
  sleep 0.1
done
URL=$(grep -o 'http://[^ ]*' "$DATA/serve.out" | tail -1)

# The admin token is printed by hubd only on the very first start; keep it (owner-only) so
# later `make serve` runs can print it again.
if grep -q "admin token:" "$DATA/serve.out"; then
  (umask 077; awk '/admin token:/ {print $3}' "$DATA/serve.out" > "$DATA/admin-token")
  grep "created admin user" "$DATA/serve.out" | sed 's/^/hubd: /'
fi
TOKEN=$(cat "$DATA/admin-token" 2>/dev/null || true)

# Seed the demo model once: built and trained by scripts/demo_model.py, pushed with git + LFS.
if [ -n "$TOKEN" ] && [ ! -d "$DATA/repos/models/admin/demo-sentiment.git" ]; then
  echo "hubd: building the demo model admin/demo-sentiment (about 20 s)..."
  SEED=$(mktemp -d)
  if /usr/bin/python3 scripts/demo_model.py "$SEED/model" >"$SEED/log" 2>&1; then
    curl -sf -H "Authorization: Bearer $TOKEN" -X POST "$URL/api/repos/create" -d '{"name":"demo-sentiment"}' >/dev/null
    AUTHED="http://admin:$TOKEN@${URL#http://}/admin/demo-sentiment"
    (cd "$SEED" && git clone -q "$AUTHED" repo && cp model/* repo/ && cd repo &&
      git add -A && git -c user.name=hubd -c user.email=hubd@localhost commit -qm "Add the demo sentiment model" &&
      git push -q origin main) && echo "hubd: demo model ready at $URL/admin/demo-sentiment" ||
      echo "hubd: could not push the demo model (see $SEED)"
  else
    echo "hubd: could not build the demo model: $(tail -1 "$SEED/log")"
  fi
fi

echo
echo "  hubd is running at $URL"
echo "  admin token:       ${TOKEN:-(not available: the data directory was created without make serve)}"
echo "  try:               curl -H \"Authorization: Bearer ${TOKEN:-TOKEN}\" $URL/api/whoami-v2"
echo "                     curl -X POST $URL/models/admin/demo-sentiment -d '{\"inputs\":\"I love this movie\"}'"
echo "  stop:              Ctrl-C"
echo
wait $PID
