#!/usr/bin/env bash
# Issue 3 end to end with the real git + git-lfs: push/clone of large files (local store, then
# S3 through a real s3rver), dedup, the batch API's variants and errors, signed-URL abuse,
# truncated and wrong uploads, no cross-repo leaks, kill -9 mid-upload, and bounded memory.
HUBD=$(realpath "${1:?usage: lfs_test.sh path/to/hubd}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null
PY=$(command -v python3)
S3PID=""
trap 'cleanup; [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null' EXIT

DATA="$E2E_TMP/data"
start_hubd "$DATA"
HUBD_PORT_WANTED=${HOSTPORT##*:}
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
ALICE_READ=$("$HUBD" token create alice --role read --data "$DATA")
mkrepo() { curl -sf -o /dev/null -H "Authorization: Bearer $1" -X POST "$URL/api/repos/create" -d "$2"; }
mkrepo "$ALICE" '{"name":"m"}'
mkrepo "$ALICE" '{"name":"m2"}'
mkrepo "$ALICE" '{"name":"priv","private":true}'
mkrepo "$ALICE" '{"name":"d","type":"dataset"}'
mkrepo "$BOB" '{"name":"b"}'

oid_of() { sha256sum "$1" | cut -c1-64; }
puts() { grep -c 'method=PUT path=/api/lfs-objects/' "$HUBD_LOG"; }
verifies() { grep -c 'path=[^ ]*/info/lfs/verify status=200' "$HUBD_LOG"; }
# batch TOKEN REPO_PATH OP OID SIZE [extra JSON fields]: one-object batch; sets STATUS/BODY/HEADERS.
batch() {
  local auth=()
  [ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
  http POST "$2/info/lfs/objects/batch" "${auth[@]}" -H 'Accept: application/vnd.git-lfs+json' \
    -H 'Content-Type: application/vnd.git-lfs+json' \
    -d "{\"operation\":\"$3\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$4\",\"size\":$5}]${6:-}}"
}
obj_path() { echo "$DATA/lfs/${1:0:2}/${1:2:2}/$1"; }
no_temps() { [ -z "$(ls "$DATA/tmp" | grep '^lfs-.*\.part$')" ]; }
eventually() {  # eventually CMD...: true once CMD succeeds, polling for up to 20 s (loaded CI)
  for _ in $(seq 200); do "$@" && return 0; sleep 0.1; done
  return 1
}

# ---- git + git-lfs: 50 MB and small files, clone elsewhere, fsck ----
cd "$E2E_TMP"
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m" w
git -C w lfs track '*.bin' >/dev/null
head -c 50000000 /dev/urandom > w/big.bin
for i in 1 2 3 4 5; do head -c $((i * 1000)) /dev/urandom > w/small$i.bin; done
echo "plain text" > w/readme.txt
git -C w add -A && git -C w commit -qm "add LFS files"
check "git push with 50 MB + small LFS files" git -C w push -q origin main
BIG=$(oid_of w/big.bin)
check "the object is stored content-addressed" cmp -s w/big.bin "$(obj_path "$BIG")"
check "no upload temps left" no_temps
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m" c1
check "clone elsewhere: big file identical" cmp w/big.bin c1/big.bin
check "clone elsewhere: small files identical" bash -c 'for i in 1 2 3 4 5; do cmp -s "$0/small$i.bin" "$1/small$i.bin" || exit 1; done' w c1
check "git lfs fsck is clean" bash -c "cd c1 && git lfs fsck >/dev/null"
check "anonymous clone of the public repo gets the LFS bytes" bash -c "git clone -q $URL/alice/m c2 && cmp -s w/big.bin c2/big.bin"

# Second push of the same bytes (new name, new commit): nothing uploaded, nothing verified.
P0=$(puts); V0=$(verifies)
cp w/big.bin w/big-copy.bin && git -C w add big-copy.bin && git -C w commit -qm copy
check "push of a commit re-adding the same file" git -C w push -q origin main
check "second push uploads nothing (no PUT, no verify)" test "$(puts)" = "$P0" -a "$(verifies)" = "$V0"
# The same file into alice's other repo: dedup across repos (she can read it in alice/m).
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m2" w2
git -C w2 lfs track '*.bin' >/dev/null && cp w/big.bin w2/same.bin && git -C w2 add -A && git -C w2 commit -qm same
check "push the same file into another repo" git -C w2 push -q origin main
check "cross-repo dedup uploads nothing" test "$(puts)" = "$P0"
check "the other repo serves it" bash -c "git clone -q $URL/alice/m2 c3 && cmp -s w/big.bin c3/same.bin"

# ---- the batch API as the Python/JS clients call it ----
SMALL=$(oid_of w/small1.bin)
batch "$ALICE" /alice/m download "$SMALL" 1000
check "download batch: 200, LFS content type, basic, sha256" bash -c "[ $STATUS = 200 ] && grep -qi '^content-type: application/vnd.git-lfs+json' <<<\"\$0\" && [ \"\$(jq -r '.transfer+\" \"+.hash_algo' <<<\"\$1\")\" = 'basic sha256' ]" "$HEADERS" "$BODY"
HREF=$(jq -r '.objects[0].actions.download.href' <<<"$BODY")
check "download action: href, expires_in, authenticated" test "$(jq -r '.objects[0] | (.authenticated|tostring)+" "+(.actions.download.expires_in|tostring)' <<<"$BODY")" = "true 3600"
check "download href serves the bytes without credentials" bash -c "curl -sf '$HREF' | cmp -s - w/small1.bin"
check "Range on the href: 206 and exactly those bytes" bash -c "[ \"\$(curl -s -o $E2E_TMP/r.bin -w '%{http_code}' -r 100-199 '$HREF')\" = 206 ] && cmp -s $E2E_TMP/r.bin <(tail -c +101 w/small1.bin | head -c 100)"
check "suffix Range" bash -c "curl -s -r -10 '$HREF' | cmp -s - <(tail -c 10 w/small1.bin)"
check "Range past the end is 416" test "$(curl -s -o /dev/null -w '%{http_code}' -r 5000-6000 "$HREF")" = 416
check "HEAD on the href gives the size" bash -c "curl -sI '$HREF' | grep -qi '^content-length: 1000'"
batch "$ALICE" /alice/m.git download "$SMALL" 1000 ',"hash_algo":"sha_256","ref":{"name":"main"}'
check "JS variant: hash_algo sha_256, ref main, .git suffix" test "$STATUS" = 200 -a "$(jq -r '.objects[0].actions.download.href|length>0' <<<"$BODY")" = true
batch "$ALICE" /alice/m download "$SMALL" 1000 ',"ref":{"name":"refs/heads/main"}'
check "git-lfs variant: refs/heads/main, no hash_algo" test "$STATUS" = 200
batch "$ALICE" /alice/m download "$SMALL" 1000 ',"ref":null,"transfers":null'
check "ref null, transfers null" test "$STATUS" = 200
batch "$ALICE" /datasets/alice/d upload "$SMALL" 1000
check "datasets/ prefix: cross-repo dedup links without upload" test "$STATUS" = 200 -a "$(jq -r '.objects[0].actions' <<<"$BODY")" = null
NEW=$(printf 'never uploaded' | sha256sum | cut -c1-64)
batch "$ALICE" /alice/m upload "$NEW" 14
check "upload batch: upload + verify actions, authenticated" test "$(jq -r '.objects[0] | [.authenticated, (.actions.upload.href|length>0), (.actions.verify.href|length>0), .actions.upload.expires_in] | map(tostring) | join(" ")' <<<"$BODY")" = "true true true 3600"
UP=$(jq -r '.objects[0].actions.upload.href' <<<"$BODY")
VERIFY=$(jq -r '.objects[0].actions.verify.href' <<<"$BODY")
batch "$ALICE" /alice/m download "$NEW" 14
check "download of a missing object: per-object 404" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
batch "$ALICE" /alice/m upload "$BIG" 50000000
check "upload batch for a stored object: no actions" test "$(jq -r '.objects[0].actions' <<<"$BODY")" = null
batch "$ALICE" /alice/m upload "zz$(printf 'a%.0s' $(seq 62))" 5
check "oid not 64 hex: per-object 422" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 422
batch "$ALICE" /alice/m upload "${NEW^^}" 5
check "uppercase oid: per-object 422" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 422
batch "$ALICE" /alice/m download "../../../../etc/passwd" 5
check "path traversal in oid: per-object 422" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 422
batch "$ALICE" /alice/m upload "$NEW" -1
check "negative size: per-object 422" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 422
batch "$ALICE" /alice/m upload "$NEW" '"12"'
check "size not a number: per-object 422" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 422
expect_error 400 "malformed batch JSON" POST /alice/m/info/lfs/objects/batch -H "Authorization: Bearer $ALICE" -d '{"operation":'
expect_error 422 "unknown operation" POST /alice/m/info/lfs/objects/batch -H "Authorization: Bearer $ALICE" -d '{"operation":"delete","objects":[]}'
expect_error 422 "objects not an array" POST /alice/m/info/lfs/objects/batch -H "Authorization: Bearer $ALICE" -d '{"operation":"download","objects":{}}'
expect_error 409 "unsupported hash_algo" POST /alice/m/info/lfs/objects/batch -H "Authorization: Bearer $ALICE" -d '{"operation":"download","hash_algo":"md5","objects":[]}'
expect_error 422 "no basic transfer offered" POST /alice/m/info/lfs/objects/batch -H "Authorization: Bearer $ALICE" -d '{"operation":"download","transfers":["xet"],"objects":[]}'
check "errors carry git-lfs {message}" test "$(jq -r '.message|length>0' <<<"$BODY")" = true
batch "$BOB" /alice/m upload "$NEW" 14
check "upload to someone else's repo: 403" test "$STATUS" = 403
batch "$ALICE_READ" /alice/m upload "$NEW" 14
check "upload with a read token: 403" test "$STATUS" = 403
# Passwords only at the web log-in (issue 14 #9): git-lfs gets a 401 challenge saying to use a token.
http POST /alice/m/info/lfs/objects/batch -u alice:alicepass1 -d "{\"operation\":\"download\",\"objects\":[{\"oid\":\"$SMALL\",\"size\":1000}]}"
check "Basic auth with user + password is refused with a token hint" test "$STATUS" = 401 -a "$(jq -r '.message|test("access token")' <<<"$BODY")" = true
http POST /alice/m/info/lfs/objects/batch -u alice:"$ALICE" -d "{\"operation\":\"download\",\"objects\":[{\"oid\":\"$SMALL\",\"size\":1000}]}"
check "Basic auth with user + token works (as git sends it)" test "$STATUS" = 200 -a "$(jq -r '.objects[0].actions.download.href|length>0' <<<"$BODY")" = true
http POST /alice/m/info/lfs/objects/batch -u anyone:"$ALICE" -d "{\"operation\":\"upload\",\"objects\":[{\"oid\":\"$SMALL\",\"size\":1000}]}"
check "Basic auth with any user + token works" test "$STATUS" = 200
batch "" /alice/m upload "$NEW" 14
check "anonymous upload: 401 with LFS-Authenticate Basic" bash -c "[ $STATUS = 401 ] && grep -qi '^lfs-authenticate: basic realm=' <<<\"\$0\"" "$HEADERS"
http POST /alice/m/info/lfs/locks/verify -H "Authorization: Bearer $ALICE" -d '{"ref":{"name":"refs/heads/main"},"limit":100}'
check "locks/verify: 404 {message: Not found}" test "$STATUS" = 404 -a "$(jq -r .message <<<"$BODY")" = "Not found"
http GET /alice/m/info/lfs/locks -H "Authorization: Bearer $ALICE"
check "other locks routes: 404" test "$STATUS" = 404

# ---- the signed upload href: wrong bytes, wrong size, truncated, tampered, expired ----
printf 'never uploadeX' > "$E2E_TMP/wrong.bin"   # 14 bytes that do not hash to NEW
http PUT "${UP#$URL}" --data-binary @"$E2E_TMP/wrong.bin"
check "bytes with another sha256: 422, nothing stored" test "$STATUS" = 422 -a ! -e "$(obj_path "$NEW")"
check "  no temp left behind" no_temps
http PUT "${UP#$URL}" --data-binary 'never uploaded!'
check "size mismatch (Content-Length): 400, nothing stored" test "$STATUS" = 400 -a ! -e "$(obj_path "$NEW")"
http PUT "${UP#$URL}" -H 'Transfer-Encoding: chunked' --data-binary 'never uploaded, and more'
check "too many bytes (chunked): 422, nothing stored" test "$STATUS" = 422 -a ! -e "$(obj_path "$NEW")"
# A client that dies half way through the body.
"$PY" - "$HOSTPORT" "${UP#$URL}" <<'EOF'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(f"PUT {sys.argv[2]} HTTP/1.1\r\nHost: {sys.argv[1]}\r\nContent-Length: 14\r\n\r\nnever u".encode())
s.close()
EOF
check "truncated upload: no temp once the server saw the connection drop" eventually no_temps
check "truncated upload: nothing visible" test ! -e "$(obj_path "$NEW")"
check "healthy after the dropped connection" healthy
T_BAD=$(sed 's/token=\(.\)/token=X\1/' <<<"$UP")
http PUT "${T_BAD#$URL}" --data-binary 'never uploaded'
check "tampered token: 401" test "$STATUS" = 401 -a ! -e "$(obj_path "$NEW")"
R_BAD=$(sed 's/repo=[0-9]*/repo=5/' <<<"$UP")
http PUT "${R_BAD#$URL}" --data-binary 'never uploaded'
check "token moved to another repo: 401" test "$STATUS" = 401
http PUT "/api/lfs-objects/$SMALL?${UP#*\?}" --data-binary 'never uploaded'
check "token for another oid: 403" test "$STATUS" = 403
http PUT "${HREF#$URL}" --data-binary @w/small1.bin
check "download token used to upload: 403" test "$STATUS" = 403
expect_error 403 "path traversal in the href oid" PUT "/api/lfs-objects/..%2F..%2F..%2Fetc%2Fpasswd?${UP#*\?}" --data-binary x
# Tokens signed by hand with the server secret: an expired one fails, a live one works (so the
# expired case fails for its expiry, not for a signing mistake).
mint() {  # mint OP OID SIZE EXPIRES REPO_ID
  "$PY" - "$DATA/hubd.db" "$@" <<'EOF'
import base64, hashlib, hmac, sqlite3, sys
# The secret is in the database (settings; issue 18: every node signs with the same one).
secret = sqlite3.connect(sys.argv[1]).execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()[0].encode()
op, oid, size, exp, repo = sys.argv[2:7]
key = hmac.new(secret, b"lfs-href repo " + repo.encode(), hashlib.sha256).hexdigest().encode()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
p = b64(f"v1 {op} {oid} {size} {exp}".encode())
print(p + "." + b64(hmac.new(key, b"hubd-lfs-url-v1\n" + p.encode(), hashlib.sha256).digest()))
EOF
}
RID=$(sed 's/.*repo=\([0-9]*\).*/\1/' <<<"$UP")
http PUT "/api/lfs-objects/$NEW?repo=$RID&token=$(mint upload "$NEW" 14 $(( $(date +%s) - 5 )) "$RID")" --data-binary 'never uploaded'
check "expired token: 401 TokenExpired-style message" bash -c "[ $STATUS = 401 ] && grep -qi expired <<<\"\$0\" && [ ! -e '$(obj_path "$NEW")' ]" "$BODY"
http PUT "/api/lfs-objects/$NEW?repo=$RID&token=$(mint upload "$NEW" 14 $(( $(date +%s) + 60 )) "$RID")" --data-binary 'never uploaded'
check "retry with a valid token stores it" test "$STATUS" = 200 -a -e "$(obj_path "$NEW")"
http POST "${VERIFY#$URL}" -d "{\"oid\":\"$NEW\",\"size\":14}"
check "verify with the issued href: 200" test "$STATUS" = 200
http POST "/alice/m.git/info/lfs/verify" -H "Authorization: Bearer $ALICE" -d "{\"oid\":\"$SMALL\",\"size\":999}"
check "verify with the wrong size: 422" test "$STATUS" = 422
MISSING=$(printf 'missing' | sha256sum | cut -c1-64)
http POST "/alice/m.git/info/lfs/verify" -H "Authorization: Bearer $ALICE" -d "{\"oid\":\"$MISSING\",\"size\":7}"
check "verify of an object never uploaded: 404" test "$STATUS" = 404
check "verify without credentials or token: 401" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/alice/m.git/info/lfs/verify" -d "{\"oid\":\"$NEW\",\"size\":14}")" = 401

# ---- no leaks: an object is readable through a repo only if that repo references it ----
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/priv" p
git -C p lfs track '*.bin' >/dev/null
head -c 300000 /dev/urandom > p/secret.bin && git -C p add -A && git -C p commit -qm secret && git -C p push -q origin main
SECRET=$(oid_of p/secret.bin)
batch "" /alice/priv download "$SECRET" 300000
check "private repo, anonymous: 401 + LFS-Authenticate" bash -c "[ $STATUS = 401 ] && grep -qi '^lfs-authenticate: basic' <<<\"\$0\"" "$HEADERS"
batch "$BOB" /alice/priv download "$SECRET" 300000
check "private repo, another user: 404" test "$STATUS" = 404
check "private repo: git-lfs with credentials clones it" bash -c "git clone -q http://alice:$ALICE@$HOSTPORT/alice/priv pc && cmp -s p/secret.bin pc/secret.bin"
batch "$BOB" /bob/b download "$SECRET" 300000
check "bob asks his own repo for alice's private oid: per-object 404" test "$STATUS" = 200 -a "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
# Bob pushes a pointer naming that oid (he learned it somehow) and asks again. --no-verify
# skips git-lfs's pre-push upload, so only the server's scan of pushed commits can link.
git clone -q "http://bob:$BOB@$HOSTPORT/bob/b" bw
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 300000\n' "$SECRET" > bw/stolen.dat
git -C bw add stolen.dat && git -C bw commit -qm ptr && git -C bw push -q --no-verify origin main
batch "$BOB" /bob/b download "$SECRET" 300000
check "a pushed pointer to someone else's private object opens nothing" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
batch "$BOB" /bob/b upload "$SECRET" 300000
check "upload batch does not dedup it for bob either (must send the bytes)" test "$(jq -r '.objects[0].actions.upload.href|length>0' <<<"$BODY")" = true
git clone -q "$URL/bob/b" bc && (cd bc && git lfs fetch --all >/dev/null 2>&1)
check "git lfs fetch from bob's repo does not get the bytes" test ! -e "bc/.git/lfs/objects/${SECRET:0:2}/${SECRET:2:2}/$SECRET"
# A pointer to a public repo's object is fine to link (nothing private in it).
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 50000000\n' "$BIG" > bw/public.dat
git -C bw add public.dat && git -C bw commit -qm pub && git -C bw push -q --no-verify origin main
batch "$BOB" /bob/b download "$BIG" 50000000
check "a pushed pointer to a public object links it (commit scan)" test "$(jq -r '.objects[0].actions.download.href|length>0' <<<"$BODY")" = true
# Alice pushing a pointer to her own object into another of her repos links it (same owner).
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m2" a2
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 300000\n' "$SECRET" > a2/moved.dat
git -C a2 add moved.dat && git -C a2 commit -qm ptr && git -C a2 push -q --no-verify origin main
batch "$ALICE" /alice/m2 download "$SECRET" 300000
check "a pushed pointer links the owner's own object (commit scan)" test "$(jq -r '.objects[0].actions.download.href|length>0' <<<"$BODY")" = true

# ---- kill -9 during a large upload; restart; nothing partial; temps cleaned ----
head -c 300000000 /dev/urandom > "$E2E_TMP/huge.bin"
HUGE=$(oid_of "$E2E_TMP/huge.bin")
batch "$ALICE" /alice/m upload "$HUGE" 300000000
HUP=$(jq -r '.objects[0].actions.upload.href' <<<"$BODY")
curl -s -o /dev/null --limit-rate 40M -X PUT --data-binary @"$E2E_TMP/huge.bin" "$HUP" &
CURL=$!
eventually bash -c "ls '$DATA/tmp' | grep -q part"
sleep 1
check "an upload temp exists mid-upload" bash -c "ls '$DATA/tmp' | grep -q '^lfs-.*\.part$'"
"$HUBD" token create bob --data "$DATA" >/dev/null  # opens the store beside the server
check "a CLI command beside serve leaves the live upload's temp alone" bash -c "ls '$DATA/tmp' | grep -q '^lfs-.*\.part$'"
kill -9 "$HUBD_PID"; wait "$HUBD_PID" 2>/dev/null; HUBD_PID=""
wait "$CURL" 2>/dev/null
check "after kill -9: no partial object" test ! -e "$(obj_path "$HUGE")"
start_hubd "$DATA"
check "restart cleans the upload temps" no_temps
batch "$ALICE" /alice/m download "$HUGE" 300000000
check "the object is not visible after restart" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404

# ---- memory: a 300 MB upload and download with hubd's peak RSS bounded ----
rss_kb() { awk "/^$1:/ {print \$2}" "/proc/$HUBD_PID/status"; }
healthy
IDLE=$(rss_kb VmRSS)
batch "$ALICE" /alice/m upload "$HUGE" 300000000
check "retry of the crashed upload succeeds" bash -c "curl -sf -o /dev/null -X PUT --data-binary @'$E2E_TMP/huge.bin' '$(jq -r '.objects[0].actions.upload.href' <<<"$BODY")' && cmp -s '$E2E_TMP/huge.bin' '$(obj_path "$HUGE")'"
batch "$ALICE" /alice/m download "$HUGE" 300000000
check "300 MB download through the href is identical" bash -c "curl -sf '$(jq -r '.objects[0].actions.download.href' <<<"$BODY")' | cmp -s - '$E2E_TMP/huge.bin'"
PEAK=$(rss_kb VmHWM)
echo "hubd RSS: idle ${IDLE} kB, peak ${PEAK} kB"
check "peak RSS stays within idle + 100 MB during 300 MB transfers" test $((PEAK - IDLE)) -lt 102400
rm -f "$E2E_TMP/huge.bin"
stop_hubd

# ---- the same push/clone against S3 (s3rver), with presigned URLs ----
S3RVER="$ROOT/tests/node_modules/s3rver/bin/s3rver.js"
if command -v node >/dev/null && [ -f "$S3RVER" ]; then
  mkdir -p "$E2E_TMP/s3"
  node "$S3RVER" -d "$E2E_TMP/s3" -a 127.0.0.1 -p 0 -s >"$E2E_TMP/s3.log" 2>&1 &
  S3PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$E2E_TMP/s3.log" && break; sleep 0.1; done
  S3PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$E2E_TMP/s3.log")
  curl -s -o /dev/null -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 aws:amz:us-east-1:s3 \
    --user S3RVER:S3RVER "http://127.0.0.1:$S3PORT/hub"
  HUBD_PORT_WANTED=0
  start_hubd "$E2E_TMP/data-s3" --blobs "s3://hub?endpoint=http://127.0.0.1:$S3PORT&region=us-east-1&access_key=S3RVER&secret_key=S3RVER"
  mkrepo "$ADMIN_TOKEN" '{"name":"s3m"}'
  git clone -q "http://admin:$ADMIN_TOKEN@$HOSTPORT/admin/s3m" s3w
  git -C s3w lfs track '*.bin' >/dev/null
  cp w/big.bin w/small*.bin s3w/ && git -C s3w add -A && git -C s3w commit -qm "LFS on S3"
  check "S3: git push with 50 MB + small LFS files" git -C s3w push -q origin main
  batch "$ADMIN_TOKEN" /admin/s3m download "$BIG" 50000000
  check "S3: download href is a presigned S3 URL" grep -q "127.0.0.1:$S3PORT/hub/" <<<"$(jq -r '.objects[0].actions.download.href' <<<"$BODY")"
  check "S3: no local object files" test -z "$(find "$E2E_TMP/data-s3/lfs" -type f)"
  git clone -q "http://admin:$ADMIN_TOKEN@$HOSTPORT/admin/s3m" s3c
  check "S3: clone elsewhere, big file identical" cmp w/big.bin s3c/big.bin
  check "S3: small files identical" bash -c 'for i in 1 2 3 4 5; do cmp -s "$0/small$i.bin" "$1/small$i.bin" || exit 1; done' w s3c
  check "S3: git lfs fsck is clean" bash -c "cd s3c && git lfs fsck >/dev/null"
  V0=$(verifies)
  cp s3w/big.bin s3w/again.bin && git -C s3w add -A && git -C s3w commit -qm again && git -C s3w push -q origin main
  check "S3: second push of the same file uploads nothing (no verify)" test "$(verifies)" = "$V0"
  batch "$ADMIN_TOKEN" /admin/s3m upload "$NEW" 14
  S3UP=$(jq -r '.objects[0].actions.upload.href' <<<"$BODY"); S3V=$(jq -r '.objects[0].actions.verify.href' <<<"$BODY")
  curl -s -o /dev/null -X PUT --data-binary @"$E2E_TMP/wrong.bin" "$S3UP"
  http POST "${S3V#$URL}" -d "{\"oid\":\"$NEW\",\"size\":14}"
  check "S3: wrong bytes through the presigned URL are refused at verify (422)" test "$STATUS" = 422
  batch "$ADMIN_TOKEN" /admin/s3m download "$NEW" 14
  check "S3: and are not visible" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
  # Issue 14: presigned uploads are staged per repo. Eve holds an upload grant for the same oid
  # in her own repo while admin uploads it to a private one: she can neither publish admin's
  # staged bytes through her repo nor spoil them with her own.
  "$HUBD" user add eve --password evepass123 --data "$E2E_TMP/data-s3" >/dev/null
  EVE=$("$HUBD" token create eve --role write --data "$E2E_TMP/data-s3")
  mkrepo "$ADMIN_TOKEN" '{"name":"s3vault","private":true}'
  mkrepo "$EVE" '{"name":"e"}'
  head -c 4000 /dev/urandom > "$E2E_TMP/secret.bin"; SECRET=$(oid_of "$E2E_TMP/secret.bin")
  head -c 4000 /dev/urandom > "$E2E_TMP/junk.bin"
  batch "$ADMIN_TOKEN" /admin/s3vault upload "$SECRET" 4000
  A_UP=$(jq -r '.objects[0].actions.upload.href' <<<"$BODY"); A_V=$(jq -r '.objects[0].actions.verify.href' <<<"$BODY")
  batch "$EVE" /eve/e upload "$SECRET" 4000
  E_UP=$(jq -r '.objects[0].actions.upload.href' <<<"$BODY"); E_V=$(jq -r '.objects[0].actions.verify.href' <<<"$BODY")
  check "S3: two repos' grants for one oid stage at different keys" test "$A_UP" != "$E_UP"
  curl -s -o /dev/null -X PUT --data-binary @"$E2E_TMP/secret.bin" "$A_UP"
  http POST "${E_V#$URL}" -H "Authorization: Bearer $EVE" -d "{\"oid\":\"$SECRET\",\"size\":4000}"
  check "S3: verify through another repo does not publish the staged bytes (404)" test "$STATUS" = 404
  batch "$EVE" /eve/e download "$SECRET" 4000
  check "S3: and they are not readable there" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
  curl -s -o /dev/null -X PUT --data-binary @"$E2E_TMP/junk.bin" "$E_UP"
  http POST "${A_V#$URL}" -H "Authorization: Bearer $ADMIN_TOKEN" -d "{\"oid\":\"$SECRET\",\"size\":4000}"
  check "S3: the uploader's own verify still publishes its bytes" test "$STATUS" = 200
  batch "$ADMIN_TOKEN" /admin/s3vault download "$SECRET" 4000
  curl -s -o "$E2E_TMP/secret.back" "$(jq -r '.objects[0].actions.download.href' <<<"$BODY")"
  check "S3: and they are the uploader's bytes, not eve's" cmp "$E2E_TMP/secret.bin" "$E2E_TMP/secret.back"
  batch "$EVE" /eve/e download "$SECRET" 4000
  check "S3: still not readable through eve's repo" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
  stop_hubd
else
  failed "node or s3rver missing: S3 part not run"
fi
finish
