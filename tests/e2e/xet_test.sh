#!/usr/bin/env bash
# Issue 16 end to end: Xet uploads and downloads against a real hubd.
#  - xet_py_flow.mjs: hf_xet's calls in hf_xet's order (token, dedup query, xorb, v2 shard,
#    commit by sha256, ranged v2 reconstructions), hashing with xet-core's own WebAssembly; a
#    changed copy dedups; then the attacks (bad xorbs and shards, tokens, strangers, probes).
#  - xet_js_client.mjs: the real @huggingface/hub uploadFiles through xorbs and a shard,
#    downloadFile through reconstructions, and a changed copy that sends only the new chunks.
#  - plain clients get the same bytes: curl of resolve (whole and Range), git + git-lfs clone.
HUBD=$(realpath "${1:?usage: xet_test.sh path/to/hubd}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null
MODULES="$HERE/../node_modules"
if [ ! -d "$MODULES/@huggingface/hub/src/vendor/xet-chunk" ]; then
  echo "FAIL: tests/node_modules/@huggingface/hub is missing (bash scripts/npm-deps.sh)"; exit 1
fi

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
mk() {  # mk TOKEN NAME PRIVATE
  curl -sf -o /dev/null -H "Authorization: Bearer $1" -X POST "$URL/api/repos/create" -d "{\"name\":\"$2\",\"private\":$3}"
}
mk "$ALICE" py-private true && mk "$ALICE" py-copy false && mk "$BOB" bob-repo false
mk "$ALICE" xet-js false && mk "$ALICE" xet-js2 false || { echo "FAIL: repo creation"; exit 1; }

# 12 MB of random bytes, and a copy with 1 MB in its middle replaced.
F1="$E2E_TMP/f1.bin" F2="$E2E_TMP/f2.bin"
head -c 12000000 /dev/urandom >"$F1"
cp "$F1" "$F2"
head -c 1000000 /dev/urandom | dd of="$F2" bs=1000000 seek=6 conv=notrunc status=none
# The JS client gets files of its own (its first upload must send everything).
F3="$E2E_TMP/f3.bin" F4="$E2E_TMP/f4.bin"
head -c 12000000 /dev/urandom >"$F3"
cp "$F3" "$F4"
head -c 1000000 /dev/urandom | dd of="$F4" bs=1000000 seek=5 conv=notrunc status=none
SHA1=$(sha256sum "$F3" | cut -d' ' -f1)

cd "$HERE"
HUB_URL=$URL ALICE=$ALICE BOB=$BOB MODULES=$MODULES FILE1=$F1 FILE2=$F2 CRASH_DIR=$E2E_TMP timeout 300 node xet_py_flow.mjs
check "hf_xet protocol flow and attacks" test $? -eq 0
HUB_URL=$URL HF_TOKEN=$ALICE REPO1=alice/xet-js REPO2=alice/xet-js2 FILE1=$F3 FILE2=$F4 timeout 300 node xet_js_client.mjs
check "JS client through Xet" test $? -eq 0

# Plain clients: resolve serves the bytes rebuilt from xorbs (the JS upload stored no LFS object).
got=$(curl -sf -H "Authorization: Bearer $ALICE" "$URL/alice/xet-js/resolve/main/big.bin" | sha256sum | cut -d' ' -f1)
check "curl of resolve returns the uploaded bytes" test "$got" = "$SHA1"
want=$(tail -c +5000001 "$F3" | head -c 3000000 | sha256sum | cut -d' ' -f1)
HEADERS=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $ALICE" -H "Range: bytes=5000000-7999999" "$URL/alice/xet-js/resolve/main/big.bin")
STATUS=$(head -1 <<<"$HEADERS" | awk '{print $2}')
got=$(curl -s -H "Authorization: Bearer $ALICE" -H "Range: bytes=5000000-7999999" "$URL/alice/xet-js/resolve/main/big.bin" | sha256sum | cut -d' ' -f1)
check "Range on resolve: 206 with the right bytes" test "$STATUS" = 206 -a "$got" = "$want"
check "Range: Content-Range names the file size" grep -qi "^content-range: bytes 5000000-7999999/12000000" <<<"$HEADERS"
HEADERS=$(curl -s -I -H "Authorization: Bearer $ALICE" "$URL/alice/xet-js/resolve/main/big.bin")
check "resolve HEAD carries X-Xet-Hash" grep -qiE '^x-xet-hash: [0-9a-f]{64}' <<<"$HEADERS"
check "resolve HEAD carries the xet-auth link" grep -qi 'xet-read-token/[0-9a-f]\{40\}>; rel="xet-auth"' <<<"$HEADERS"
check "resolve HEAD keeps X-Linked-Etag = sha256" grep -qi "^x-linked-etag: \"$SHA1\"" <<<"$HEADERS"
http GET "/api/models/alice/xet-js/tree/main" -H "Authorization: Bearer $ALICE"
jqq() { jq -e "$@" >/dev/null; }
check "tree listing carries xetHash and lfs" jqq '.[] | select(.path=="big.bin") | (.xetHash|test("^[0-9a-f]{64}$")) and .lfs.oid != null' <<<"$BODY"
http GET "/alice/py-private/resolve/main/big.bin"
check "anonymous resolve of the private Xet file is refused" test "$STATUS" = 401 -o "$STATUS" = 404

cd "$E2E_TMP"
check "git clone (git-lfs smudge through the LFS batch)" git clone -q "http://alice:$ALICE@$HOSTPORT/alice/xet-js" clone
got=$(sha256sum clone/big.bin 2>/dev/null | cut -d' ' -f1)
check "git-lfs clone gives identical bytes" test "$got" = "$SHA1"
check "the commit stored an LFS pointer" sh -c "git -C clone cat-file -p HEAD:big.bin | grep -q 'oid sha256:$SHA1'"
check "server healthy at the end" healthy

# Crash safety: kill -9 while a xorb, then a shard, is half received (the rest of the body is
# still in our FIFO, so the server cannot have it): after a restart nothing is registered and
# the retry succeeds as a first upload would.
read -r XH FH FSHA <"$E2E_TMP/crash.ids"
CAS="$URL/xet-cas"
WT=$(curl -sf -H "Authorization: Bearer $ALICE" "$URL/api/models/alice/py-copy/xet-write-token/main" | jq -r .accessToken)
half_upload_then_kill() {  # half_upload_then_kill FILE PATH
  local fifo="$E2E_TMP/fifo.$RANDOM" size
  size=$(stat -c %s "$1")
  mkfifo "$fifo"
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $WT" -H "Content-Length: $size" -T "$fifo" "$CAS$2" &
  local curl_pid=$!
  exec 9>"$fifo"
  head -c $((size / 2)) "$1" >&9
  sleep 0.5  # lets the bytes reach the server; the outcome does not depend on it
  kill -9 "$HUBD_PID"
  wait "$HUBD_PID" 2>/dev/null
  HUBD_PID=""
  exec 9>&-
  wait "$curl_pid" 2>/dev/null
  rm -f "$fifo"
  start_hubd "$DATA"
  CAS="$URL/xet-cas"
}
half_upload_then_kill "$E2E_TMP/crash.xorb" "/v1/xorbs/default/$XH"
http POST "/xet-cas/v1/xorbs/default/$XH" -H "Authorization: Bearer $WT" --data-binary @"$E2E_TMP/crash.xorb"
check "after kill -9 mid-xorb, the retry stores it as new" test "$STATUS" = 200 -a "$BODY" = '{"was_inserted":true}'
half_upload_then_kill "$E2E_TMP/crash.shard" "/v1/shards"
http GET "/xet-cas/v2/reconstructions/$FH" -H "Authorization: Bearer $WT"
check "after kill -9 mid-shard, its file is not registered" test "$STATUS" = 404
http POST "/xet-cas/v1/shards" -H "Authorization: Bearer $WT" --data-binary @"$E2E_TMP/crash.shard"
check "the shard retry registers it" test "$STATUS" = 200 -a "$BODY" = '{"result":1}'
http POST "/api/models/alice/py-copy/commit/main" -H "Authorization: Bearer $ALICE" -H "Content-Type: application/x-ndjson" \
  --data-binary "$(printf '%s\n%s' '{"key":"header","value":{"summary":"crash retry"}}' "{\"key\":\"lfsFile\",\"value\":{\"path\":\"crash.bin\",\"algo\":\"sha256\",\"oid\":\"$FSHA\",\"size\":3000000}}")"
check "commit by sha256 after the retry" test "$STATUS" = 200
got=$(curl -sf "$URL/alice/py-copy/resolve/main/crash.bin" | sha256sum | cut -d' ' -f1)
check "and it downloads" test "$got" = "$FSHA"
finish
