#!/usr/bin/env bash
# Issue 4, read side, end to end with curl, git, git-lfs and the real @huggingface/hub client:
# repo info, resolve/raw (HEAD, Range, LFS, errors), tree with pagination, paths-info, commits,
# refs, auth-check, encoded revisions, renamed-repo redirects, private repos never leaking.
HUBD=$(realpath "${1:?usage: hub_read_test.sh path/to/hubd}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "alice" && git config --global user.email alice@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
AUTH=(-H "Authorization: Bearer $ALICE")
# curl -X HEAD would wait for the announced body: HEAD goes through -I instead.
http() {
  local method=$1 path=$2; shift 2
  local hf="$E2E_TMP/h.$$" bf="$E2E_TMP/b.$$" m=(-X "$method")
  [ "$method" = HEAD ] && m=(-I)
  STATUS=$(curl -s -o "$bf" -D "$hf" -w '%{http_code}' "${m[@]}" "$URL$path" "$@")
  BODY=$(cat "$bf")
  HEADERS=$(cat "$hf")
}
jqe() { jq -e "$@" >/dev/null; }
hdr() { grep -i "^$1:" <<<"$HEADERS" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# ---- a model with a card, a config, nested files, an LFS file and 1100 small files ----
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"m1"}'
check "create alice/m1" test "$STATUS" = 200
cd "$E2E_TMP"
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m1" w
cat > w/README.md <<'CARD'
---
license: apache-2.0
language: en
library_name: transformers
pipeline_tag: text-classification
---
# m1
CARD
echo '{"model_type":"bert","architectures":["BertForSequenceClassification"]}' > w/config.json
mkdir -p w/sub/dir w/many && echo "hello notes" > w/sub/dir/notes.txt && echo spaced > "w/sub/with space.txt"
head -c 3000000 /dev/urandom > w/weights.bin   # *.bin is LFS-tracked by the initial .gitattributes
for i in $(seq 1 1100); do echo "$i" > "w/many/f$i.txt"; done
git -C w add -A && git -C w commit -qm "add model files" && echo v2 >> w/sub/dir/notes.txt &&
  git -C w commit -qam "edit notes"
check "git + git-lfs push" git -C w push -q origin main
git -C w tag v1 HEAD~1 && git -C w branch feature/x HEAD~1
check "push tag, slash branch and a refs/pr ref" git -C w push -q origin v1 feature/x HEAD~1:refs/pr/1
HEAD_SHA=$(git -C w rev-parse HEAD); OLD_SHA=$(git -C w rev-parse HEAD~1)
LFS_OID=$(sha256sum w/weights.bin | cut -d' ' -f1)

# ---- repo info ----
http GET /api/models/alice/m1
check "info: id, _id, sha, author" test "$(jq -r '[.id,.author,.sha,(._id|length>0)]|join(" ")' <<<"$BODY")" = "alice/m1 alice $HEAD_SHA true"
check "info: pipeline_tag, library_name, cardData, config" test "$(jq -r '[.pipeline_tag,.library_name,.cardData.license,.config.model_type]|join(" ")' <<<"$BODY")" = "text-classification transformers apache-2.0 bert"
check "info: tags carry license and task" jqe '(.tags|index("license:apache-2.0")) and (.tags|index("text-classification"))' <<<"$BODY"
check "info: siblings = every file" test "$(jq '.siblings|length' <<<"$BODY")" = "$(git -C w ls-files | wc -l)"
check "info: Z timestamps, counters, no xetEnabled" jqe '(.lastModified|endswith("Z")) and (.createdAt|endswith("Z")) and .downloads==0 and .likes==0 and (has("xetEnabled")|not) and .private==false and .gated==false and .disabled==false' <<<"$BODY"
http GET "/api/models/alice/m1?blobs=true"
check "info blobs=true: LFS sibling has sha256/size/pointerSize" jqe --arg oid "$LFS_OID" '.siblings[]|select(.rfilename=="weights.bin")|.lfs.sha256==$oid and .size==3000000 and .lfs.size==3000000 and .lfs.pointerSize>100 and (.blobId|length)==40' <<<"$BODY"
http GET "/api/models/alice/m1?expand=sha&expand=private&expand=xetEnabled"
check "info expand: only asked fields + id/_id" test "$(jq -c 'keys' <<<"$BODY")" = '["_id","id","private","sha"]'
http GET "/api/models/alice/m1/revision/v1"
check "info at tag v1" test "$(jq -r .sha <<<"$BODY")" = "$OLD_SHA"
http GET "/api/models/alice/m1/revision/refs%2Fpr%2F1"
check "info at encoded refs%2Fpr%2F1" test "$(jq -r .sha <<<"$BODY")" = "$OLD_SHA"
http GET "/api/models/alice/m1/revision/feature%2Fx"
check "info at encoded slash branch" test "$(jq -r .sha <<<"$BODY")" = "$OLD_SHA"
http GET "/api/models/alice/m1/revision/${OLD_SHA:0:7}"
check "info at short sha" test "$(jq -r .sha <<<"$BODY")" = "$OLD_SHA"
expect_error 404 "info at unknown revision" GET /api/models/alice/m1/revision/nope
check "  ... with RevisionNotFound" test "$(hdr X-Error-Code)" = RevisionNotFound

# ---- resolve / raw ----
http HEAD /alice/m1/resolve/main/config.json
check "HEAD regular: 200, X-Repo-Commit, ETag = git blob sha1, Content-Length" test "$STATUS $(hdr X-Repo-Commit) $(hdr ETag) $(hdr Content-Length)" = "200 $HEAD_SHA \"$(git -C w rev-parse HEAD:config.json)\" $(stat -c %s w/config.json)"
check "HEAD regular: Accept-Ranges, Content-Disposition" test "$(hdr Accept-Ranges)" = bytes -a -n "$(hdr Content-Disposition)"
http HEAD /alice/m1/resolve/main/weights.bin
check "HEAD LFS: sha256 ETag + X-Linked-Etag, X-Linked-Size" test "$STATUS $(hdr ETag) $(hdr X-Linked-Etag) $(hdr X-Linked-Size) $(hdr Content-Length)" = "200 \"$LFS_OID\" \"$LFS_OID\" 3000000 3000000"
check "HEAD LFS: no Xet headers" bash -c "! grep -qi '^x-xet' <<<\"\$0\"" "$HEADERS"
curl -s -o "$E2E_TMP/dl.bin" "$URL/alice/m1/resolve/main/weights.bin"
check "GET LFS file is byte-identical" cmp -s "$E2E_TMP/dl.bin" w/weights.bin
curl -s -o "$E2E_TMP/dl.txt" "$URL/alice/m1/resolve/$OLD_SHA/sub/dir/notes.txt"
check "GET at an older sha serves the older content" test "$(cat "$E2E_TMP/dl.txt")" = "hello notes"
http GET "/alice/m1/resolve/main/sub/with%20space.txt"
check "percent-encoded path" test "$STATUS $BODY" = "200 spaced"
http GET /alice/m1/resolve/main/weights.bin -H "Range: bytes=0-0"
check "Range bytes=0-0 -> 206 + Content-Range" test "$STATUS $(hdr Content-Range) $(hdr Content-Length)" = "206 bytes 0-0/3000000 1"
curl -s -o "$E2E_TMP/part" -H "Range: bytes=1000000-1000999" "$URL/alice/m1/resolve/main/weights.bin"
check "Range middle slice matches" cmp -s "$E2E_TMP/part" <(tail -c +1000001 w/weights.bin | head -c 1000)
curl -s -o "$E2E_TMP/resume" -H "Range: bytes=2999000-" "$URL/alice/m1/resolve/main/weights.bin"
check "Range resume from offset matches" cmp -s "$E2E_TMP/resume" <(tail -c 1000 w/weights.bin)
http GET /alice/m1/resolve/main/config.json -H "Range: bytes=5000-"
check "unsatisfiable Range -> 416 with bytes */size" test "$STATUS $(hdr Content-Range)" = "416 bytes */$(stat -c %s w/config.json)"
http GET /alice/m1/raw/main/weights.bin
check "/raw/ of an LFS file is the pointer" bash -c "[ $STATUS = 200 ] && grep -q 'oid sha256:$LFS_OID' <<<\"\$0\"" "$BODY"
http HEAD /alice/m1/resolve/main/nope.txt
check "HEAD missing file: 404 EntryNotFound + X-Repo-Commit" test "$STATUS $(hdr X-Error-Code) $(hdr X-Repo-Commit)" = "404 EntryNotFound $HEAD_SHA"
http HEAD /alice/m1/resolve/nope/config.json
check "HEAD unknown revision: RevisionNotFound" test "$STATUS $(hdr X-Error-Code)" = "404 RevisionNotFound"
http HEAD /alice/nope/resolve/main/config.json
check "HEAD unknown repo, anonymous: 401 RepoNotFound" test "$STATUS $(hdr X-Error-Code)" = "401 RepoNotFound"
for rev in "refs%2Fpr%2F1" "refs/pr/1" "v1" "feature%2Fx" "$OLD_SHA" "${OLD_SHA:0:8}"; do
  http HEAD "/alice/m1/resolve/$rev/sub/dir/notes.txt"
  check "resolve at revision $rev" test "$STATUS $(hdr X-Repo-Commit)" = "200 $OLD_SHA"
done
expect_error 400 "path with .. is refused" GET "/alice/m1/resolve/main/sub/../config.json" --path-as-is

# ---- tree with pagination ----
http GET /api/models/alice/m1/tree/main
check "tree root: files and directories, LFS details" jqe --arg oid "$LFS_OID" '(map(.path)|index("many")) and (.[]|select(.path=="sub")|.type=="directory" and (.oid|length)==40) and (.[]|select(.path=="weights.bin")|.size==3000000 and .lfs.oid==$oid)' <<<"$BODY"
check "tree root has no Link" test -z "$(hdr Link)"
check "tree and info never carry Xet fields" bash -c "! grep -qi xet <<<\"\$0\$(curl -s '$URL/api/models/alice/m1?expand=xetEnabled')\"" "$BODY"
# Walk every page of a recursive listing the way Python does: fetch Link verbatim.
want=$(git -C w ls-tree -r -t --name-only HEAD | sort)
next="$URL/api/models/alice/m1/tree/main?recursive=true&expand=false"; pages=0; : > "$E2E_TMP/walk"
while [ -n "$next" ]; do
  curl -s -D "$E2E_TMP/wh" -o "$E2E_TMP/wb" "$next"; jq -r '.[].path' "$E2E_TMP/wb" >> "$E2E_TMP/walk"
  next=$(grep -i '^link:' "$E2E_TMP/wh" | sed -E 's/^[Ll]ink: <([^>]*)>; rel="next".*/\1/' | tr -d '\r'); pages=$((pages + 1))
  [ $pages -gt 10 ] && break
done
check "recursive tree walk over $pages pages lists each path once" test "$(sort "$E2E_TMP/walk")" = "$want" -a "$pages" = 2
check "next links repeat the original parameters" grep -q "recursive=true&expand=false&cursor=" <<<"$(grep -i '^link' "$E2E_TMP/wh"; curl -s -D - -o /dev/null "$URL/api/models/alice/m1/tree/main?recursive=true&expand=false" | grep -i '^link')"
http GET "/api/models/alice/m1/tree/main/sub%2Fdir?expand=true"
check "tree of sub%2Fdir with lastCommit" jqe --arg h "$HEAD_SHA" 'length==1 and .[0].path=="sub/dir/notes.txt" and .[0].lastCommit.id==$h and .[0].lastCommit.title=="edit notes"' <<<"$BODY"
http GET "/api/models/alice/m1/tree/refs/pr/1/sub/dir"
check "tree at raw refs/pr/1 (as JS sends it)" jqe '.[0].oid' <<<"$BODY"
http GET "/api/models/alice/m1/tree/feature/x/sub"
check "tree at raw slash branch feature/x" test "$STATUS" = 200
expect_error 404 "tree of a missing path" GET /api/models/alice/m1/tree/main/nope
check "  ... with EntryNotFound" test "$(hdr X-Error-Code)" = EntryNotFound
expect_error 400 "tree with a forged cursor" GET "/api/models/alice/m1/tree/main?cursor=abc"

# ---- paths-info ----
http POST /api/models/alice/m1/paths-info/main -d "paths=config.json&paths=sub&paths=weights.bin&paths=nope&expand=true"
check "paths-info form: existing entries only, lfs + lastCommit" jqe 'length==3 and (.[]|select(.path=="sub")|.type=="directory") and (.[]|select(.path=="weights.bin")|.lfs.size==3000000) and all(.[]; .lastCommit.id|length==40)' <<<"$BODY"
http POST "/api/models/alice/m1/paths-info/refs%2Fpr%2F1" -H "Content-Type: application/json" -d '{"paths":["sub/dir/notes.txt"],"expand":false}'
check "paths-info JSON at refs/pr/1" jqe --arg o "$(git -C w rev-parse HEAD~1:sub/dir/notes.txt)" 'length==1 and .[0].oid==$o and (.[0]|has("lastCommit")|not)' <<<"$BODY"

# ---- commits, refs, auth-check ----
http GET /api/models/alice/m1/commits/main
check "commits: newest first, all keys, X-Total-Count" test "$(jq -r '.[0].id+" "+.[0].title+" "+.[0].authors[0].user+" "+(.|length|tostring)' <<<"$BODY") $(hdr X-Total-Count)" = "$HEAD_SHA edit notes alice 3 3"
http GET "/api/models/alice/m1/commits/main?limit=2&expand%5B%5D=formatted"
n2=$(sed -E 's/^[Ll]ink: <([^>]*)>.*/\1/' <<<"$(hdr Link | sed 's/^/Link: /')")
check "commits page 1: 2 items, formatted, Link" jqe 'length==2 and .[0].formatted.title=="edit notes"' <<<"$BODY"
check "commits page 2 from Link: the initial commit, no more Link" bash -c "curl -s -D - '$n2' | tee '$E2E_TMP/c2' >/dev/null; grep -q '\"title\":\"initial commit\"' '$E2E_TMP/c2' && ! grep -qi '^link:' '$E2E_TMP/c2'"
http GET /api/models/alice/m1/commits/refs/pr/1
check "commits at raw refs/pr/1" test "$(jq -r '.[0].id' <<<"$BODY") $(hdr X-Total-Count)" = "$OLD_SHA 2"
http GET /api/models/alice/m1/refs
check "refs: branches (main, feature/x), tags, converts; no PRs" jqe --arg h "$HEAD_SHA" --arg o "$OLD_SHA" '(.branches|map(.name)|sort)==["feature/x","main"] and (.branches[]|select(.name=="main")|.targetCommit==$h and .ref=="refs/heads/main") and .tags[0].name=="v1" and .tags[0].targetCommit==$o and .converts==[] and (has("pullRequests")|not)' <<<"$BODY"
http GET "/api/models/alice/m1/refs?include_prs=1"
check "refs include_prs=1 lists refs/pr/1" jqe '.pullRequests[0].ref=="refs/pr/1"' <<<"$BODY"
http GET /api/models/alice/m1/auth-check
check "auth-check anonymous on a public repo" test "$STATUS" = 200
http GET /api/models/alice/m1/auth-check/write -H "Authorization: Bearer $BOB"
check "auth-check/write for a non-owner is 403" test "$STATUS" = 403
http GET /api/models/alice/m1/auth-check/write "${AUTH[@]}"
check "auth-check/write for the owner" test "$STATUS" = 200

# ---- the JS client ----
check "@huggingface/hub read calls" node "$HERE/hub_read_client.mjs" "$URL" "$ALICE" alice/m1 "$E2E_TMP/w" weights.bin

# ---- datasets ----
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"d1","type":"dataset"}'
git clone -q "http://alice:$ALICE@$HOSTPORT/datasets/alice/d1" d && mkdir -p d/data && echo "a,b" > d/data/train.csv
git -C d add -A && git -C d commit -qm data && git -C d push -q origin main
http HEAD /datasets/alice/d1/resolve/main/data/train.csv
check "dataset resolve under /datasets/" test "$STATUS $(hdr X-Repo-Commit)" = "200 $(git -C d rev-parse HEAD)"
http GET /api/datasets/alice/d1/tree/main/data
check "dataset tree" jqe '.[0].path=="data/train.csv"' <<<"$BODY"

# ---- private repos never leak ----
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"secret","private":true}'
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/secret" s && echo "top secret" > s/secret.txt
git -C s add -A && git -C s commit -qm s && git -C s push -q origin main
for ep in "GET /api/models/alice/secret" "GET /api/models/alice/secret/revision/main" "GET /api/models/alice/secret/tree/main" \
          "GET /api/models/alice/secret/commits/main" "GET /api/models/alice/secret/refs" "GET /api/models/alice/secret/auth-check" \
          "POST /api/models/alice/secret/paths-info/main" "GET /alice/secret/resolve/main/secret.txt" "HEAD /alice/secret/resolve/main/secret.txt" \
          "GET /alice/secret/raw/main/secret.txt"; do
  set -- $ep
  http "$1" "$2"
  a="$STATUS $(hdr X-Error-Code) $(hdr X-Repo-Commit)"
  http "$1" "$2" -H "Authorization: Bearer $BOB"
  b="$STATUS $(hdr X-Error-Code) $(hdr X-Repo-Commit)"
  check "private: $ep is RepoNotFound (anon 401, bob 404), nothing leaks" test "$a|$b|$(grep -c 'top secret' <<<"$BODY")" = "401 RepoNotFound |404 RepoNotFound |0"
done
http GET /alice/secret/resolve/main/secret.txt "${AUTH[@]}"
check "private: the owner reads it" test "$STATUS $BODY" = "200 top secret"

# ---- renamed repos redirect ----
http POST /api/repos/move "${AUTH[@]}" -d '{"fromRepo":"alice/m1","toRepo":"alice/m1-new"}'
check "move alice/m1 -> alice/m1-new" test "$STATUS" = 200
http HEAD "/alice/m1/resolve/main/sub/with%20space.txt"
check "old resolve URL: relative 307 to the new name" test "$STATUS $(hdr Location)" = "307 /alice/m1-new/resolve/main/sub/with%20space.txt"
check "following it serves the file" test "$(curl -sL "$URL/alice/m1/resolve/main/config.json")" = "$(cat w/config.json)"
http GET "/api/models/alice/m1/tree/main?recursive=true"
check "old API URL: 307 keeping the query" test "$STATUS $(hdr Location)" = "307 /api/models/alice/m1-new/tree/main?recursive=true"
http GET /api/models/alice/m1-new
check "info under the new name" test "$(jq -r .id <<<"$BODY")" = "alice/m1-new"

check "server still healthy" healthy
stop_hubd

# ---- LFS content on S3 (a real s3rver): streamed through hubd with the same headers ----
S3RVER="$HERE/../node_modules/s3rver/bin/s3rver.js"
mkdir -p "$E2E_TMP/s3"
node "$S3RVER" -d "$E2E_TMP/s3" -a 127.0.0.1 -p 0 -s >"$E2E_TMP/s3.log" 2>&1 &
S3PID=$!
trap 'cleanup; kill "$S3PID" 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "listening on" "$E2E_TMP/s3.log" 2>/dev/null && break; sleep 0.1; done
S3PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$E2E_TMP/s3.log")
curl -s -o /dev/null -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 aws:amz:us-east-1:s3 \
  --user S3RVER:S3RVER "http://127.0.0.1:$S3PORT/hub"
start_hubd "$E2E_TMP/data-s3" --blobs "s3://hub?endpoint=http://127.0.0.1:$S3PORT&region=us-east-1&access_key=S3RVER&secret_key=S3RVER"
http POST /api/repos/create -H "Authorization: Bearer $ADMIN_TOKEN" -d '{"name":"s3m"}'
git clone -q "http://admin:$ADMIN_TOKEN@$HOSTPORT/admin/s3m" s3w && cp w/weights.bin s3w/
git -C s3w add -A && git -C s3w commit -qm "LFS on S3" && git -C s3w push -q origin main
check "S3: nothing stored locally" test -z "$(find "$E2E_TMP/data-s3/lfs" -type f)"
http HEAD /admin/s3m/resolve/main/weights.bin
check "S3: HEAD has the sha256 etag and size" test "$STATUS $(hdr X-Linked-Etag) $(hdr Content-Length)" = "200 \"$LFS_OID\" 3000000"
curl -s -o "$E2E_TMP/s3dl.bin" "$URL/admin/s3m/resolve/main/weights.bin"
check "S3: GET streams identical bytes" cmp -s "$E2E_TMP/s3dl.bin" w/weights.bin
curl -s -o "$E2E_TMP/s3part" -H "Range: bytes=1000000-1000999" "$URL/admin/s3m/resolve/main/weights.bin"
check "S3: Range slice matches" cmp -s "$E2E_TMP/s3part" <(tail -c +1000001 w/weights.bin | head -c 1000)
stop_hubd
finish
