#!/usr/bin/env bash
# Issue 4, the commit endpoint under stress with curl: 20 concurrent clients on one branch
# (with parentCommit: each try lands or gets 412/409, and the history holds exactly the
# acknowledged commits; without: rebuilt on the new head or 409), bad NDJSON, bad paths,
# 10,000 files in one commit, and a 1 GB inline file refused with 413 while the server's
# memory stays flat (streamed from /dev/zero through base64, never on disk).
HUBD=$(realpath "${1:?usage: commit_api_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
AUTH=(-H "Authorization: Bearer $ALICE" -H "Content-Type: application/x-ndjson")
for r in race race2 bad many; do
  curl -sf -o /dev/null -H "Authorization: Bearer $ALICE" -X POST "$URL/api/repos/create" -d "{\"name\":\"$r\"}"
done

# post_commit REPO FILE OUT: POSTs the NDJSON file, prints the status, writes the body to OUT.
post_commit() {
  curl -s -o "$3" -w '%{http_code}' -X POST "$URL/api/models/alice/$1/commit/main" "${AUTH[@]}" --data-binary @"$2"
}

# ---- 20 concurrent clients with parentCommit, each retrying until its commit lands ----
client_with_parent() {
  local i=$1 body="$E2E_TMP/c$i.ndjson"
  for _ in $(seq 1 100); do
    local head
    head=$(curl -s "$URL/api/models/alice/race" -H "Authorization: Bearer $ALICE" | jq -r .sha)
    printf '{"key":"header","value":{"summary":"client %s","parentCommit":"%s"}}\n{"key":"file","value":{"path":"c/%s.txt","content":"client %s\\n","encoding":"utf-8"}}\n' \
      "$i" "$head" "$i" "$i" >"$body"
    local code
    code=$(post_commit race "$body" "$body.out")
    case $code in
      200) jq -r .commitOid "$body.out" >>"$E2E_TMP/acked"; return 0 ;;
      412|409) echo "$code" >>"$E2E_TMP/conflicts" ;;
      *) echo "client $i: unexpected $code $(cat "$body.out")" >>"$E2E_TMP/unexpected"; return 1 ;;
    esac
  done
  echo "client $i: never landed" >>"$E2E_TMP/unexpected"
}
: >"$E2E_TMP/acked"; : >"$E2E_TMP/conflicts"; : >"$E2E_TMP/unexpected"
pids=()  # wait for the clients only: a bare `wait` would also wait for hubd
for i in $(seq 1 20); do client_with_parent "$i" & pids+=($!); done
wait "${pids[@]}"
check "parentCommit race: only 200 or 412/409 answers" test ! -s "$E2E_TMP/unexpected"
cat "$E2E_TMP/unexpected" 2>/dev/null | head -3
check "parentCommit race: all 20 clients landed (after $(wc -l <"$E2E_TMP/conflicts") conflicts)" test "$(wc -l <"$E2E_TMP/acked")" = 20
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/race" "$E2E_TMP/race"
git -C "$E2E_TMP/race" log --format=%H >"$E2E_TMP/history"
history_is_acked() {  # history = acknowledged commits + the initial one, linear
  [ "$(git -C "$E2E_TMP/race" rev-list --count HEAD)" = 21 ] &&
    [ "$(sort "$E2E_TMP/acked")" = "$(head -n 20 "$E2E_TMP/history" | sort)" ] &&
    [ "$(ls "$E2E_TMP/race/c" | wc -l)" = 20 ]
}
check "parentCommit race: history holds exactly the acknowledged commits and all files" history_is_acked

# ---- 20 concurrent clients without parentCommit, one try each: rebuilt on the new head ----
client_no_parent() {
  local i=$1 body="$E2E_TMP/n$i.ndjson"
  printf '{"key":"header","value":{"summary":"free %s"}}\n{"key":"file","value":{"path":"n/%s.txt","content":"%s","encoding":"utf-8"}}\n' \
    "$i" "$i" "$i" >"$body"
  local code
  code=$(post_commit race2 "$body" "$body.out")
  case $code in
    200) jq -r .commitOid "$body.out" >>"$E2E_TMP/acked2" ;;
    409) echo 409 >>"$E2E_TMP/conflicts2" ;;
    *) echo "client $i: unexpected $code" >>"$E2E_TMP/unexpected2" ;;
  esac
}
: >"$E2E_TMP/acked2"; : >"$E2E_TMP/conflicts2"; : >"$E2E_TMP/unexpected2"
pids=()
for i in $(seq 1 20); do client_no_parent "$i" & pids+=($!); done
wait "${pids[@]}"
check "no-parent race: only 200 or 409 answers" test ! -s "$E2E_TMP/unexpected2"
acked2=$(wc -l <"$E2E_TMP/acked2")
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/race2" "$E2E_TMP/race2"
no_parent_ok() {
  [ "$(git -C "$E2E_TMP/race2" rev-list --count HEAD)" = $((acked2 + 1)) ] &&
    [ "$(sort "$E2E_TMP/acked2")" = "$(git -C "$E2E_TMP/race2" log --format=%H | head -n "$acked2" | sort)" ] &&
    [ "$(ls "$E2E_TMP/race2/n" | wc -l)" = "$acked2" ]
}
check "no-parent race: $acked2 landed, $(wc -l <"$E2E_TMP/conflicts2") got 409, none lost" no_parent_ok
# One hubd serializes the swap step per repo, so here every client lands on the first try.
check "no-parent race: all 20 landed" test "$acked2" = 20

# ---- bad input: each a clear 4xx in the Hub's error shape, and the server keeps serving ----
hdr='{"key":"header","value":{"summary":"bad"}}'
bad() {  # bad STATUS WHAT LINE...
  local want=$1 what=$2; shift 2
  printf '%s\n' "$@" >"$E2E_TMP/bad.ndjson"
  expect_error "$want" "$what" POST /api/models/alice/bad/commit/main "${AUTH[@]}" --data-binary @"$E2E_TMP/bad.ndjson"
}
bad 400 "malformed NDJSON line" "$hdr" '{"key":"file","value":{"path":"a"'
bad 400 "not JSON at all" 'hello world'
bad 400 "header not first" '{"key":"file","value":{"path":"a","content":"x","encoding":"utf-8"}}'
bad 400 "base64 error" "$hdr" '{"key":"file","value":{"path":"a.txt","content":"@@@@","encoding":"base64"}}'
bad 422 "path with .." "$hdr" '{"key":"file","value":{"path":"a/../../etc/passwd","content":"x","encoding":"utf-8"}}'
bad 422 "leading /" "$hdr" '{"key":"file","value":{"path":"/etc/passwd","content":"x","encoding":"utf-8"}}'
bad 422 ".git path" "$hdr" '{"key":"file","value":{"path":".git/config","content":"x","encoding":"utf-8"}}'
bad 422 "a file and a folder with the same name" "$hdr" \
  '{"key":"file","value":{"path":"x","content":"1","encoding":"utf-8"}}' \
  '{"key":"file","value":{"path":"x/y.txt","content":"2","encoding":"utf-8"}}'
bad 422 "LFS object never uploaded" "$hdr" \
  "{\"key\":\"lfsFile\",\"value\":{\"path\":\"w.bin\",\"algo\":\"sha256\",\"oid\":\"$(printf '%064d' 7)\",\"size\":5}}"
bad 404 "deleting a missing file" "$hdr" '{"key":"deletedFile","value":{"path":"nope.txt"}}'
check "deleting a missing file says EntryNotFound" grep -qi '^x-error-code: EntryNotFound' <<<"$HEADERS"
check "nothing was committed by the bad requests" test "$(curl -s "$URL/api/models/alice/bad/commits/main" | jq length)" = 1

# ---- 10,000 files in one commit ----
{
  echo '{"key":"header","value":{"summary":"ten thousand files"}}'
  for i in $(seq 1 10000); do
    printf '{"key":"file","value":{"path":"many/d%d/f%d.txt","content":"file %d\\n","encoding":"utf-8"}}\n' $((i % 100)) "$i" "$i"
  done
} >"$E2E_TMP/many.ndjson"
code=$(post_commit many "$E2E_TMP/many.ndjson" "$E2E_TMP/many.out")
check "10,000 files in one commit -> 200 ($code)" test "$code" = 200
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/many" "$E2E_TMP/many"
check "the commit holds all 10,000 files" test "$(git -C "$E2E_TMP/many" ls-files many | wc -l)" = 10000
check "a file's content survived" test "$(cat "$E2E_TMP/many/many/d42/f5042.txt")" = "file 5042"

# ---- a 1 GB inline file: 413 after the per-line cap, not buffered ----
rss_kb() { ps -o rss= -p "$HUBD_PID" | tr -d ' '; }
before=$(rss_kb)
code=$( ( printf '{"key":"header","value":{"summary":"huge"}}\n{"key":"file","value":{"path":"huge.bin","encoding":"base64","content":"'
          head -c 1000000000 /dev/zero | base64 -w0
          printf '"}}\n' ) |
        curl -s -o "$E2E_TMP/huge.out" -w '%{http_code}' -X POST "$URL/api/models/alice/bad/commit/main" "${AUTH[@]}" -T - )
after=$(rss_kb)
check "1 GB inline file -> 413 ($code: $(cat "$E2E_TMP/huge.out"))" test "$code" = 413
check "server RSS stayed flat (${before} KB -> ${after} KB)" test $((after - before)) -lt 204800
check "server still healthy after the 1 GB attempt" healthy

finish
