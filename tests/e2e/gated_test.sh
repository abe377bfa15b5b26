#!/usr/bin/env bash
# Issue 17, gated repos: the setting (API), every content path refused with GatedRepo for
# anonymous callers (401) and users without access (403, the Hub's messages) while metadata,
# card and listings stay visible; access requests (the card's form fields, manual queue,
# auto approval), accept / reject (with a reason) / cancel / grant by the owner, each path
# served after acceptance and refused again after rejection; auth-check; who may manage
# requests (not another user, not a read token); org members read without a request; a
# private gated repo stays RepoNotFound to strangers.
HUBD=$(realpath "${1:?usage: gated_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name alice
git config --global user.email alice@example.com
git config --global init.defaultBranch main

DATA="$E2E_TMP/data"
start_hubd "$DATA"
for u in alice bob carol dave erin; do "$HUBD" user add $u --password ${u}pass1234 --data "$DATA" >/dev/null; done
"$HUBD" org add acme --member alice --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
ALICE_READ=$("$HUBD" token create alice --role read --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
BOB_READ=$("$HUBD" token create bob --role read --data "$DATA")
CAROL=$("$HUBD" token create carol --role write --data "$DATA")
DAVE=$("$HUBD" token create dave --role write --data "$DATA")
A=(-H "Authorization: Bearer $ALICE")
B=(-H "Authorization: Bearer $BOB")
C=(-H "Authorization: Bearer $CAROL")
J=(-H "Content-Type: application/json")
R=/api/models/alice/m

# A repo whose card defines a request form, a file, pushed with git.
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"m"}'
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m" "$E2E_TMP/w"
cat >"$E2E_TMP/w/README.md" <<'CARD'
---
license: mit
extra_gated_prompt: "You agree to **not** misuse this model."
extra_gated_fields:
  Company: text
  I agree to the terms: checkbox
  Use:
    type: select
    options: [research, business]
---
# A gated model
CARD
echo '{"hidden": "weights"}' >"$E2E_TMP/w/config.json"
git -C "$E2E_TMP/w" add . && git -C "$E2E_TMP/w" commit -qm card && git -C "$E2E_TMP/w" push -q origin main

# ---- the setting ----
expect_error 400 "gated must be false/auto/manual" PUT "$R/settings" "${A[@]}" "${J[@]}" -d '{"gated":"sometimes"}'
expect_error 403 "another user cannot gate the repo" PUT "$R/settings" "${B[@]}" "${J[@]}" -d '{"gated":"manual"}'
http PUT "$R/settings" "${A[@]}" "${J[@]}" -d '{"gated":"manual"}'
check "the owner gates the repo (manual): 200" test "$STATUS" = 200
check "repo info shows gated: manual" test "$(curl -s "$URL$R" | jq -r .gated)" = manual
check "the listing shows gated: manual" test "$(curl -s "$URL/api/models?author=alice" | jq -r '.[]|select(.id=="alice/m")|.gated')" = manual
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"plain"}'
check "list_models(gated=True) finds the gated repo only" test "$(curl -s "$URL/api/models?author=alice&gated=true" | jq -r '[.[].id]|join(",")')" = alice/m
check "list_models(gated=False) finds the others" test "$(curl -s "$URL/api/models?author=alice&gated=false" | jq -r '[.[].id]|join(",")')" = alice/plain
expect_error 400 "gated=maybe in a listing" GET "/api/models?gated=maybe"

# ---- metadata stays visible, content is refused ----
http GET "$R" "${B[@]}"
check "repo info (siblings, cardData) stays visible to a stranger" \
  test "$STATUS $(jq -r '[.siblings[].rfilename]|sort|join(",")' <<<"$BODY") $(jq -r .cardData.license <<<"$BODY")" = "200 .gitattributes,README.md,config.json mit"
http GET "$R/tree/main"
check "the file listing stays visible to anonymous callers" test "$STATUS" = 200
check "the repo page (card) stays visible" test "$(curl -s -o /dev/null -w '%{http_code}' "${B[@]}" "$URL/alice/m")" = 200

NOT_LISTED='Access to model alice/m is restricted and you are not in the authorized list. Visit /alice/m to ask for access.'
ANON_MSG='Access to model alice/m is restricted. You must have access to it and be authenticated to access it. Please log in.'
# gated_refused STATUS MESSAGE_PREFIX "what" METHOD PATH [curl args]: GatedRepo with that status and message.
gated_refused() {
  local want=$1 msg=$2 what=$3; shift 3
  http "$@"
  local code em
  code=$(grep -i '^x-error-code:' <<<"$HEADERS" | tr -d '\r' | cut -d' ' -f2-)
  em=$(grep -i '^x-error-message:' <<<"$HEADERS" | tr -d '\r' | cut -d' ' -f2-)
  if [ "$STATUS" = "$want" ] && [ "$code" = GatedRepo ] && [[ "$em" == "$msg"* ]]; then pass "$what -> $want GatedRepo"
  else failed "$what: wanted $want GatedRepo '$msg', got $STATUS code=$code msg=$em body=${BODY:0:200}"; fi
}
BATCH='{"operation":"download","transfers":["basic"],"objects":[{"oid":"'$(printf '0%.0s' {1..64})'","size":1}]}'
# content_paths STATUS MESSAGE who-label curl-auth...: every content path answers GatedRepo.
content_paths() {
  local want=$1 msg=$2 who=$3; shift 3
  gated_refused "$want" "$msg" "$who: GET resolve" GET /alice/m/resolve/main/config.json "$@"
  gated_refused "$want" "$msg" "$who: HEAD resolve" HEAD /alice/m/resolve/main/config.json -I "$@"
  gated_refused "$want" "$msg" "$who: ranged GET resolve" GET /alice/m/resolve/main/config.json -H "Range: bytes=0-3" "$@"
  gated_refused "$want" "$msg" "$who: GET raw" GET /alice/m/raw/main/README.md "$@"
  gated_refused "$want" "$msg" "$who: git info/refs (upload-pack)" GET "/alice/m.git/info/refs?service=git-upload-pack" "$@"
  gated_refused "$want" "$msg" "$who: git-upload-pack" POST /alice/m.git/git-upload-pack \
    -H "Content-Type: application/x-git-upload-pack-request" --data-binary "0000" "$@"
  gated_refused "$want" "$msg" "$who: LFS batch download" POST /alice/m.git/info/lfs/objects/batch \
    -H "Content-Type: application/vnd.git-lfs+json" -H "Accept: application/vnd.git-lfs+json" -d "$BATCH" "$@"
  gated_refused "$want" "$msg" "$who: metrics API" GET /api/models/alice/m/metrics/main "$@"
  gated_refused "$want" "$msg" "$who: Inference API" POST /models/alice/m "${J[@]}" -d '{"inputs":"hi"}' "$@"
  gated_refused "$want" "$msg" "$who: auth-check" GET /api/models/alice/m/auth-check "$@"
}
code_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
content_paths 401 "$ANON_MSG" anonymous
content_paths 403 "$NOT_LISTED" bob "${B[@]}"
gated_refused 403 "$NOT_LISTED" "bob: web blob page" GET /alice/m/blob/main/config.json "${B[@]}"
gated_refused 403 "$NOT_LISTED" "bob: web metrics data" GET /alice/m/metrics.json "${B[@]}"
COMMIT=$(curl -s "$URL$R" | jq -r .sha)
gated_refused 403 "$NOT_LISTED" "bob: web commit diff" GET "/alice/m/commit/$COMMIT" "${B[@]}"
http POST "$R/discussions" "${A[@]}" "${J[@]}" -d '{"title":"a PR","pullRequest":true}'
gated_refused 403 "$NOT_LISTED" "bob: a PR's diff (?diff=1)" GET "$R/discussions/$(jq -r .num <<<"$BODY")?diff=1" "${B[@]}"
check "bob: the PR's conversation (no diff) stays visible" test "$(code_of "${B[@]}" "$URL$R/discussions/1")" = 200
check "bob cannot git clone" bash -c '! git clone -q "$1" "$2" 2>/dev/null' _ "http://bob:$BOB@$HOSTPORT/alice/m" "$E2E_TMP/bob1"
http GET /alice/m/blob/main/config.json
check "anonymous web blob: sent to log in" test "$STATUS" = 303
check "the owner reads: resolve 200" test "$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" "$URL/alice/m/resolve/main/config.json")" = 200
check "the owner's read token reads: resolve 200" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ALICE_READ" "$URL/alice/m/resolve/main/config.json")" = 200
http GET "$R/auth-check" "${A[@]}"
check "auth-check for the owner: 200 read" test "$STATUS $(jq -r .access <<<"$BODY")" = "200 read"

# ---- requests: the form's fields, the manual queue ----
expect_error 404 "nothing to cancel yet" POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"bob","status":"pending"}'
expect_error 400 "a request without the form's answers" POST "$R/ask-access" "${B[@]}" "${J[@]}" -d '{}'
expect_error 400 "a select answer outside its options" POST "$R/ask-access" "${B[@]}" "${J[@]}" \
  -d '{"fields":{"Company":"B Corp","I agree to the terms":true,"Use":"mischief"}}'
expect_error 403 "a read token cannot ask for access" POST "$R/ask-access" -H "Authorization: Bearer $BOB_READ" "${J[@]}" \
  -d '{"fields":{"Company":"B Corp","I agree to the terms":true,"Use":"research"}}'
http POST "$R/ask-access" "${B[@]}" "${J[@]}" -d '{"fields":{"Company":"B Corp","I agree to the terms":true,"Use":"research"}}'
check "bob asks (manual): 200 pending" test "$STATUS $(jq -r .status <<<"$BODY")" = "200 pending"
expect_error 409 "asking twice" POST "$R/ask-access" "${B[@]}" "${J[@]}" -d '{"fields":{"Company":"B","I agree to the terms":true,"Use":"research"}}'
gated_refused 403 "Your request to access model alice/m is awaiting a review from the repo authors." \
  "bob while pending: resolve" GET /alice/m/resolve/main/config.json "${B[@]}"

# ---- who may manage requests ----
expect_error 403 "bob cannot list the requests" GET "$R/user-access-request/pending" "${B[@]}"
expect_error 401 "anonymous cannot list the requests" GET "$R/user-access-request/pending"
expect_error 403 "the owner's read token cannot list" GET "$R/user-access-request/pending" -H "Authorization: Bearer $ALICE_READ"
expect_error 403 "the owner's read token cannot accept" POST "$R/user-access-request/handle" \
  -H "Authorization: Bearer $ALICE_READ" "${J[@]}" -d '{"user":"bob","status":"accepted"}'
expect_error 403 "bob cannot accept himself" POST "$R/user-access-request/handle" "${B[@]}" "${J[@]}" -d '{"user":"bob","status":"accepted"}'
expect_error 403 "bob cannot grant himself" POST "$R/user-access-request/grant" "${B[@]}" "${J[@]}" -d '{"user":"bob"}'
http GET "$R/user-access-request/pending" "${A[@]}"
check "the owner lists pending: bob, his answers and email, a timestamp" \
  test "$STATUS $(jq -r '[.[0].user.user, .[0].fields.Company, (.[0].fields["I agree to the terms"]|tostring), .[0].fields.Use, .[0].status, (.[0].timestamp|test("^20[0-9-]+T[0-9:.]+Z$")|tostring), length]|join("|")' <<<"$BODY")" \
  = "200 bob|B Corp|true|research|pending|true|1"
check "accepted and rejected lists are empty" \
  test "$(curl -s "${A[@]}" "$URL$R/user-access-request/accepted" | jq length)$(curl -s "${A[@]}" "$URL$R/user-access-request/rejected" | jq length)" = 00
expect_error 404 "an unknown list" GET "$R/user-access-request/maybe" "${A[@]}"
expect_error 400 "an unknown status" POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"bob","status":"maybe"}'
expect_error 404 "an unknown user" POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"nobody","status":"accepted"}'
expect_error 400 "a rejection reason over 200 characters" POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" \
  -d "{\"user\":\"bob\",\"status\":\"rejected\",\"rejectionReason\":\"$(printf 'r%.0s' {1..201})\"}"

# ---- accept: every path serves bob ----
http POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"bob","status":"accepted"}'
check "the owner accepts bob: 200" test "$STATUS" = 200
expect_error 404 "accepting twice" POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"bob","status":"accepted"}'
check "bob after acceptance: resolve 200 with the bytes" test "$(curl -s "${B[@]}" "$URL/alice/m/resolve/main/config.json")" = '{"hidden": "weights"}'
check "bob after acceptance: HEAD 200" test "$(code_of -I "${B[@]}" "$URL/alice/m/resolve/main/config.json")" = 200
check "bob after acceptance: range 206" test "$(code_of "${B[@]}" -H "Range: bytes=0-3" "$URL/alice/m/resolve/main/config.json")" = 206
check "bob after acceptance: raw 200" test "$(code_of "${B[@]}" "$URL/alice/m/raw/main/README.md")" = 200
check "bob after acceptance: web blob 200" test "$(code_of "${B[@]}" "$URL/alice/m/blob/main/config.json")" = 200
check "bob after acceptance: auth-check 200" test "$(code_of "${B[@]}" "$URL$R/auth-check")" = 200
check "bob's read token after acceptance: resolve 200" \
  test "$(code_of -H "Authorization: Bearer $BOB_READ" "$URL/alice/m/resolve/main/config.json")" = 200
http POST /alice/m.git/info/lfs/objects/batch "${B[@]}" -H "Content-Type: application/vnd.git-lfs+json" -d "$BATCH"
check "bob after acceptance: LFS batch download answers per object (200)" test "$STATUS" = 200
http POST /models/alice/m "${B[@]}" "${J[@]}" -d '{"inputs":"hi"}'
check "bob after acceptance: the Inference API is past the gate" bash -c '! grep -qi "^x-error-code: GatedRepo" <<<"$1"' _ "$HEADERS"
check "bob after acceptance: git clone" git clone -q "http://bob:$BOB@$HOSTPORT/alice/m" "$E2E_TMP/bob2"
check "the clone has the file" test "$(cat "$E2E_TMP/bob2/config.json")" = '{"hidden": "weights"}'

# ---- reject with a reason: refused again; cancel; accept again ----
http POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"bob","status":"rejected","rejectionReason":"not now"}'
check "the owner rejects bob: 200" test "$STATUS" = 200
check "rejected list: bob with the reason" \
  test "$(curl -s "${A[@]}" "$URL$R/user-access-request/rejected" | jq -r '.[0]|[.user.user,.status,.rejectionReason]|join("|")')" = "bob|rejected|not now"
content_paths 403 "Your request to access model alice/m has been rejected by the repo's authors." "bob rejected" "${B[@]}"
expect_error 400 "a reason only with a rejection" POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" \
  -d '{"user":"bob","status":"accepted","rejectionReason":"x"}'
http POST "$R/user-access-request/handle" "${A[@]}" "${J[@]}" -d '{"user":"bob","status":"pending"}'
check "cancel moves bob back to pending" \
  test "$STATUS $(curl -s "${A[@]}" "$URL$R/user-access-request/pending" | jq -r '.[0].user.user')" = "200 bob"

# ---- grant without a request; auto approval ----
http POST "$R/user-access-request/grant" "${A[@]}" "${J[@]}" -d '{"user":"dave"}'
check "grant dave: 200" test "$STATUS" = 200
expect_error 400 "granting twice" POST "$R/user-access-request/grant" "${A[@]}" "${J[@]}" -d '{"user":"dave"}'
expect_error 404 "granting an unknown user" POST "$R/user-access-request/grant" "${A[@]}" "${J[@]}" -d '{"user":"nobody"}'
check "dave is accepted, without an email (not shared by a grant)" \
  test "$(curl -s "${A[@]}" "$URL$R/user-access-request/accepted" | jq -r '.[]|select(.user.user=="dave")|[.status,(.user.email//"none")]|join("|")')" = "accepted|none"
check "dave reads" test "$(code_of -H "Authorization: Bearer $DAVE" "$URL/alice/m/resolve/main/config.json")" = 200
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X PUT "$URL$R/settings" -d '{"gated":"auto"}'
http POST "$R/ask-access" "${C[@]}" "${J[@]}" -d '{"fields":{"Company":"C","I agree to the terms":"on","Use":"business"}}'
check "carol asks (auto): accepted at once" test "$STATUS $(jq -r .status <<<"$BODY")" = "200 accepted"
check "carol reads" test "$(code_of "${C[@]}" "$URL/alice/m/resolve/main/config.json")" = 200
check "bob's pending request stays pending under auto" \
  test "$(code_of "${B[@]}" "$URL/alice/m/resolve/main/config.json")" = 403

# ---- the setting off: everyone reads; requests on a repo that is not gated ----
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X PUT "$URL$R/settings" -d '{"gated":false}'
check "gated false: repo info says false" test "$(curl -s "$URL$R" | jq -r .gated)" = false
check "gated false: anonymous reads" test "$(code_of "$URL/alice/m/resolve/main/config.json")" = 200
expect_error 400 "listing requests of a repo that is not gated" GET "$R/user-access-request/pending" "${A[@]}"

# ---- org repos: members read without a request; private + gated stays private ----
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"om","organization":"acme"}'
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X PUT "$URL/api/models/acme/om/settings" -d '{"gated":"manual"}'
check "an org member reads a gated org repo" test "$(code_of "${A[@]}" "$URL/acme/om/resolve/main/.gitattributes")" = 200
gated_refused 403 "Access to model acme/om is restricted" "a stranger on the org repo" GET /acme/om/resolve/main/.gitattributes "${B[@]}"
curl -sf -o /dev/null "${A[@]}" "${J[@]}" -X PUT "$URL$R/settings" -d '{"gated":"manual","private":true}'
for who in bob carol; do
  tok=$([ $who = bob ] && echo "$BOB" || echo "$CAROL")
  http GET /alice/m/resolve/main/config.json -H "Authorization: Bearer $tok"
  check "private+gated: $who (accepted before) gets RepoNotFound, not GatedRepo" \
    bash -c '[ "$1" = 404 ] && grep -qi "^x-error-code: RepoNotFound" <<<"$2"' _ "$STATUS" "$HEADERS"
done
expect_error 404 "private+gated: a stranger cannot ask for access" POST "$R/ask-access" "${B[@]}" "${J[@]}" -d '{}'
expect_error 404 "private+gated: a stranger cannot see the repo info" GET "$R" "${B[@]}"

finish
