#!/usr/bin/env bash
# Issue 14, findings 5 and 11 and two low items, attacked with the real git and git-lfs clients:
# tree bombs (a few KB describing 10^6 files, a bomb buried in history, a tag naming a bomb
# tree, deep nesting) are refused at receive time with a clear message while /api/health keeps
# answering and the server's RSS stays flat; trees within the limits are accepted, indexed and
# listed page by page; pushes and LFS objects over the quotas are refused with clear messages
# (LFS batch: the spec's per-object 422) while normal ones work; super-squash keeps symlinks and
# executables; concurrent creates of one repo leave exactly one intact repo.
HUBD=$(realpath "${1:?usage: security_git_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null 2>&1

DATA="$E2E_TMP/data"
# Small quotas so the test can cross them cheaply; the tree limits are the defaults (200000
# files and folders per commit, 64 levels).
start_hubd "$DATA" --max-push-mb 3 --max-lfs-object-mb 1
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
AUTH=(-H "Authorization: Bearer $ALICE")
REMOTE="http://alice:$ALICE@$HOSTPORT"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$HUBD_PID/status"; }

# Polls /api/health every 0.2 s in the background, recording each answer's time (s) or "fail".
start_health_probe() {
  PROBE_LOG="$E2E_TMP/health.$1.log"
  : >"$PROBE_LOG"
  ( while :; do
      t=$(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}' "$URL/api/health") || t="000 10"
      echo "$t" >>"$PROBE_LOG"
      sleep 0.2
    done ) &
  PROBE_PID=$!
}
# Stops the probe; sets PROBE_MAX (slowest answer, s), PROBE_N (answers), PROBE_BAD (non-200).
stop_health_probe() {
  kill "$PROBE_PID" 2>/dev/null; wait "$PROBE_PID" 2>/dev/null
  PROBE_N=$(wc -l <"$PROBE_LOG")
  PROBE_BAD=$(awk '$1 != 200' "$PROBE_LOG" | wc -l)
  PROBE_MAX=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$PROBE_LOG")
}

# A tree of $1 levels, each folder holding $2 copies of the level below, files at the bottom
# (contents: stdin of hash-object, one blob): $2^$1 files from $1 tree objects. Prints its id.
bomb_tree() {
  local dir=$1 levels=$2 fanout=$3 blob tree lines i l
  blob=$(printf 'x' | git -C "$dir" hash-object -w --stdin)
  lines=""; for ((i = 0; i < fanout; i++)); do lines+="100644 blob $blob	f$i"$'\n'; done
  tree=$(printf '%s' "$lines" | git -C "$dir" mktree)
  for ((l = 1; l < levels; l++)); do
    lines=""; for ((i = 0; i < fanout; i++)); do lines+="040000 tree $tree	d$i"$'\n'; done
    tree=$(printf '%s' "$lines" | git -C "$dir" mktree)
  done
  echo "$tree"
}

cd "$E2E_TMP"
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"bombs"}'
check "create the target repo" test "$STATUS" = 200
git clone -q "$REMOTE/alice/bombs" w
MAIN=$(git -C w rev-parse HEAD)

# ---- Finding 5: a tree bomb of 10^6 files from 7 objects ----
TREE=$(bomb_tree w 6 10)
BOMB=$(git -C w commit-tree "$TREE" -p "$MAIN" -m "a million files")
git -C w update-ref refs/heads/bomb "$BOMB"
PACK_BYTES=$(printf '%s\n^%s\n' "$BOMB" "$MAIN" | git -C w pack-objects --stdout --revs 2>/dev/null | wc -c)
echo "bomb pack: $PACK_BYTES bytes for 10^6 files"
RSS0=$(rss_kb)
start_health_probe bomb
T0=$(date +%s.%N)
OUT=$(git -C w push origin bomb:main 2>&1); RC=$?
T1=$(date +%s.%N)
sleep 1
stop_health_probe
RSS1=$(rss_kb)
echo "$OUT" | sed 's/^/  git: /'
echo "bomb push answered in $(echo "$T1 - $T0" | bc) s; health: $PROBE_N probes, slowest ${PROBE_MAX}s, $PROBE_BAD failed; RSS ${RSS0} kB -> ${RSS1} kB"
check "the tree bomb push is refused" test "$RC" -ne 0
check "git shows why (remote: hubd: push refused ... HUBD_MAX_TREE_ENTRIES)" \
  bash -c 'grep -q "remote: hubd: push refused: commit [0-9a-f]\{12\} holds more than 200000 files and folders" <<<"$0" && grep -q "HUBD_MAX_TREE_ENTRIES" <<<"$0" && grep -q "pre-receive hook declined" <<<"$0"' "$OUT"
check "main did not move" test "$(git ls-remote "$URL/alice/bombs" refs/heads/main | cut -f1)" = "$MAIN"
check "the push was answered within 10 s" test "$(echo "$T1 - $T0 < 10" | bc)" = 1
check "/api/health answered every probe, each within 2 s, during the bomb push" \
  test "$PROBE_N" -ge 2 -a "$PROBE_BAD" = 0 -a "$(echo "$PROBE_MAX < 2" | bc)" = 1
check "hubd's RSS grew by less than 50 MB ($RSS0 -> $RSS1 kB)" test $((RSS1 - RSS0)) -lt 51200
check "nothing of the bomb entered the repository" \
  bash -c "! git -C '$DATA/repos/models/alice/bombs.git' cat-file -e $TREE 2>/dev/null"

# A bomb buried in history: the tip is small, a commit under it is not.
SMALL=$(git -C w commit-tree "$(bomb_tree w 1 3)" -p "$BOMB" -m "small again")
OUT=$(git -C w push origin "$SMALL:refs/heads/main" 2>&1)
check "a bomb in history under a small tip is refused" grep -q "push refused: commit ${BOMB:0:12}" <<<"$OUT"

# A tag naming the bomb tree directly.
OUT=$(git -C w push origin "$TREE:refs/tags/treetag" 2>&1)
check "a tag naming a bomb tree is refused" grep -q "push refused: refs/tags/treetag" <<<"$OUT"

# 100 nested folders.
blob=$(printf 'deep' | git -C w hash-object -w --stdin)
t=$(printf '100644 blob %s\tf\n' "$blob" | git -C w mktree)
for i in $(seq 1 100); do t=$(printf '040000 tree %s\td\n' "$t" | git -C w mktree); done
DEEP=$(git -C w commit-tree "$t" -p "$MAIN" -m deep)
OUT=$(git -C w push origin "$DEEP:refs/heads/deep" 2>&1)
check "folders nested 100 deep are refused (limit 64)" grep -q "nested deeper than 64 levels" <<<"$OUT"
check "the server still answers after the bombs" healthy

# ---- Within the limits: 10^4 files are accepted, indexed and listed by pages ----
OK_TREE=$(bomb_tree w 4 10)
OK=$(git -C w commit-tree "$OK_TREE" -p "$MAIN" -m "ten thousand files")
check "a push of 10^4 files within the limits is accepted" git -C w push -q origin "$OK:refs/heads/main"
http GET "/api/models/alice/bombs/tree/main?recursive=true"
check "tree listing: first page of 1000 entries with a Link to the next" \
  test "$STATUS" = 200 -a "$(jq length <<<"$BODY")" = 1000 -a -n "$(grep -i '^link:.*rel="next"' <<<"$HEADERS")"
NEXT=$(grep -i '^link:' <<<"$HEADERS" | sed -E 's/.*<([^>]*)>.*/\1/')
STATUS=$(curl -s -o "$E2E_TMP/p2" -w '%{http_code}' "$NEXT")
check "the next page continues where the first stopped" \
  test "$STATUS" = 200 -a "$(jq -r '.[0].path' "$E2E_TMP/p2")" = "d0/d9"
http GET "/api/models/alice/bombs?blobs=true"
check "repo info lists the 10^4 files at the pushed head" \
  test "$(jq -r .sha <<<"$BODY")" = "$OK" -a "$(jq '.siblings | length' <<<"$BODY")" = 10000
http GET "/api/models?search=bombs"
check "the listing index shows the push (post-push work done off the request path)" \
  test "$(jq -r '.[0].id' <<<"$BODY")" = "alice/bombs"

# ---- Finding 11: quotas ----
git clone -q "$REMOTE/alice/bombs" big
head -c 5000000 /dev/urandom >big/blob.dat
git -C big add blob.dat && git -C big commit -qm "5 MB in git"
OUT=$(git -C big push origin main 2>&1); RC=$?
echo "$OUT" | sed 's/^/  git: /'
check "a 5 MB push over HUBD_MAX_PUSH_MB=3 is refused" test "$RC" -ne 0
check "git says the pack is over the maximum size" grep -q "pack exceeds maximum allowed size" <<<"$OUT"
check "main did not move after the refused push" test "$(git ls-remote "$URL/alice/bombs" refs/heads/main | cut -f1)" = "$OK"
git -C big reset -q --hard origin/main
echo small >big/small.txt && git -C big add small.txt && git -C big commit -qm small
check "a small push still works" git -C big push -q origin main

# LFS: per-object 422 in the batch, refused in preupload; git-lfs shows the message.
BIG_OID=$(printf '%064d' 1)
http POST /alice/bombs.git/info/lfs/objects/batch "${AUTH[@]}" -H 'Content-Type: application/vnd.git-lfs+json' \
  -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$BIG_OID\",\"size\":2097152},{\"oid\":\"$(printf '%064d' 2)\",\"size\":10}]}"
check "LFS batch: a 2 MiB object over HUBD_MAX_LFS_OBJECT_MB=1 gets error 422 with a message" \
  test "$STATUS" = 200 -a "$(jq -r '.objects[0].error.code' <<<"$BODY")" = 422 -a \
  "$(jq -r '.objects[0].error.message | test("at most 1 MiB")' <<<"$BODY")" = true
check "LFS batch: the small object in the same batch gets its upload action" \
  test "$(jq -r '.objects[1].actions.upload.href | length > 0' <<<"$BODY")" = true
expect_error 413 "preupload of a file over the LFS object limit" POST /api/models/alice/bombs/preupload/main "${AUTH[@]}" \
  -H 'Content-Type: application/json' -d '{"files":[{"path":"huge.bin","size":2097152,"sample":""}]}'
check "and names its code (X-Error-Code: LfsObjectTooLarge)" grep -qi '^x-error-code: LfsObjectTooLarge' <<<"$HEADERS"
git clone -q "$REMOTE/alice/bombs" lfsw
git -C lfsw lfs track '*.bin' >/dev/null
head -c 2097152 /dev/urandom >lfsw/huge.bin
git -C lfsw add .gitattributes huge.bin && git -C lfsw commit -qm "2 MiB LFS file"
OUT=$(git -C lfsw push origin main 2>&1); RC=$?
check "git lfs push of a 2 MiB object is refused with the hub's message" \
  bash -c '[ "$1" -ne 0 ] && grep -q "at most 1 MiB" <<<"$0"' "$OUT" "$RC"
git -C lfsw reset -q --hard HEAD~1
git -C lfsw lfs track '*.bin' >/dev/null
head -c 500000 /dev/urandom >lfsw/ok.bin
git -C lfsw add .gitattributes ok.bin && git -C lfsw commit -qm "small LFS file"
check "an LFS object within the limit is pushed" git -C lfsw push -q origin main
curl -s -L -o "$E2E_TMP/ok.bin" "$URL/alice/bombs/resolve/main/ok.bin"
check "and downloads byte for byte" cmp -s "$E2E_TMP/ok.bin" lfsw/ok.bin

# ---- Low: super-squash keeps symlinks and executables ----
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"squash"}'
git clone -q "$REMOTE/alice/squash" sq
echo target >sq/target.txt && ln -s target.txt sq/link && printf '#!/bin/sh\necho hi\n' >sq/run.sh && chmod +x sq/run.sh
git -C sq add -A && git -C sq commit -qm one && echo more >>sq/target.txt && git -C sq commit -qam two
git -C sq push -q origin main
http POST /api/models/alice/squash/super-squash/main "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"message":"squashed"}'
check "super-squash answers 200" test "$STATUS" = 200
git -C sq fetch -q origin && MODES=$(git -C sq ls-tree origin/main)
check "after super-squash: one commit" test "$(git -C sq rev-list --count origin/main)" = 1
check "after super-squash: the symlink is still a symlink" grep -qP '^120000 blob \S+\tlink$' <<<"$MODES"
check "after super-squash: run.sh is still executable" grep -qP '^100755 blob \S+\trun.sh$' <<<"$MODES"
check "after super-squash: the same tree as before" test "$(git -C sq rev-parse origin/main^{tree})" = "$(git -C sq rev-parse main^{tree})"

# ---- Low: concurrent creates of one name ----
RACERS=()
for i in $(seq 1 8); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$URL/api/repos/create" "${AUTH[@]}" -d '{"name":"race"}' >>"$E2E_TMP/race" &
  RACERS+=($!)
done
wait "${RACERS[@]}"  # not hubd, also a child of this shell
check "8 concurrent creates: exactly one 200, seven 409" \
  test "$(grep -c '^200$' "$E2E_TMP/race")" = 1 -a "$(grep -c '^409$' "$E2E_TMP/race")" = 7
check "the created repo is intact and clonable" git clone -q "$URL/alice/race" racew

check "the server is healthy at the end" healthy
finish
