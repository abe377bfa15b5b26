#!/usr/bin/env bash
# Issue 14, the HTTP edge under attack (findings 1, 6, 8), asserting on raw response bytes:
#  - header injection through every value an outsider controls (login redirect, revision and
#    path errors, commit paths, repo names, a chat template's raise_exception) never yields a
#    header or body of the attacker's; every response carries nosniff and a CSP;
#  - a 40,000-character file name served 30 times leaks no descriptor and gets a bounded header;
#  - slow and greedy clients (trickling upload-pack bodies holding every worker an address may
#    have, downloads never read, slowloris headers, connection floods) from other addresses leave
#    health checks, pages, the API and a git clone answering, per-address limits refuse the excess with 429, and a body under the
#    minimum rate is dropped.
HUBD=$(realpath "${1:?usage: security_http_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SLOW="$ROOT/tests/e2e/slow_clients.py"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null

DATA="$E2E_TMP/data"
HUBD_MAX_CONNS_PER_ADDR=60 start_hubd "$DATA"
"$HUBD" user add alice --password alicepass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
AUTH=(-H "Authorization: Bearer $ALICE")
curl -sf -o /dev/null "${AUTH[@]}" -X POST "$URL/api/repos/create" -d '{"name":"pub"}'

INJ='%0d%0aSet-Cookie:%20evil=1%0d%0aContent-Type:%20text/html%0d%0a%0d%0a%3cscript%3ealert(1)%3c/script%3e'

# raw_clean WHAT: the last response (HEADERS, BODY from lib.sh's http) has no injected field, one
# status line, nosniff and a CSP; an API error stays JSON.
# raw_clean WHAT page: a web page may be HTML, but the attacker's script never appears unescaped.
raw_clean() {
  local what=$1 kind=${2:-api}
  if grep -qi '^set-cookie: *evil' <<<"$HEADERS"; then failed "$what: injected Set-Cookie: $HEADERS"; return; fi
  if [ "$kind" = page ]; then
    if grep -q '<script>alert' <<<"$BODY"; then failed "$what: the script is in the page"; return; fi
  elif grep -qi '^content-type: *text/html' <<<"$HEADERS"; then failed "$what: injected text/html: $HEADERS"; return; fi
  if [ "$(grep -c '^HTTP/' <<<"$HEADERS")" != 1 ]; then failed "$what: more than one status line"; return; fi
  if ! grep -qi '^x-content-type-options: nosniff' <<<"$HEADERS"; then failed "$what: no nosniff"; return; fi
  if ! grep -qi '^content-security-policy:' <<<"$HEADERS"; then failed "$what: no CSP"; return; fi
  if grep -q '<script>' <<<"$BODY" && ! jq -e . <<<"$BODY" >/dev/null 2>&1; then failed "$what: script in a non-JSON body"; return; fi
  pass "$what: no injected header or body ($STATUS)"
}

# ---- Finding 1: header injection vectors ----
http GET "/api/models/alice/pub/revision/main$INJ"
raw_clean "revision error"
http GET "/alice/pub/resolve/main/x$INJ"
raw_clean "resolve path error"
http GET "/api/models/alice/pub/tree/main/x$INJ"
raw_clean "tree path error"
http GET "/alice/pub/blob/main/x$INJ"
raw_clean "web blob page error" page
printf '{"key":"header","value":{"summary":"x"}}\n{"key":"file","value":{"path":"a\\r\\nSet-Cookie: evil=1\\r\\n\\r\\n<script>","content":"x","encoding":"utf-8"}}\n' >"$E2E_TMP/inj.ndjson"
http POST /api/models/alice/pub/commit/main "${AUTH[@]}" -H 'Content-Type: application/x-ndjson' --data-binary @"$E2E_TMP/inj.ndjson"
raw_clean "commit path error"
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"a\r\nSet-Cookie: evil=1\r\n\r\n<script>"}'
raw_clean "repo name error"
http GET "/api/models?search=x$INJ&author=y$INJ"
raw_clean "listing with injected query"

# The log-in redirect: next= carrying CR/LF (and other ways out of this site) lands on "/".
JAR="$E2E_TMP/jar"
CSRF=$(curl -s -c "$JAR" "$URL/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
http POST /login -b "$JAR" -c "$JAR" --data-urlencode "csrf=$CSRF" --data-urlencode username=alice \
  --data-urlencode password=alicepass123 --data-urlencode $'next=/\r\nSet-Cookie: evil=1\r\n\r\n<script>'
raw_clean "login redirect with CR/LF in next"
check "login with a bad next redirects home" grep -qi '^location: /\s*$' <<<"$HEADERS"
for nxt in '//evil.example' '/\evil.example' $'/\t/evil.example' 'https://evil.example'; do
  http GET "/login?next=$(jq -rn --arg s "$nxt" '$s|@uri')" -b "$JAR"
  check "signed in, next=$(printf %q "$nxt") stays on this site" grep -qi '^location: /\s*$' <<<"$HEADERS"
done
http GET "/login?next=/settings/tokens" -b "$JAR"
check "a local next still works" grep -qi '^location: /settings/tokens' <<<"$HEADERS"

# Security headers on every kind of response; API answers are never HTML.
for path in /api/health /api/models /api/models/alice/pub /alice/pub/resolve/main/.gitattributes /nope /; do
  http GET "$path"
  check "$path: nosniff" grep -qi '^x-content-type-options: nosniff' <<<"$HEADERS"
  check "$path: an X-Request-Id" grep -qi '^x-request-id: [A-Za-z0-9_-]\{22\}' <<<"$HEADERS"
  check "$path: a Content-Security-Policy" grep -qi '^content-security-policy:' <<<"$HEADERS"
  if [[ $path == /api/* ]]; then
    check "$path: not HTML, sandboxed" bash -c "! grep -qi '^content-type: *text/html' <<<\"\$1\" && grep -qi '^content-security-policy:.*sandbox' <<<\"\$1\"" _ "$HEADERS"
  fi
done
http GET /api/health -H 'X-Request-Id: trace-42'
check "a client's X-Request-Id comes back" grep -qi '^x-request-id: trace-42' <<<"$HEADERS"
http GET /api/health -H 'X-Amzn-Trace-Id: 2235ed7a-d1f3-4bfd-8309-5bfb777fdcd9'
check "huggingface_hub's X-Amzn-Trace-Id becomes the request id" grep -qi '^x-request-id: 2235ed7a-d1f3-4bfd-8309-5bfb777fdcd9' <<<"$HEADERS"
http GET /api/health -H 'X-Request-Id: trace-43' -H 'X-Amzn-Trace-Id: other'
check "X-Request-Id wins over X-Amzn-Trace-Id" grep -qi '^x-request-id: trace-43' <<<"$HEADERS"
http GET /api/health -H 'X-Request-Id: a b<script>'
check "an X-Request-Id that is not a plain token is replaced by our own" grep -qi '^x-request-id: [A-Za-z0-9_-]\{22\}\s*$' <<<"$HEADERS"
http GET /api/health -H $'X-Request-Id: a\x01b'
check "a request Beast refuses (control character) still gets a 400 with an X-Request-Id" \
  bash -c "[ \"\$1\" = 400 ] && grep -qi '^x-request-id: [A-Za-z0-9_-]\{22\}' <<<\"\$2\"" _ "$STATUS" "$HEADERS"
http GET /
check "pages keep their own CSP (no remote images: no tracking pixels)" bash -c "grep -i '^content-security-policy:' <<<\"\$1\" | grep -q \"img-src 'self' data:;\"" _ "$HEADERS"

# The chat template's raise_exception (the reviewer's exploit), on the real tiny Llama.
STORIES=${HUBD_SHARED_DIR:-$ROOT/../shared}/models/stories260K
if [ -f "$STORIES/model.safetensors" ]; then
  mkdir -p "$E2E_TMP/llm"
  cp "$STORIES"/{config.json,model.safetensors,tokenizer.json,tokenizer_config.json} "$E2E_TMP/llm/"
  printf -- '---\nlibrary_name: transformers\npipeline_tag: text-generation\n---\n' >"$E2E_TMP/llm/README.md"
  python3 - "$E2E_TMP/llm/tokenizer_config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["chat_template"] = "{{ raise_exception(messages[0]['content']) }}"
json.dump(c, open(sys.argv[1], "w"))
PY
  curl -sf -o /dev/null "${AUTH[@]}" -X POST "$URL/api/repos/create" -d '{"name":"llm"}'
  git clone -q "http://x:$ALICE@$HOSTPORT/alice/llm" "$E2E_TMP/w-llm" 2>/dev/null
  cp "$E2E_TMP/llm"/* "$E2E_TMP/w-llm/" && git -C "$E2E_TMP/w-llm" add -A && git -C "$E2E_TMP/w-llm" commit -qm m &&
    git -C "$E2E_TMP/w-llm" push -q origin main 2>/dev/null
  EVIL=$'boom\r\nSet-Cookie: evil=1\r\nContent-Type: text/html\r\n\r\n<script>alert(document.cookie)</script>'
  BODYJ=$(jq -cn --arg c "$EVIL" '{model:"alice/llm",messages:[{role:"user",content:$c}],max_tokens:4}')
  http POST /models/alice/llm/v1/chat/completions -H 'X-Wait-For-Model: true' --data-binary "$BODYJ"
  raw_clean "chat template raise_exception"
  check "the template's error is a 4xx with the message on one line" bash -c "[ \"\$1\" -ge 400 ] && [ \"\$1\" -lt 500 ] && grep -qi '^x-error-message: .*boom  Set-Cookie' <<<\"\$2\"" _ "$STATUS" "$HEADERS"
  # The cross-site form's way in: text/plain body, anonymous.
  http POST /models/alice/llm -H 'Content-Type: text/plain' -H 'X-Wait-For-Model: true' \
    --data-binary "$(jq -cn --arg c "$EVIL" '{inputs:[{role:"user",content:$c}]}')"
  raw_clean "conversational via a text/plain form body"
else
  echo "SKIPPED: chat-template injection ($STORIES is absent: the real model exists only in the hubd workplace)"
fi

# ---- Finding 8: a 40,000-character file name ----
# (Only git's index can hold such a name: no file system takes it, so it is never checked out.)
LONG=$(printf 'n%.0s' $(seq 1 40000))
curl -sf -o /dev/null "${AUTH[@]}" -X POST "$URL/api/repos/create" -d '{"name":"longname"}'
git clone -q "http://x:$ALICE@$HOSTPORT/alice/longname" "$E2E_TMP/w-long" 2>/dev/null
BLOB=$(echo "long name" | git -C "$E2E_TMP/w-long" hash-object -w --stdin)
git -C "$E2E_TMP/w-long" update-index --add --cacheinfo "100644,$BLOB,$LONG"
git -C "$E2E_TMP/w-long" commit -qm long && git -C "$E2E_TMP/w-long" push -q origin main 2>/dev/null
fds() { ls /proc/$HUBD_PID/fd | wc -l; }
curl -s -o /dev/null "$URL/alice/longname/resolve/main/$LONG"  # warm up lazily opened files
FD0=$(fds)
for i in $(seq 1 30); do curl -s -o /dev/null "$URL/alice/longname/resolve/main/$LONG"; done
http GET "/alice/longname/resolve/main/$LONG"
check "the long-named file is served (200, its bytes)" test "$STATUS:$BODY" = "200:long name"
CD=$(grep -i '^content-disposition:' <<<"$HEADERS")
check "its Content-Disposition is bounded (${#CD} bytes)" test "${#CD}" -lt 1200
FD1=$(fds)
check "30 long-name downloads leak no descriptor ($FD0 -> $FD1)" test "$FD1" -le $((FD0 + 2))

# ---- Finding 6: slow and greedy clients ----
# A large LFS file (for downloads that are never read) and a commit to ask upload-pack for.
git clone -q "http://x:$ALICE@$HOSTPORT/alice/pub" "$E2E_TMP/w-pub" 2>/dev/null
git -C "$E2E_TMP/w-pub" lfs track '*.bin' >/dev/null
head -c $((48 << 20)) /dev/urandom >"$E2E_TMP/w-pub/big.bin"
git -C "$E2E_TMP/w-pub" add -A && git -C "$E2E_TMP/w-pub" commit -qm big && git -C "$E2E_TMP/w-pub" push -q origin main 2>/dev/null
SHA=$(git -C "$E2E_TMP/w-pub" rev-parse HEAD)
FDBASE=$(fds)
python3 "$SLOW" upload-pack "$HOSTPORT" 127.0.0.2 40 20 /alice/pub.git/git-upload-pack "$SHA" >"$E2E_TMP/up.json" &
UP=$!
python3 "$SLOW" download "$HOSTPORT" 127.0.0.3 40 20 /alice/pub/resolve/main/big.bin >"$E2E_TMP/down.json" &
DOWN=$!
python3 "$SLOW" slowloris "$HOSTPORT" 127.0.0.4 40 20 >"$E2E_TMP/loris.json" &
LORIS=$!
sleep 4
python3 "$SLOW" idle "$HOSTPORT" 127.0.0.5 70 >"$E2E_TMP/idle.json"
worst=0
for i in $(seq 1 10); do
  for p in /api/health /api/models /alice/pub /; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -m 10 "$URL$p")
    worst=$(python3 -c "print(max($worst, $t))")
  done
  sleep 0.5
done
check "health, API and pages answer within 2 s under 160 slow connections (worst ${worst}s)" python3 -c "import sys; sys.exit(0 if $worst < 2 else 1)"
T0=$(date +%s.%N)
check "a git clone works meanwhile" git clone -q "http://$HOSTPORT/alice/pub" "$E2E_TMP/clone-under-attack"
echo "clone under attack took $(python3 -c "import time; print(round(time.time() - $T0, 2))") s"
check "60 connections per address: 10 of 70 refused with 429, the rest served" \
  jq -e '.refused == 10 and .served == 60' "$E2E_TMP/idle.json" >/dev/null
wait $UP $DOWN $LORIS
echo "upload-pack: $(cat "$E2E_TMP/up.json") download: $(cat "$E2E_TMP/down.json") slowloris: $(cat "$E2E_TMP/loris.json")"
check "32 trickling upload-pack bodies per address ran, the other 8 were refused" \
  jq -e '.held == 32 and (.["dropped:ConnectionResetError"] // 0) + (.["dropped:BrokenPipeError"] // 0) == 8' "$E2E_TMP/up.json" >/dev/null
sleep 2
FDAFTER=$(fds)
check "descriptors back to the baseline after the attack ($FDBASE -> $FDAFTER)" test "$FDAFTER" -le $((FDBASE + 4))
check "hubd still answers" healthy
stop_hubd

# The minimum body rate, made strict: a body that trickles after its pre-read is dropped.
HUBD_MIN_BODY_RATE=65536 HUBD_RATE_GRACE_S=2 start_hubd "$DATA"
python3 "$SLOW" trickle "$HOSTPORT" 127.0.0.6 30 /alice/pub.git/git-upload-pack "$SHA" >"$E2E_TMP/trickle.json"
echo "trickle: $(cat "$E2E_TMP/trickle.json")"
check "a body under the minimum rate is dropped within seconds" jq -e '.dropped_after != null and .dropped_after < 15' "$E2E_TMP/trickle.json" >/dev/null
check "hubd still answers" healthy
stop_hubd

finish
