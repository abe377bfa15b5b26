#!/usr/bin/env bash
# Issue 17, pull requests and discussions through the Hub's API with curl and git: open a
# discussion and a PR by API, push commits to refs/pr/N with git (each one becomes an event),
# open a PR with create_pr=1, comment, edit, hide, rename, close/reopen, merge (fast-forward and
# merge commit), a conflicting merge refused, listing filters and pages, and the permissions:
# another user, a read token, anonymous and outsiders on a private repo (RepoNotFound).
HUBD=$(realpath "${1:?usage: prs_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name alice
git config --global user.email alice@example.com
git config --global init.defaultBranch main

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
ALICE_READ=$("$HUBD" token create alice --role read --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
A=(-H "Authorization: Bearer $ALICE")
B=(-H "Authorization: Bearer $BOB")
J=(-H "Content-Type: application/json")
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"m"}'
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"secret","private":true}'
D=/api/models/alice/m/discussions

# ---- open a discussion and a pull request by API ----
http POST "$D" "${A[@]}" "${J[@]}" -d '{"title":"  Hello there  ","description":"first words"}'
check "open a discussion: 200, num 1" test "$STATUS $(jq -r .num <<<"$BODY")" = "200 1"
http POST "$D" "${B[@]}" "${J[@]}" -d '{"title":"Bob proposes","description":"a change","pullRequest":true}'
check "another user opens a PR on alice's repo: num 2" test "$STATUS $(jq -r .num <<<"$BODY")" = "200 2"
http GET "$D/1"
check "discussion details: title trimmed, author, open, first comment" \
  test "$(jq -r '[.title,.author.name,.status,.isPullRequest,(.events|length),.events[0].type,.events[0].data.latest.raw]|join("|")' <<<"$BODY")" \
  = "Hello there|alice|open|false|1|comment|first words"
http GET "$D/2"
check "PR details: draft, base refs/heads/main, no conflicts" \
  test "$(jq -r '[.status,.isPullRequest,.changes.base,(.filesWithConflicts|length)]|join("|")' <<<"$BODY")" = "draft|true|refs/heads/main|0"
MAIN0=$(curl -s "$URL/api/models/alice/m" | jq -r .sha)
http GET "/api/models/alice/m/refs?include_prs=1"
check "the PR's ref refs/pr/2 points at main's head" \
  test "$(jq -r '.pullRequests[]|select(.ref=="refs/pr/2")|.targetCommit' <<<"$BODY")" = "$MAIN0"

# ---- git push to refs/pr/2: each commit becomes an event of the PR ----
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m" "$E2E_TMP/w"
W="$E2E_TMP/w"
echo one >"$W/a.txt" && git -C "$W" add a.txt && git -C "$W" commit -qm "add a"
check "git push to refs/pr/2" git -C "$W" push -q origin HEAD:refs/pr/2
commit_events() { curl -s "$URL$D/2" | jq -r '[.events[]|select(.type=="commit")|.data.subject]|join(",")'; }
# The push's bookkeeping runs after git returns (services/post_push.h): wait until it is done.
wait_for() { for _ in $(seq 1 100); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done; return 1; }
check "the pushed commit is an event of PR 2" wait_for commit_events "add a"

# ---- comment, then more commits ----
http POST "$D/2/comment" "${B[@]}" "${J[@]}" -d '{"comment":"please review"}'
check "comment: 200 with newMessage" test "$STATUS $(jq -r .newMessage.data.latest.raw <<<"$BODY")" = "200 please review"
CID=$(jq -r .newMessage.id <<<"$BODY")
echo two >"$W/b.txt" && git -C "$W" add b.txt && git -C "$W" commit -qm "add b"
echo three >>"$W/b.txt" && git -C "$W" commit -qam "grow b"
git -C "$W" push -q origin HEAD:refs/pr/2
check "two more pushed commits: three commit events, oldest first" wait_for commit_events "add a,add b,grow b"
http GET "$D/2?diff=1"
check "PR diff against main names the files it adds" bash -c 'grep -q "+++ b/a.txt" <<<"$1" && grep -q "+++ b/b.txt" <<<"$1"' _ "$(jq -r .diff <<<"$BODY")"

# ---- edit, hide, rename ----
http POST "$D/2/comment/$CID/edit" "${B[@]}" "${J[@]}" -d '{"content":"please review now"}'
check "the author edits a comment: edited, new text" \
  test "$STATUS $(jq -r '[.updatedComment.data.edited,.updatedComment.data.latest.raw,.updatedComment.id]|join("|")' <<<"$BODY")" = "200 true|please review now|$CID"
EDITED=$(jq -c .updatedComment <<<"$BODY")
check "details show the edited comment as the edit answered it" \
  test "$(curl -s "$URL$D/2" | jq -c --arg id "$CID" '.events[]|select(.id==$id)')" = "$EDITED"
expect_error 403 "another user edits bob's comment" POST "$D/2/comment/$CID/edit" "${A[@]}" "${J[@]}" -d '{"content":"x"}'
http POST "$D/2/title" "${B[@]}" "${J[@]}" -d '{"title":"Bob proposes a and b"}'
check "the author renames: title-change event" \
  test "$STATUS $(jq -r '[.newTitle.type,.newTitle.data.from,.newTitle.data.to]|join("|")' <<<"$BODY")" = "200 title-change|Bob proposes|Bob proposes a and b"
http POST "$D/1/comment" "${B[@]}" "${J[@]}" -d '{"comment":"spam"}'
SPAM=$(jq -r .newMessage.id <<<"$BODY")
http POST "$D/1/comment/$SPAM/hide" "${A[@]}"
check "a repo writer hides a comment: hidden, text gone" \
  test "$STATUS $(jq -r '[.updatedComment.data.hidden,.updatedComment.data.latest.raw]|join("|")' <<<"$BODY")" = "200 true|"

# ---- merge: refused while draft, by non-writers, with read tokens; then fast-forward ----
expect_error 400 "merge a draft PR" POST "$D/2/merge" "${A[@]}"
http POST "$D/2/status" "${B[@]}" "${J[@]}" -d '{"status":"open","comment":"ready"}'
check "the PR author publishes the PR: status-change open" test "$STATUS $(jq -r .newStatus.data.status <<<"$BODY")" = "200 open"
expect_error 403 "merge by a user without write access" POST "$D/2/merge" "${B[@]}"
expect_error 403 "merge with a read token" POST "$D/2/merge" -H "Authorization: Bearer $ALICE_READ"
expect_error 401 "merge anonymously" POST "$D/2/merge"
PR2=$(git -C "$W" rev-parse HEAD)
http POST "$D/2/merge" "${A[@]}"
check "merge PR 2: 200" test "$STATUS" = 200
http GET "$D/2"
check "PR 2 merged, mergeCommitId = main's head = the PR head (fast-forward)" \
  test "$(jq -r '[.status,.changes.mergeCommitId]|join("|")' <<<"$BODY")" = "merged|$PR2"
check "main serves the PR's file" test "$(curl -s "$URL/alice/m/resolve/main/b.txt")" = "$(printf 'two\nthree')"
expect_error 400 "merge a merged PR again" POST "$D/2/merge" "${A[@]}"

# ---- create_pr=1 opens the PR discussion; merging it needs a merge commit ----
commit_body() {  # commit_body SUMMARY PATH CONTENT [PARENT]
  printf '{"key":"header","value":{"summary":"%s","description":"from the API"%s}}\n{"key":"file","value":{"path":"%s","content":"%s","encoding":"utf-8"}}\n' \
    "$1" "${4:+,\"parentCommit\":\"$4\"}" "$2" "$3"
}
http POST "/api/models/alice/m/commit/main?create_pr=1" "${B[@]}" -H "Content-Type: application/x-ndjson" \
  --data-binary "$(commit_body "Bob adds c" c.txt "from bob" "$MAIN0")"
check "create_pr=1 by another user: pullRequestUrl …/discussions/3" bash -c '[[ $1 == */alice/m/discussions/3 ]]' _ "$(jq -r .pullRequestUrl <<<"$BODY")"
http GET "$D/3"
check "PR 3: open, by bob, title = summary, comment = description, one commit event" \
  test "$(jq -r '[.status,.author.name,.title,.events[0].data.latest.raw,([.events[]|select(.type=="commit")|.data.subject]|join(","))]|join("|")' <<<"$BODY")" \
  = "open|bob|Bob adds c|from the API|Bob adds c"
MAIN1=$(curl -s "$URL/api/models/alice/m" | jq -r .sha)
http POST "$D/3/merge" "${A[@]}" "${J[@]}" -d '{"comment":"thanks"}'
check "merge PR 3 (diverged from main): 200" test "$STATUS" = 200
MAIN2=$(curl -s "$URL/api/models/alice/m" | jq -r .sha)
check "main's new head is a merge commit (main, PR head)" \
  test "$(curl -s "$URL/api/models/alice/m/commits/main" | jq -r '.[0].id')" = "$MAIN2"
git -C "$W" fetch -q origin main
check "the merge commit has two parents" test "$(git -C "$W" rev-list --parents -n1 "$MAIN2" | wc -w)" = 3
check "the merge commit's first parent is the old main" test "$(git -C "$W" rev-parse "$MAIN2^1")" = "$MAIN1"
check "both sides' files are on main" test "$(curl -s "$URL/alice/m/resolve/main/c.txt")|$(curl -s "$URL/alice/m/resolve/main/a.txt")" = "from bob|one"

# ---- a conflicting merge is refused ----
curl -s -o /dev/null "${A[@]}" -H "Content-Type: application/x-ndjson" -X POST "$URL/api/models/alice/m/commit/main" \
  --data-binary "$(commit_body "main edits d" d.txt "main side")"
http POST "/api/models/alice/m/commit/main?create_pr=1" "${B[@]}" -H "Content-Type: application/x-ndjson" \
  --data-binary "$(commit_body "Bob edits d" d.txt "bob side" "$MAIN2")"
http GET "$D/4?diff=1"
check "PR 4 lists d.txt in filesWithConflicts" test "$(jq -c .filesWithConflicts <<<"$BODY")" = '["d.txt"]'
MAIN3=$(curl -s "$URL/api/models/alice/m" | jq -r .sha)
expect_error 409 "merge a conflicting PR" POST "$D/4/merge" "${A[@]}"
check "the conflict error names the file" grep -q "d.txt" <<<"$BODY"
check "main did not move" test "$(curl -s "$URL/api/models/alice/m" | jq -r .sha)" = "$MAIN3"
check "PR 4 stays open" test "$(curl -s "$URL$D/4" | jq -r .status)" = open

# ---- a PR's author commits to it without write access; others cannot ----
http POST "/api/models/alice/m/commit/refs%2Fpr%2F4" "${B[@]}" -H "Content-Type: application/x-ndjson" \
  --data-binary "$(commit_body "Bob fixes d" f.txt "more")"
check "the PR author (no write access) commits to refs/pr/4" test "$STATUS" = 200
check "... and it is an event of PR 4" test "$(curl -s "$URL$D/4" | jq -r '[.events[]|select(.type=="commit")|.data.subject]|join(",")')" = "Bob edits d,Bob fixes d"
http POST "$D" "${A[@]}" "${J[@]}" -d '{"title":"Alice drafts","pullRequest":true}'
ALICE_PR=$(jq -r .num <<<"$BODY")
expect_error 403 "another user commits to alice's PR" POST "/api/models/alice/m/commit/refs%2Fpr%2F$ALICE_PR" "${B[@]}" \
  -H "Content-Type: application/x-ndjson" --data-binary "$(commit_body "Bob sneaks in" g.txt "x")"
http POST "$D/$ALICE_PR/status" "${A[@]}" "${J[@]}" -d '{"status":"closed"}'

# ---- listing: filters and pages ----
http POST "$D/1/status" "${A[@]}" "${J[@]}" -d '{"status":"closed"}'
check "close discussion 1" test "$STATUS" = 200
nums() { curl -s "$URL$D?$1" | jq -r '[.discussions[].num]|join(",")'; }
check "list: all, newest first" test "$(nums '')" = "5,4,3,2,1"
check "list: type=pull_request" test "$(nums type=pull_request)" = "5,4,3,2"
check "list: type=discussion" test "$(nums type=discussion)" = "1"
check "list: status=open" test "$(nums status=open)" = "4"
check "list: status=closed (closed and merged)" test "$(nums status=closed)" = "5,3,2,1"
check "list: author=bob" test "$(nums author=bob)" = "4,3,2"
check "list: author=nobody" test "$(nums author=nobody)" = ""
http GET "$D?p=1"
check "list page 2: empty, count 5, start 50" test "$(jq -r '[(.discussions|length),.count,.start]|join(",")' <<<"$BODY")" = "0,5,50"
expect_error 400 "list with a bad type" GET "$D?type=issues"
expect_error 400 "list with a bad page" GET "$D?p=-1"

# ---- bad input ----
expect_error 400 "title too short" POST "$D" "${A[@]}" "${J[@]}" -d '{"title":"ab"}'
expect_error 400 "malformed JSON" POST "$D" "${A[@]}" "${J[@]}" -d '{"title":'
expect_error 400 "status published" POST "$D/4/status" "${A[@]}" "${J[@]}" -d '{"status":"published"}'
expect_error 400 "empty comment" POST "$D/4/comment" "${A[@]}" "${J[@]}" -d '{"comment":"  "}'
expect_error 404 "missing discussion" GET "$D/99"
expect_error 404 "discussion number not a number" GET "$D/abc"
expect_error 404 "missing comment id" POST "$D/4/comment/ffffffffffffffffffffffff/edit" "${B[@]}" "${J[@]}" -d '{"content":"x"}'
expect_error 400 "merge a discussion" POST "$D/1/merge" "${A[@]}"

# ---- read tokens, anonymous, private repos ----
expect_error 403 "read token opens a discussion" POST "$D" -H "Authorization: Bearer $ALICE_READ" "${J[@]}" -d '{"title":"read only"}'
expect_error 403 "read token comments" POST "$D/4/comment" -H "Authorization: Bearer $ALICE_READ" "${J[@]}" -d '{"comment":"x"}'
expect_error 401 "anonymous comments" POST "$D/4/comment" "${J[@]}" -d '{"comment":"x"}'
expect_error 403 "another user closes alice's discussion" POST "$D/1/status" "${B[@]}" "${J[@]}" -d '{"status":"open"}'
http GET "$D"
check "anonymous may read a public repo's discussions" test "$STATUS" = 200
S=/api/models/alice/secret/discussions
http POST "$S" "${A[@]}" "${J[@]}" -d '{"title":"private talk","description":"hush"}'
check "the owner opens a discussion on a private repo" test "$STATUS" = 200
expect_error 401 "anonymous lists a private repo's discussions" GET "$S"
check "... as RepoNotFound" grep -qi '^x-error-code: RepoNotFound' <<<"$HEADERS"
expect_error 404 "an outsider lists a private repo's discussions" GET "$S" "${B[@]}"
check "... as RepoNotFound" grep -qi '^x-error-code: RepoNotFound' <<<"$HEADERS"
expect_error 404 "an outsider reads a private discussion" GET "$S/1" "${B[@]}"
expect_error 404 "an outsider comments on a private discussion" POST "$S/1/comment" "${B[@]}" "${J[@]}" -d '{"comment":"hi"}'
expect_error 404 "an outsider opens a discussion on a private repo" POST "$S" "${B[@]}" "${J[@]}" -d '{"title":"let me in"}'
check "the private discussion did not leak into the error" bash -c '! grep -q "private talk\|hush" <<<"$1"' _ "$BODY"
http GET "$S/1" -H "Authorization: Bearer $ALICE_READ"
check "the owner's read token reads the private discussion" test "$STATUS $(jq -r .title <<<"$BODY")" = "200 private talk"

# ---- web pages: Community tab, conversation, files changed, comment and merge forms ----
web_login() {  # web_login USER PASSWORD JAR
  curl -s -o /dev/null -c "$3" -X POST "$URL/api/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}"
}
web_login alice alicepass1 "$E2E_TMP/alice.jar"
web_login bob bobpass123 "$E2E_TMP/bob.jar"
page() { curl -s -b "$1" "$URL$2"; }
csrf_of() { grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
check "the repo page has a Community tab" grep -q 'data-tab="community"' <<<"$(page "$E2E_TMP/alice.jar" /alice/m)"
LIST=$(page "$E2E_TMP/alice.jar" "/alice/m/discussions?status=all")
check "the Community tab lists the 5 discussions and PRs" test "$(grep -c 'class="discussion-row"' <<<"$LIST")" = 5
check "the Community tab has the new discussion form" grep -q 'id="new-discussion"' <<<"$LIST"
http POST "/api/models/alice/m/commit/main?create_pr=1" "${B[@]}" -H "Content-Type: application/x-ndjson" \
  --data-binary "$(commit_body "Bob adds e" e.txt "web merge")"
P5=$(page "$E2E_TMP/bob.jar" /alice/m/discussions/6)
check "PR page: the conversation shows the pushed commit" grep -q 'pushed <a href="/alice/m/commit/' <<<"$P5"
check "PR page: no merge button for a user without write access" bash -c '! grep -q id=\"merge\" <<<"$1"' _ "$P5"
FILES=$(page "$E2E_TMP/bob.jar" /alice/m/discussions/6/files)
check "PR files page: the diff of e.txt against main" bash -c 'grep -q "data-path=\"e.txt\"" <<<"$1" && grep -q "web merge" <<<"$1"' _ "$FILES"
CSRF=$(csrf_of <<<"$P5")
http POST /alice/m/discussions/6/comment -b "$E2E_TMP/bob.jar" --data-urlencode "csrf=$CSRF" --data-urlencode "comment=Looks **good**"
check "web comment form: 303 back to the PR" test "$STATUS" = 303
check "the web comment is in the API's events" test "$(curl -s "$URL$D/6" | jq -r '.events[-1].data.latest.raw')" = "Looks **good**"
check "the comment is rendered as markdown on the page" grep -q '<strong>good</strong>' <<<"$(page "$E2E_TMP/bob.jar" /alice/m/discussions/6)"
http POST /alice/m/discussions/6/comment -b "$E2E_TMP/bob.jar" --data-urlencode "comment=no token"
check "web comment without the CSRF token: 403" test "$STATUS" = 403
P5A=$(page "$E2E_TMP/alice.jar" /alice/m/discussions/6)
check "PR page: merge and close buttons for the owner" bash -c 'grep -q id=\"merge\" <<<"$1" && grep -q id=\"close\" <<<"$1"' _ "$P5A"
P4A=$(page "$E2E_TMP/alice.jar" /alice/m/discussions/4)
check "conflicting PR page: conflict named, no merge button" bash -c 'grep -q "id=\"conflicts\"" <<<"$1" && ! grep -q id=\"merge\" <<<"$1"' _ "$P4A"
http POST /alice/m/discussions/6/merge -b "$E2E_TMP/alice.jar" --data-urlencode "csrf=$(csrf_of <<<"$P5A")"
check "web merge: 303, PR merged, e.txt on main" \
  test "$STATUS|$(curl -s "$URL$D/6" | jq -r .status)|$(curl -s "$URL/alice/m/resolve/main/e.txt")" = "303|merged|web merge"
check "a private repo's Community tab is 404 to an outsider" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/bob.jar" "$URL/alice/secret/discussions")" = 404
check "a private discussion page is 404 to an outsider" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_TMP/bob.jar" "$URL/alice/secret/discussions/1")" = 404
check "a private discussion page is 404 anonymously" test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/alice/secret/discussions/1")" = 404

# ---- git push by a PR's author without write access (only to their open PRs' refs) ----
http POST "$D" "${B[@]}" "${J[@]}" -d '{"title":"Bob pushes with git","pullRequest":true}'
BN=$(jq -r .num <<<"$BODY")
git clone -q "http://bob:$BOB@$HOSTPORT/alice/m" "$E2E_TMP/bobw"
git -C "$E2E_TMP/bobw" config user.name bob && git -C "$E2E_TMP/bobw" config user.email bob@example.com
echo "from bob" >"$E2E_TMP/bobw/bob.txt" && git -C "$E2E_TMP/bobw" add bob.txt && git -C "$E2E_TMP/bobw" commit -qm "bob by git"
check "bob pushes to his own PR's refs/pr/$BN with git" git -C "$E2E_TMP/bobw" push -q origin "HEAD:refs/pr/$BN"
check "the PR ref moved to bob's commit" \
  test "$(curl -s "$URL/api/models/alice/m/refs?include_prs=1" | jq -r --arg r "refs/pr/$BN" '.pullRequests[]|select(.ref==$r)|.targetCommit')" \
  = "$(git -C "$E2E_TMP/bobw" rev-parse HEAD)"
MAIN_BEFORE=$(curl -s "$URL/api/models/alice/m" | jq -r .sha)
check "bob cannot push to main" bash -c '! git -C "$1" push -q origin HEAD:main 2>/dev/null' _ "$E2E_TMP/bobw"
check "main did not move" test "$(curl -s "$URL/api/models/alice/m" | jq -r .sha)" = "$MAIN_BEFORE"
check "bob cannot push to alice's PR" bash -c '! git -C "$1" push -q origin HEAD:refs/pr/'"$ALICE_PR"' 2>/dev/null' _ "$E2E_TMP/bobw"
check "bob cannot push his PR ref and main together" bash -c '! git -C "$1" push -q origin HEAD:refs/pr/'"$BN"' HEAD:refs/heads/bob 2>/dev/null' _ "$E2E_TMP/bobw"
check "bob cannot delete his PR ref" bash -c '! git -C "$1" push -q origin :refs/pr/'"$BN"' 2>/dev/null' _ "$E2E_TMP/bobw"
http POST "$D/$BN/status" "${B[@]}" "${J[@]}" -d '{"status":"closed"}'
echo more >>"$E2E_TMP/bobw/bob.txt" && git -C "$E2E_TMP/bobw" commit -qam "after close"
check "after closing it, bob cannot push to it" bash -c '! git -C "$1" push -q origin HEAD:refs/pr/'"$BN"' 2>/dev/null' _ "$E2E_TMP/bobw"
"$HUBD" user add carol --password carolpass1 --data "$DATA" >/dev/null
CAROL=$("$HUBD" token create carol --role write --data "$DATA")
check "a user with no open PR cannot push at all (info/refs 403)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -u "carol:$CAROL" "$URL/alice/m.git/info/refs?service=git-receive-pack")" = 403
check "bob (open PRs) gets the receive-pack advertisement" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -u "bob:$BOB" "$URL/alice/m.git/info/refs?service=git-receive-pack")" = 200

finish
