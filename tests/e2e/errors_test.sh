#!/usr/bin/env bash
# Issue 15, the Hub's error contract end to end with curl and the real @huggingface/hub client:
# each X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound) on each endpoint family
# (REST api, resolve, git smart HTTP, LFS batch, web pages), 401 instead of 404 for anonymous
# callers, X-Request-Id echoed on errors, legacy single-segment ids, create_repo's 409 with
# `url` (exist_ok), the Hub's words for refs, moves and a stale parentCommit, expand's 400,
# README metadata validation (commit and validate-yaml), implicit folder deletion, preupload's
# shouldIgnore from the repo's .gitignore, and createRepo({files}) through the JS client.
HUBD=$(realpath "${1:?usage: errors_test.sh path/to/hubd}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
A=(-H "Authorization: Bearer $ALICE")
J=(-H "Content-Type: application/json")
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X POST "$URL/api/repos/create" -d '{"name":"m"}'
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X POST "$URL/api/repos/create" -d '{"name":"other"}'
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X POST "$URL/api/repos/create" -d '{"name":"priv","private":true}'

header_of() { grep -i "^$1:" <<<"$HEADERS" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# expect_code STATUS CODE "what" METHOD PATH [curl args]: status, X-Error-Code, X-Error-Message.
expect_code() {
  local want=$1 code=$2 what=$3; shift 3
  http "$@"
  local got msg
  got=$(header_of X-Error-Code)
  msg=$(header_of X-Error-Message)
  if [ "$STATUS" = "$want" ] && [ "$got" = "$code" ] && [ -n "$msg" ]; then
    pass "$what -> $want $code"
  else
    failed "$what: wanted $want $code, got $STATUS X-Error-Code='$got' message='$msg' $(head -c 200 <<<"$BODY")"
  fi
}

# ---- REST api ----
expect_code 404 RepoNotFound "api: missing repo" GET /api/models/alice/nope "${A[@]}"
expect_code 401 RepoNotFound "api: missing repo, anonymous" GET /api/models/alice/nope
expect_code 401 RepoNotFound "api: private repo, anonymous" GET /api/models/alice/priv
expect_code 404 RepoNotFound "api: private repo, other user" GET /api/models/alice/priv -H "Authorization: Bearer $BOB"
expect_code 404 RevisionNotFound "api: missing revision" GET /api/models/alice/m/revision/nope "${A[@]}"
expect_code 404 RepoNotFound "api: legacy single-segment id" GET /api/models/gpt2 "${A[@]}"
expect_code 401 RepoNotFound "api: legacy single-segment id, anonymous" GET /api/models/gpt2/revision/main
expect_code 404 RepoNotFound "api: unlike a missing (legacy) repo" DELETE /api/models/missing_repo_id/like "${A[@]}"
expect_code 404 RepoNotFound "api: like a missing repo" POST /api/models/alice/nope/like "${A[@]}"
http GET /api/models/gpt2/not-an-endpoint/x "${A[@]}"
check "api: a path naming no repo endpoint stays a plain 404" test "$STATUS" = 404 -a -z "$(header_of X-Error-Code)"

# ---- resolve (GET and HEAD: huggingface_hub maps HEAD errors from the headers alone) ----
expect_code 404 EntryNotFound "resolve: missing file" GET /alice/m/resolve/main/nope.txt "${A[@]}"
expect_code 404 EntryNotFound "resolve: missing file, HEAD" HEAD /alice/m/resolve/main/nope.txt -I "${A[@]}"
expect_code 404 RevisionNotFound "resolve: missing revision" GET /alice/m/resolve/nope/config.json "${A[@]}"
expect_code 404 RepoNotFound "resolve: missing repo" GET /alice/nope/resolve/main/config.json "${A[@]}"
expect_code 401 RepoNotFound "resolve: legacy id, anonymous" GET /gpt2/resolve/main/config.json
expect_code 404 RepoNotFound "resolve: legacy id, HEAD" HEAD /gpt2/resolve/main/config.json -I "${A[@]}"
expect_code 404 RepoNotFound "resolve: legacy dataset id" GET /datasets/squad/resolve/main/x.json "${A[@]}"

# ---- git smart HTTP and LFS ----
expect_code 404 RepoNotFound "git: missing repo" GET "/alice/nope.git/info/refs?service=git-upload-pack" \
  -u "alice:$ALICE"
expect_code 401 RepoNotFound "git: private repo, anonymous (a challenge)" GET "/alice/priv.git/info/refs?service=git-upload-pack"
check "git: the challenge asks for Basic credentials" grep -qi '^www-authenticate: basic' <<<"$HEADERS"
LFS_BATCH='{"operation":"download","transfers":["basic"],"objects":[{"oid":"'$(printf '%064d' 0)'","size":1}]}'
expect_code 404 RepoNotFound "lfs: batch on a missing repo" POST /alice/nope.git/info/lfs/objects/batch \
  -u "alice:$ALICE" -H "Content-Type: application/vnd.git-lfs+json" -d "$LFS_BATCH"
check "lfs: error body in git-lfs's shape" jq -e '.message|type=="string"' >/dev/null <<<"$BODY"

# ---- web pages ----
expect_code 404 RepoNotFound "web: missing repo page" GET /alice/nope "${A[@]}"
expect_code 404 RepoNotFound "web: private repo page, anonymous" GET /alice/priv

# ---- X-Request-Id ----
http GET /api/models/alice/nope "${A[@]}" -H "X-Request-Id: e2e-request-42"
check "X-Request-Id: the client's id is echoed on an error" test "$(header_of X-Request-Id)" = e2e-request-42
http GET /api/models/alice/nope "${A[@]}"
check "X-Request-Id: a fresh one otherwise" test -n "$(header_of X-Request-Id)"

# ---- create_repo(exist_ok=True): 409 with the existing repo's url ----
http POST /api/repos/create "${A[@]}" "${J[@]}" -d '{"name":"m"}'
check "create existing repo: 409 with url" test "$STATUS" = 409 -a "$(jq -r .url <<<"$BODY")" = "$URL/alice/m"
check "create existing repo: an error message too" jq -e '.error|type=="string"' >/dev/null <<<"$BODY"
http POST /api/repos/create "${A[@]}" "${J[@]}" -d '{"name":"dataset-one","type":"dataset"}'
http POST /api/repos/create "${A[@]}" "${J[@]}" -d '{"name":"dataset-one","type":"dataset"}'
check "create existing dataset: url under /datasets" test "$(jq -r .url <<<"$BODY")" = "$URL/datasets/alice/dataset-one"

# ---- the Hub's words for refs and moves ----
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/models/alice/m/branch/dev" "${J[@]}" -d '{}'
http POST /api/models/alice/m/branch/dev "${A[@]}" "${J[@]}" -d '{}'
check "create existing branch: 409 'Reference refs/heads/dev already exists'" \
  test "$STATUS" = 409 -a "$(jq -r .error <<<"$BODY")" = "Reference refs/heads/dev already exists"
http POST /api/models/alice/m/branch/main "${A[@]}" "${J[@]}" -d '{}'
check "create branch main: 'Reference refs/heads/main already exists'" grep -q 'Reference refs/heads/main already exists' <<<"$BODY"
http DELETE /api/models/alice/m/branch/main "${A[@]}"
check "delete the default branch: 'Cannot delete refs/heads/main'" \
  test "$STATUS" = 400 -a "$(jq -r .error <<<"$BODY")" = "Cannot delete refs/heads/main"
expect_code 404 RevisionNotFound "delete a missing branch" DELETE /api/models/alice/m/branch/nope "${A[@]}"
check "delete a missing branch: 'Invalid rev id'" grep -q 'Invalid rev id: nope' <<<"$BODY"
expect_code 404 RevisionNotFound "tag a missing revision (even with a bad tag name)" POST /api/models/alice/m/tag/foobar \
  "${A[@]}" "${J[@]}" -d '{"tag":"invalid tag"}'
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X POST "$URL/api/models/alice/m/tag/main" -d '{"tag":"v1"}'
http POST /api/models/alice/m/tag/main "${A[@]}" "${J[@]}" -d '{"tag":"v1"}'
check "tag twice: 409 'Reference refs/tags/v1 already exists'" \
  test "$STATUS" = 409 -a "$(jq -r .error <<<"$BODY")" = "Reference refs/tags/v1 already exists"
expect_code 404 RevisionNotFound "delete a missing tag" DELETE /api/models/alice/m/tag/v9 "${A[@]}"
http POST /api/repos/move "${A[@]}" "${J[@]}" -d '{"fromRepo":"alice/m","toRepo":"alice/other","type":"model"}'
check "move onto an existing repo: 409 'A model repository called alice/other already exists'" \
  test "$STATUS" = 409 -a "$(jq -r .error <<<"$BODY")" = "A model repository called alice/other already exists"

# ---- expand ----
http GET "/api/models/alice/m?expand=does_not_exist" "${A[@]}"
check "unknown expand: 400 listing the valid values" \
  test "$STATUS" = 400 -a "$(jq -r .error <<<"$BODY" | cut -c1-28)" = '"expand" must be one of [aut'
check "unknown expand: the list holds downloadsAllTime and safetensors" \
  grep -q 'downloadsAllTime, gated.*safetensors' <<<"$BODY"
http GET "/api/models/alice/m?expand=downloads&expand=likes" "${A[@]}"
check "known expand values still answer 200" test "$STATUS" = 200 -a "$(jq -r 'has("downloads")' <<<"$BODY")" = true
# The listings take the same values, per type.
http GET "/api/models?expand=does_not_exist" "${A[@]}"
check "listing with an unknown expand: the same 400" \
  test "$STATUS" = 400 -a "$(jq -r .error <<<"$BODY" | cut -c1-28)" = '"expand" must be one of [aut'
http GET "/api/datasets?expand=safetensors" "${A[@]}"
check "listing datasets: a model-only expand value is refused, with the dataset list" \
  bash -c '[ "$1" = 400 ] && grep -q "paperswithcode_id" <<<"$0"' "$BODY" "$STATUS"
http GET "/api/models?expand=downloads&expand=likes&search=m" "${A[@]}"
check "listing with known expand values answers 200 with those fields" \
  test "$STATUS" = 200 -a "$(jq -r '.[0] | has("downloads") and has("likes")' <<<"$BODY")" = true

# ---- commits: stale parent, README validation, implicit folder delete ----
N=(-H "Content-Type: application/x-ndjson")
commit() {  # commit REPO NDJSON-LINES...: sets STATUS/BODY
  local repo=$1; shift
  printf '%s\n' "$@" >"$E2E_TMP/c.ndjson"
  http POST "/api/models/alice/$repo/commit/main" "${A[@]}" "${N[@]}" --data-binary @"$E2E_TMP/c.ndjson"
}
BASE=$(curl -s "${A[@]}" "$URL/api/models/alice/m" | jq -r .sha)
commit m '{"key":"header","value":{"summary":"folder"}}' \
  '{"key":"file","value":{"path":"dir/a.txt","content":"a","encoding":"utf-8"}}' \
  '{"key":"file","value":{"path":"dir/sub/b.txt","content":"b","encoding":"utf-8"}}'
check "commit a folder" test "$STATUS" = 200
commit m '{"key":"header","value":{"summary":"stale","parentCommit":"'"$BASE"'"}}' \
  '{"key":"file","value":{"path":"x.txt","content":"x","encoding":"utf-8"}}'
check "stale parentCommit: 412 'A commit has happened since. Please refresh and try again.'" \
  test "$STATUS" = 412 -a -n "$(jq -r .error <<<"$BODY" | grep -F 'A commit has happened since. Please refresh and try again.')"
commit m '{"key":"header","value":{"summary":"delete dir as a file"}}' '{"key":"deletedFile","value":{"path":"dir"}}'
check "deletedFile naming a folder deletes it (the Hub allows it)" test "$STATUS" = 200
expect_code 404 EntryNotFound "the implicitly deleted folder's file is gone" GET /alice/m/resolve/main/dir/sub/b.txt "${A[@]}"
expect_code 404 EntryNotFound "deleting a missing file" POST /api/models/alice/m/commit/main "${A[@]}" "${N[@]}" \
  --data-binary $'{"key":"header","value":{"summary":"gone"}}\n{"key":"deletedFile","value":{"path":"never-there.txt"}}\n'
BAD_CARD=$'---\nmodel-index: foo\n---\n\nThis is a modelcard with an invalid metadata section.\n'
commit m '{"key":"header","value":{"summary":"bad card"}}' \
  "$(jq -cn --arg c "$BAD_CARD" '{key:"file",value:{path:"README.md",content:$c,encoding:"utf-8"}}')"
check "README with a malformed model-index: 400 'Invalid metadata in README.md'" \
  test "$STATUS" = 400 -a -n "$(jq -r .error <<<"$BODY" | grep -F 'Invalid metadata in README.md')"
expect_code 404 EntryNotFound "the refused README was not committed" GET /alice/m/resolve/main/README.md "${A[@]}"
commit m '{"key":"header","value":{"summary":"bad yaml"}}' \
  "$(jq -cn --arg c $'---\nlicense: [mit\n---\n' '{key:"file",value:{path:"README.md",content:$c,encoding:"utf-8"}}')"
check "README with invalid YAML: 400 'Invalid metadata in README.md'" \
  test "$STATUS" = 400 -a -n "$(jq -r .error <<<"$BODY" | grep -F 'Invalid metadata in README.md')"
commit m '{"key":"header","value":{"summary":"plain card"}}' \
  '{"key":"file","value":{"path":"README.md","content":"no metadata at all","encoding":"utf-8"}}'
check "README without metadata is accepted" test "$STATUS" = 200

http POST /api/validate-yaml "${A[@]}" "${J[@]}" -d "$(jq -cn --arg c "$BAD_CARD" '{content:$c,repoType:"model"}')"
check "validate-yaml: malformed model-index is a 400 with errors[]" \
  test "$STATUS" = 400 -a "$(jq -r '.errors[0].message' <<<"$BODY")" = '"model-index" must be an array'
http POST /api/validate-yaml "${A[@]}" "${J[@]}" -d '{"content":"This is a modelcard without metadata","repoType":"model"}'
check "validate-yaml: empty metadata is a warning" \
  test "$STATUS" = 200 -a "$(jq -r '.warnings[0].message' <<<"$BODY" | cut -c1-33)" = "empty or missing yaml metadata in"
http POST /api/validate-yaml "${A[@]}" "${J[@]}" -d "$(jq -cn --arg c $'---\nlicense: mit\nmodel-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n---\n' '{content:$c}')"
check "validate-yaml: a good card has no errors nor warnings" \
  test "$STATUS" = 200 -a "$(jq -c '[.errors, .warnings]' <<<"$BODY")" = '[[],[]]'

# ---- preupload honours the repo's .gitignore ----
commit other '{"key":"header","value":{"summary":"ignore"}}' \
  '{"key":"file","value":{"path":".gitignore","content":"nested/*\n*.log\n","encoding":"utf-8"}}'
http POST /api/models/alice/other/preupload/main "${A[@]}" "${J[@]}" \
  -d '{"files":[{"path":"nested/file.bin","size":4,"sample":"AAAA"},{"path":"a.log","size":1,"sample":"AA=="},{"path":"keep.txt","size":1,"sample":"AA=="}]}'
check "preupload: .gitignore'd paths get shouldIgnore" \
  test "$(jq -c '[.files[] | {(.path): .shouldIgnore}] | add' <<<"$BODY")" = '{"nested/file.bin":true,"a.log":true,"keep.txt":false}'

# ---- the real JS client: createRepo({files}), 409 on a second create, deleteFile ----
if [ -d "$HERE/../node_modules/@huggingface/hub" ]; then
  HUB_URL="$URL" HF_TOKEN="$ALICE" NODE_PATH="$HERE/../node_modules" \
    node "$HERE/errors_client.mjs" >"$E2E_TMP/js.out" 2>&1
  cat "$E2E_TMP/js.out"
  PASSES=$((PASSES + $(grep -c '^PASS' "$E2E_TMP/js.out")))
  FAILS=$((FAILS + $(grep -c '^FAIL' "$E2E_TMP/js.out")))
  check "JS client script ran to the end" grep -q '^DONE' "$E2E_TMP/js.out"
else
  failed "tests/node_modules/@huggingface/hub is missing (cd tests && npm ci)"
fi

check "server still healthy" healthy
finish
