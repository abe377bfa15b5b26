#!/usr/bin/env bash
# Issue 14, findings 2 and 3, attacked from outside with real git, git-lfs and curl:
#  2. Alice keeps LFS files in a private repo. Bob knows their sha256 oids and tries every way
#     to read or publish them through repos he owns or can read: git push of pointers, resolve
#     (GET/HEAD/Range), raw, LFS batch download, batch upload dedup, verify without upload, the
#     commit API's lfsFile with and without size (and as a pull request on alice's public repo),
#     the web file and safetensors views, the metrics API and page, inference model files, a
#     branch from alice's commit. He never gets a byte, and each answer is byte for byte the one
#     he gets for an oid that exists nowhere (status, X-Error-Message, body). Legit flows still
#     work: dedup across one owner's repos, dedup of public objects, commits of readable objects.
#  3. A pointer claiming 500 MB (or 100 GB) names a tiny stored object: metrics, the web views and
#     resolve answer cleanly while hubd's RSS (/proc/PID/status) stays flat.
HUBD=$(realpath "${1:?usage: security_lfs_test.sh path/to/hubd}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
mkrepo() { curl -sf -o /dev/null -H "Authorization: Bearer $1" -X POST "$URL/api/repos/create" -d "$2"; }
mkrepo "$ALICE" '{"name":"vault","private":true}'
mkrepo "$ALICE" '{"name":"pub"}'
mkrepo "$ALICE" '{"name":"copy","private":true}'
mkrepo "$BOB" '{"name":"b"}'
mkrepo "$BOB" '{"name":"b2"}'
mkrepo "$BOB" '{"name":"big"}'

oid_of() { sha256sum "$1" | cut -c1-64; }
size_of() { stat -c %s "$1"; }
ptr() { printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' "$1" "$2"; }
puts() { grep -c 'method=PUT path=/api/lfs-objects/' "$HUBD_LOG"; }
# sig VAR METHOD PATH [curl args]: VAR = the parts of a response an attacker compares: status,
# X-Error-Message and body (raw bytes, from curl's files). STATUS/BODY/HEADERS are set too.
sig() {
  local var=$1; shift
  http "$@"
  printf -v "$var" '%s\n%s\n%s' "$STATUS" "$(grep -i '^x-error-message:' <<<"$HEADERS" | tr -d '\r')" "$BODY"
}
# same "what" A B: the two answers are byte for byte equal.
same() {
  if [ "$2" = "$3" ]; then pass "$1"; else failed "$1: answers differ:"; diff <(echo "$2") <(echo "$3") | head -10; fi
}
batch() {  # batch TOKEN REPO_PATH OP OID SIZE: one-object LFS batch; sets STATUS/BODY/HEADERS
  http POST "$2.git/info/lfs/objects/batch" -H "Authorization: Bearer $1" -H 'Accept: application/vnd.git-lfs+json' \
    -H 'Content-Type: application/vnd.git-lfs+json' \
    -d "{\"operation\":\"$3\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$4\",\"size\":$5}]}"
}
commit_lfs() {  # commit_lfs VAR TOKEN REPO REV PATH OID [SIZE]: the commit API with one lfsFile line (sig)
  local var=$1; shift
  local size=""
  [ -n "${6:-}" ] && size=",\"size\":$6"
  sig "$var" POST "/api/models/$2/commit/$3" -H "Authorization: Bearer $1" -H 'Content-Type: application/x-ndjson' \
    --data-binary "{\"key\":\"header\",\"value\":{\"summary\":\"steal\"}}
{\"key\":\"lfsFile\",\"value\":{\"path\":\"$4\",\"algo\":\"sha256\",\"oid\":\"$5\"$size}}"
}

# ---- alice's secrets: a random file, a safetensors file with a telling tensor name, events ----
cd "$E2E_TMP"
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/vault" vault
git -C vault lfs track '*.bin' '*.safetensors' '*tfevents*' >/dev/null
head -c 300000 /dev/urandom > vault/secret.bin
python3 - vault/secret.safetensors <<'EOF'
import json, struct, sys
h = json.dumps({"SECRET_TENSOR_NAME": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"\0" * 8)
EOF
cp "$ROOT/tests/tensorboard/fixtures/events.out.tfevents.1700000000.root" vault/events.out.tfevents.secret
git -C vault add -A && git -C vault commit -qm secrets && git -C vault push -q origin main
check "alice's secrets went through LFS" bash -c "git -C vault lfs ls-files | grep -q secret.safetensors"
S_BIN=$(oid_of vault/secret.bin);             Z_BIN=$(size_of vault/secret.bin)
S_ST=$(oid_of vault/secret.safetensors);      Z_ST=$(size_of vault/secret.safetensors)
S_EV=$(oid_of vault/events.out.tfevents.secret); Z_EV=$(size_of vault/events.out.tfevents.secret)
VAULT_COMMIT=$(git -C vault rev-parse HEAD)
# Oids no repo holds, for the "absent" side of each comparison (same sizes as the secrets).
A_BIN=$(printf 'absent bin' | sha256sum | cut -c1-64)
A_ST=$(printf 'absent st' | sha256sum | cut -c1-64)
A_EV=$(printf 'absent ev' | sha256sum | cut -c1-64)

# ---- bob pushes pointers naming them (C1), then the same paths naming absent oids (C2) ----
git clone -q "http://bob:$BOB@$HOSTPORT/bob/b" bw
write_ptrs() {  # write_ptrs BIN_OID ST_OID EV_OID
  ptr "$1" "$Z_BIN" > bw/x.bin
  ptr "$2" "$Z_ST" > bw/x.safetensors
  ptr "$3" "$Z_EV" > bw/events.out.tfevents.x
  ptr "$2" "$Z_ST" > bw/model.safetensors
}
echo '{"architectures":["BertForSequenceClassification"],"model_type":"bert"}' > bw/config.json
write_ptrs "$S_BIN" "$S_ST" "$S_EV"
git -C bw add -A && git -C bw commit -qm "pointers to alice's oids"
check "git push of pointers to someone else's private oids is accepted as git data" git -C bw push -q --no-verify origin main
C1=$(git -C bw rev-parse HEAD)
write_ptrs "$A_BIN" "$A_ST" "$A_EV"
git -C bw commit -qam "pointers to absent oids" && git -C bw push -q --no-verify origin main
C2=$(git -C bw rev-parse HEAD)

# resolve: GET, HEAD, a Range, anonymous and as bob.
for who in anon bob; do
  auth=(); [ $who = bob ] && auth=(-H "Authorization: Bearer $BOB")
  sig B GET "/bob/b/resolve/$C2/x.bin" "${auth[@]}"
  sig S GET "/bob/b/resolve/$C1/x.bin" "${auth[@]}"
  check "resolve ($who): someone else's object is a 404" test "$STATUS" = 404
  check "  no byte of it comes back" test "${#BODY}" -lt 200
  same "  resolve ($who): 'not yours' = 'absent'" "$S" "$B"
  sig S HEAD "/bob/b/resolve/$C1/x.bin" "${auth[@]}"; sig B HEAD "/bob/b/resolve/$C2/x.bin" "${auth[@]}"
  same "  HEAD ($who): 'not yours' = 'absent'" "$S" "$B"
  sig S GET "/bob/b/resolve/$C1/x.bin" -r 0-99 "${auth[@]}"; sig B GET "/bob/b/resolve/$C2/x.bin" -r 0-99 "${auth[@]}"
  same "  Range ($who): 'not yours' = 'absent'" "$S" "$B"
  sig S GET "/bob/b/resolve/$C1/x.bin" -r 999999999- "${auth[@]}"; sig B GET "/bob/b/resolve/$C2/x.bin" -r 999999999- "${auth[@]}"
  same "  unsatisfiable Range ($who): 'not yours' = 'absent'" "$S" "$B"
done
http GET "/bob/b/raw/$C1/x.bin"
check "raw serves the pointer text, not the object" test "$BODY" = "$(ptr "$S_BIN" "$Z_BIN" | head -c -1)"

# LFS batch: download is a per-object 404 alike; upload asks for the bytes alike.
batch "$BOB" /bob/b download "$S_BIN" "$Z_BIN"; D1=$(jq -c '.objects[0].error' <<<"$BODY")
batch "$BOB" /bob/b download "$A_BIN" "$Z_BIN"; D2=$(jq -c '.objects[0].error' <<<"$BODY")
check "batch download of someone else's oid: per-object 404" test "$(jq -r .code <<<"$D1")" = 404
same "  'not yours' = 'absent'" "$D1" "$D2"
batch "$BOB" /bob/b upload "$S_BIN" "$Z_BIN"; U1=$(jq -c '.objects[0].actions|keys' <<<"$BODY")
VERIFY_S=$(jq -r '.objects[0].actions.verify.href' <<<"$BODY")
batch "$BOB" /bob/b upload "$A_BIN" "$Z_BIN"; U2=$(jq -c '.objects[0].actions|keys' <<<"$BODY")
VERIFY_A=$(jq -r '.objects[0].actions.verify.href' <<<"$BODY")
check "batch upload of someone else's oid asks for the bytes" test "$U1" = '["upload","verify"]'
same "  'not yours' = 'absent'" "$U1" "$U2"

# verify without uploading: with the issued href and with bob's token.
sig B POST "${VERIFY_A#$URL}" -d "{\"oid\":\"$A_BIN\",\"size\":$Z_BIN}"
sig S POST "${VERIFY_S#$URL}" -d "{\"oid\":\"$S_BIN\",\"size\":$Z_BIN}"
check "verify without upload of someone else's object: 404" test "$STATUS" = 404
same "  'not yours' = 'absent' (href)" "$S" "$B"
sig S POST /bob/b.git/info/lfs/verify -H "Authorization: Bearer $BOB" -d "{\"oid\":\"$S_BIN\",\"size\":$Z_BIN}"
sig B POST /bob/b.git/info/lfs/verify -H "Authorization: Bearer $BOB" -d "{\"oid\":\"$A_BIN\",\"size\":$Z_BIN}"
same "  'not yours' = 'absent' (token)" "$S" "$B"

# The commit API: with a size, without (Python copies), and as a pull request on alice's repo.
commit_lfs B "$BOB" bob/b main stolen.bin "$A_BIN" "$Z_BIN"
commit_lfs S "$BOB" bob/b main stolen.bin "$S_BIN" "$Z_BIN"
check "commit API lfsFile naming someone else's object: 422" test "$STATUS" = 422
same "  'not yours' = 'absent'" "$S" "$B"
commit_lfs B "$BOB" bob/b main stolen.bin "$A_BIN"
commit_lfs S "$BOB" bob/b main stolen.bin "$S_BIN"
check "commit API lfsFile without size: 422" test "$STATUS" = 422
same "  'not yours' = 'absent'" "$S" "$B"
commit_lfs S "$BOB" bob/b main stolen.bin "$S_BIN" 5
commit_lfs B "$BOB" bob/b main stolen.bin "$A_BIN" 5
same "commit API with another size: 'not yours' = 'absent'" "$S" "$B"
commit_lfs B "$BOB" alice/pub "main?create_pr=1" stolen.bin "$A_BIN" "$Z_BIN"
commit_lfs S "$BOB" alice/pub "main?create_pr=1" stolen.bin "$S_BIN" "$Z_BIN"
check "a pull request on alice's public repo naming her private object: 422" test "$STATUS" = 422
same "  'not yours' = 'absent'" "$S" "$B"
check "  no pull request ref was made" bash -c "! git ls-remote '$URL/alice/pub' | grep -q refs/pr/"

# After all of that, nothing opened.
batch "$BOB" /bob/b download "$S_BIN" "$Z_BIN"
check "still no download action for bob" test "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 404
http GET "/bob/b/resolve/$C1/x.bin"
check "still a 404 on resolve" test "$STATUS" = 404
git clone -q "$URL/bob/b" bc 2>/dev/null; (cd bc && git lfs fetch --all >/dev/null 2>&1)
check "git lfs fetch from bob's repo gets none of the bytes" \
  bash -c "! ls bc/.git/lfs/objects/*/*/ 2>/dev/null | grep -q -e $S_BIN -e $S_ST -e $S_EV"

# Web views: the safetensors table and the metrics page read object bytes.
http GET "/bob/b/blob/$C1/x.safetensors"
check "web safetensors view: 200 without alice's tensor names" bash -c "[ $STATUS = 200 ] && ! grep -q SECRET_TENSOR_NAME <<<\"\$0\"" "$BODY"
E1=$(grep -o 'Cannot read the safetensors header[^<]*' <<<"$BODY")
http GET "/bob/b/blob/$C2/x.safetensors"
check "  it says why" test -n "$E1"
same "  'not yours' = 'absent'" "$E1" "$(grep -o 'Cannot read the safetensors header[^<]*' <<<"$BODY")"
sig S GET "/bob/b/metrics.json?rev=$C1"; sig B GET "/bob/b/metrics.json?rev=$C2"
same "web metrics.json: 'not yours' = 'absent'" "$S" "$B"
http GET "/bob/b/metrics.json?rev=$C1"
check "  and it holds no runs" test "$(jq -c '.runs' <<<"$BODY" 2>/dev/null)" = "[]"
sig B GET "/api/models/bob/b/metrics/$C2"
sig S GET "/api/models/bob/b/metrics/$C1"
check "metrics API: 200, no runs from alice's event file" test "$STATUS" = 200 -a "$(jq -c .runs <<<"$BODY")" = "[]"
check "  the file is reported as not stored" test "$(jq -r '.warnings[0].reason' <<<"$BODY")" = "The LFS object of this file is not stored on the server"
same "  'not yours' = 'absent'" "$S" "$B"
http GET /api/models/alice/vault/metrics/main -H "Authorization: Bearer $ALICE"
check "alice's own metrics are read (the secret event file is real)" test "$(jq '.runs|length' <<<"$BODY")" -gt 0

# Inference: model files are materialised from the repo's objects.
sig B POST "/models/bob/b/pipeline/text-classification?revision=$C2" -H 'X-Wait-For-Model: true' -d '{"inputs":"hello"}'
sig S POST "/models/bob/b/pipeline/text-classification?revision=$C1" -H 'X-Wait-For-Model: true' -d '{"inputs":"hello"}'
check "inference on pointers to someone else's weights is refused" test "$STATUS" != 200
echo "inference answer: $STATUS $(jq -r .error <<<"$BODY" 2>/dev/null)"
if [ "$STATUS" != 503 ]; then  # 503: the Inference API is not built in
  check "  at the model files, as not stored" grep -q "not stored on the server" <<<"$BODY"
fi
same "  'not yours' = 'absent'" "$S" "$B"

# A branch from a commit of alice's repo: her objects are not in bob's git repo.
http POST /api/models/bob/b/branch/steal -H "Authorization: Bearer $BOB" -d "{\"startingPoint\":\"$VAULT_COMMIT\"}"
check "a branch from another repo's commit: 4xx" test "${STATUS:0:1}" = 4

# ---- finding 3: pointers claiming 500 MB / 100 GB of a tiny object bob really uploaded ----
TINY=$(head -c 100 /dev/urandom | tee "$E2E_TMP/tiny.bin" | sha256sum | cut -c1-64)
batch "$BOB" /bob/big upload "$TINY" 100
check "bob uploads a 100-byte object to his repo" bash -c "curl -sf -o /dev/null -X PUT --data-binary @'$E2E_TMP/tiny.bin' '$(jq -r '.objects[0].actions.upload.href' <<<"$BODY")'"
git clone -q "http://bob:$BOB@$HOSTPORT/bob/big" gw
ptr "$TINY" 500000000 > gw/events.out.tfevents.big
ptr "$TINY" 100 > gw/events.out.tfevents.small
ptr "$TINY" 107374182400 > gw/huge.safetensors
ptr "$TINY" 500000000 > gw/big.bin
git -C gw add -A && git -C gw commit -qm "lying pointers" && git -C gw push -q --no-verify origin main
rss_kb() { awk "/^$1:/ {print \$2}" "/proc/$HUBD_PID/status"; }
echo 5 > "/proc/$HUBD_PID/clear_refs" 2>/dev/null  # resets VmHWM to the current RSS
RSS0=$(rss_kb VmRSS); HWM0=$(rss_kb VmHWM)
for i in 1 2 3 4 5; do
  http GET /api/models/bob/big/metrics/main
  [ "$STATUS" = 200 ] || break
done
check "metrics with a pointer claiming 500 MB: 200 (x5)" test "$STATUS" = 200
check "  the lying pointer is reported as not stored" \
  test "$(jq -r '.warnings[]|select(.file=="events.out.tfevents.big")|.reason' <<<"$BODY")" = "The LFS object of this file is not stored on the server"
for i in 1 2; do http GET "/bob/big/metrics.json?rev=main"; done
check "web metrics.json: 200" test "$STATUS" = 200
http GET "/bob/big/metrics"
check "web metrics page: 200" test "$STATUS" = 200
http GET /bob/big/resolve/main/big.bin
check "resolve of a pointer whose object has another size: 404" test "$STATUS" = 404
http GET /bob/big/resolve/main/big.bin -r 400000000-400000099
check "  also with a Range inside the claimed size" test "$STATUS" = 404
http GET /bob/big/blob/main/huge.safetensors
check "web view of a safetensors pointer claiming 100 GB: 200" test "$STATUS" = 200
http GET /api/models/bob/big
check "repo info answers (weights index read nothing it should not)" test "$STATUS" = 200
RSS1=$(rss_kb VmRSS); HWM1=$(rss_kb VmHWM)
echo "hubd RSS around the claimed-size requests: VmRSS ${RSS0} -> ${RSS1} kB, VmHWM ${HWM0} -> ${HWM1} kB"
check "RSS grew by less than 50 MB" test $((RSS1 - RSS0)) -lt 51200
check "peak RSS grew by less than 50 MB" test $((HWM1 - HWM0)) -lt 51200
check "healthy" healthy

# ---- legit flows still work ----
P0=$(puts)
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/copy" cw
git -C cw lfs track '*.bin' >/dev/null && cp vault/secret.bin cw/same.bin && git -C cw add -A && git -C cw commit -qm same
check "alice pushes her object into another of her repos" git -C cw push -q origin main
check "  without uploading it again (dedup across one owner's repos)" test "$(puts)" = "$P0"
check "  and it is served there" bash -c "curl -sf -H 'Authorization: Bearer $ALICE' '$URL/alice/copy/resolve/main/same.bin' | cmp -s - vault/secret.bin"
commit_lfs S "$ALICE" alice/pub main published.bin "$S_BIN"
check "alice commits her private object into her public repo by oid (she can read it)" test "$STATUS" = 200
check "  anyone can download it there now" bash -c "curl -sf '$URL/alice/pub/resolve/main/published.bin' | cmp -s - vault/secret.bin"
batch "$BOB" /bob/b2 upload "$S_BIN" "$Z_BIN"
check "now public: bob's upload batch dedups it (no actions)" test "$(jq -r '.objects[0].actions' <<<"$BODY")" = null
commit_lfs S "$BOB" bob/b2 main public.bin "$S_BIN" "$Z_BIN"
check "  and bob may commit it by oid" test "$STATUS" = 200
check "  and it is served through bob's repo" bash -c "curl -sf '$URL/bob/b2/resolve/main/public.bin' | cmp -s - vault/secret.bin"
http GET "/bob/b/resolve/$C1/x.safetensors"
check "alice's still-private safetensors stays unreadable through bob's repo" test "$STATUS" = 404
check "healthy at the end" healthy
finish
