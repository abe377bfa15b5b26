#!/usr/bin/env bash
# Issue 2 end to end with the real git client: users, tokens, repos, clone/push, branches and
# tags, permissions and private repos, rename redirects, bad input, crash safety, shutdown.
HUBD=$(realpath "${1:?usage: git_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main

DATA="$E2E_TMP/data"
start_hubd "$DATA"
HUBD_PORT_WANTED=${HOSTPORT##*:}  # restarts reuse the port, so clones' remotes stay valid
check "first start prints an admin token" test -n "$ADMIN_TOKEN"

# Users and tokens through the CLI, while the server runs on the same data directory.
"$HUBD" user add alice --password alicepass1 --fullname "Alice A" --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
"$HUBD" org add acme --fullname "Acme Corp" --member alice --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
ALICE_READ=$("$HUBD" token create alice --role read --data "$DATA")
check "token format hf_ + 34 letters" grep -Eq '^hf_[A-Za-z]{34}$' <<<"$ALICE"

http GET /api/whoami-v2 -H "Authorization: Bearer $ALICE"
check "whoami-v2 names alice, her fullname and org" test "$(jq -r '.name+"|"+.fullname+"|"+.orgs[0].name+"|"+.auth.accessToken.role' <<<"$BODY")" = "alice|Alice A|acme|write"

# Create by HTTP, clone, commit, push, clone again elsewhere, compare.
http POST /api/repos/create -H "Authorization: Bearer $ALICE" -d '{"name":"m1"}'
check "create repo answers url/name" test "$(jq -r .name <<<"$BODY")" = "alice/m1" -a "$(jq -r .url <<<"$BODY")" = "$URL/alice/m1"
http POST /api/repos/create -H "Authorization: Bearer $ALICE" -d '{"name":"m1"}'
check "creating it again is 409" test "$STATUS" = 409

cd "$E2E_TMP"
git clone -q "http://u:$ALICE@$HOSTPORT/alice/m1" w1
check "fresh repo has the Hub's initial commit" test "$(git -C w1 log --format=%s)" = "initial commit"
check "initial .gitattributes tracks *.safetensors with LFS" grep -q '^\*\.safetensors filter=lfs diff=lfs merge=lfs -text$' w1/.gitattributes
mkdir -p w1/sub && for i in $(seq 1 20); do echo "file $i" > w1/sub/f$i.txt; done
head -c 200000 /dev/urandom > w1/data.dat
git -C w1 add -A && git -C w1 commit -qm "add files"
check "push over smart HTTP" git -C w1 push -q origin main
git clone -q "$URL/alice/m1.git" w2
check "anonymous clone of the public repo matches what was pushed" diff -r -x .git w1 w2
check "pushed head is recorded (repo info sha)" test "$(curl -s "$URL/api/models/alice/m1" | jq -r .sha)" = "$(git -C w1 rev-parse HEAD)"

git -C w1 checkout -qb feature && echo feat > w1/feat.txt && git -C w1 add feat.txt && git -C w1 commit -qm feat
git -C w1 tag -a v1 -m "version 1" && git -C w1 push -q origin feature v1
refs=$(git ls-remote "$URL/alice/m1")
check "second branch and tag are on the server" grep -q 'refs/heads/feature' <<<"$refs"
check "annotated tag is on the server" grep -q 'refs/tags/v1$' <<<"$refs"
# A branch tip's README.md must have valid metadata, as through the commit API (issue 15).
git -C w1 checkout -q main
printf -- '---\nmodel-index: "not a list"\n---\n# Card\n' > w1/README.md
git -C w1 add README.md && git -C w1 commit -qm "bad card"
OUT=$(git -C w1 push origin main 2>&1); RC=$?
check "a push whose README.md metadata is invalid is refused" test "$RC" != 0
check "git shows the Hub's words and the reason" bash -c 'grep -q "remote: hubd: push refused: Invalid metadata in README.md." <<<"$0" && grep -q "remote: hubd: - .*model-index" <<<"$0"' "$OUT"
check "and the branch did not move" test "$(curl -s "$URL/api/models/alice/m1" | jq -r .sha)" != "$(git -C w1 rev-parse HEAD)"
printf -- '---\nlicense: mit\n---\n# Card\n' > w1/README.md
git -C w1 commit -qam "fixed card"
check "with the metadata fixed the same push goes through" git -C w1 push -q origin main
git -C w1 checkout -q feature

# Permissions: bob cannot push to alice's repo; a read token cannot push either.
git clone -q "http://bob:$BOB@$HOSTPORT/alice/m1" wb
echo nope > wb/bob.txt && git -C wb add bob.txt && git -C wb commit -qm bob
check "another user cannot push" bash -c "! git -C wb push -q origin main 2>/dev/null"
git -C wb remote set-url origin "http://alice:$ALICE_READ@$HOSTPORT/alice/m1"
check "a read token cannot push" bash -c "! git -C wb push -q origin main 2>/dev/null"
# Passwords are for the web log-in only (issue 14 #9): git is told to use a token instead.
git -C wb remote set-url origin "http://alice:alicepass1@$HOSTPORT/alice/m1"
check "the password is refused as git credential" bash -c "! git -C wb push -q origin main 2>/dev/null"
http GET "/alice/m1.git/info/refs?service=git-receive-pack" -u alice:alicepass1
check "a git password gets 401 saying to use a token" bash -c "[ $STATUS = 401 ] && grep -qi '^x-error-message:.*use an access token' <<<\"\$0\"" "$HEADERS"
git -C wb remote set-url origin "http://alice:$ALICE@$HOSTPORT/alice/m1"
check "a write token works as git password" git -C wb push -q origin main

# Private repos are invisible to others.
http POST /api/repos/create -H "Authorization: Bearer $ALICE" -d '{"name":"secret","private":true}'
http GET "/alice/secret.git/info/refs?service=git-upload-pack" -H "Authorization: Bearer $BOB"
check "private repo: info/refs is 404 for another user" test "$STATUS" = 404
http GET "/alice/secret.git/info/refs?service=git-upload-pack"
check "private repo: anonymous git gets a Basic challenge" bash -c "[ $STATUS = 401 ] && grep -qi '^www-authenticate: basic' <<<\"\$0\"" "$HEADERS"
http GET /api/models/alice/secret -H "Authorization: Bearer $BOB"
check "private repo: API says RepoNotFound to others" bash -c "[ $STATUS = 404 ] && grep -qi '^x-error-code: RepoNotFound' <<<\"\$0\"" "$HEADERS"
check "private repo: bob cannot clone" bash -c "! git clone -q http://bob:$BOB@$HOSTPORT/alice/secret s1 2>/dev/null"
check "private repo: alice can clone" git clone -q "http://alice:$ALICE@$HOSTPORT/alice/secret" s2
check "private repo: org repo for member" curl -sf -o /dev/null -H "Authorization: Bearer $ALICE" -X POST "$URL/api/repos/create" -d '{"name":"orgrepo","organization":"acme","private":true}'
http POST /api/repos/create -H "Authorization: Bearer $BOB" -d '{"name":"x","organization":"acme"}'
check "non-member cannot create in an org" test "$STATUS" = 403

# Rename: old clone URLs keep working.
http POST /api/repos/move -H "Authorization: Bearer $ALICE" -d '{"fromRepo":"alice/m1","toRepo":"acme/renamed"}'
check "move repo" test "$STATUS" = 200
check "clone by the new name" git clone -q "$URL/acme/renamed" r1
check "clone by the old name still works" git clone -q "$URL/alice/m1" r2
check "old and new clones agree" diff -r -x .git r1 r2
check "push through the old URL works" git -C w1 push -q origin feature

# Bad input: each a clear 4xx, and the server keeps serving.
for bad in '../x' 'a/b/c' "$(printf 'a%.0s' $(seq 1 97))" '--x' 'x--y' 'x..y' '.x' 'x.git' 'sp ace' ''; do
  expect_error 400 "invalid repo name '$bad'" POST /api/repos/create -H "Authorization: Bearer $ALICE" -d "{\"name\":\"$bad\"}"
done
expect_error 400 "malformed JSON" POST /api/repos/create -H "Authorization: Bearer $ALICE" -d '{"name":'
expect_error 400 "JSON that is not an object" POST /api/repos/create -H "Authorization: Bearer $ALICE" -d '[1,2]'
head -c 3000000 /dev/zero | tr '\0' 'a' > "$E2E_TMP/big.json"
expect_error 413 "oversized body" POST /api/repos/create -H "Authorization: Bearer $ALICE" --data-binary @"$E2E_TMP/big.json"
expect_error 415 "non-git POST to git-upload-pack" POST /alice/secret/git-upload-pack -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' -d '{}'
expect_error 400 "garbage pack request" POST /acme/renamed/git-upload-pack -H 'Content-Type: application/x-git-upload-pack-request' --data-binary 'zzzz-not-pkt-lines'
expect_error 404 "path traversal in the repo path" GET "/alice/..%2F..%2Fetc/info/refs?service=git-upload-pack" -H "Authorization: Bearer $ALICE"
expect_error 404 "traversal in namespace" GET "/api/models/..%2F..%2F/x" -H "Authorization: Bearer $BOB"
expect_error 401 "anonymous caller of a missing repo gets 401 RepoNotFound (as the Hub)" GET "/api/models/nobody/nothing"
expect_error 400 "bad percent-encoding" GET "/api/models/a%zz/b"
expect_error 403 "dumb HTTP is refused" GET "/acme/renamed/info/refs"
expect_error 401 "unknown token" GET /api/whoami-v2 -H "Authorization: Bearer hf_notARealTokenAtAllxxxxxxxxxxxxxxxx"
TID=$(curl -s -H "Authorization: Bearer $BOB" "$URL/api/settings/tokens" | jq '.[0].id')
NEWTOK=$(curl -s -H "Authorization: Bearer $BOB" -X POST "$URL/api/settings/tokens" -d '{"name":"tmp","role":"write"}' | jq -r .token)
check "a token made over HTTP works" curl -sf -o /dev/null -H "Authorization: Bearer $NEWTOK" "$URL/api/whoami-v2"
NEWID=$(curl -s -H "Authorization: Bearer $BOB" "$URL/api/settings/tokens" | jq '.[-1].id')
check "revoke it" curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $BOB" "$URL/api/settings/tokens/$NEWID"
expect_error 401 "a revoked token" GET /api/whoami-v2 -H "Authorization: Bearer $NEWTOK"
check "a revoked token cannot clone a private repo" bash -c "! git clone -q http://x:$NEWTOK@$HOSTPORT/alice/secret rv 2>/dev/null"
printf 'GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n' "$(head -c 100000 /dev/zero | tr '\0' a)" > "$E2E_TMP/bighdr"
check "huge header is refused (431) and the server lives" bash -c "curl -s --max-time 5 telnet://$HOSTPORT < $E2E_TMP/bighdr | head -1 | grep -q 431 ; curl -sf -o /dev/null $URL/api/health"
check "garbage on the socket does not kill the server" bash -c "printf 'NOT HTTP AT ALL\r\n\r\n' | curl -s --max-time 3 telnet://$HOSTPORT >/dev/null; curl -sf -o /dev/null $URL/api/health"

# Graceful shutdown: a clone in flight when SIGTERM arrives still completes.
head -c 30000000 /dev/urandom > w1/big.dat && git -C w1 checkout -q main && git -C w1 pull -q --no-rebase origin main 2>/dev/null
git -C w1 add big.dat && git -C w1 commit -qm big && git -C w1 push -q origin main
git clone -q "$URL/acme/renamed" g1 &
CLONE=$!
# In flight = upload-pack is sending the pack (a clone is two requests; between them a stopping
# server rightly accepts no new connection, and on a loaded machine a fixed sleep may land there).
for _ in $(seq 1 250); do pgrep -f "upload-pack --stateless-rpc --strict $DATA" >/dev/null && break; sleep 0.02; done
sleep 0.1
kill -TERM "$HUBD_PID"
wait "$CLONE"; rc=$?
check "clone in flight at SIGTERM completes" test "$rc" = 0 -a -f g1/big.dat
wait "$HUBD_PID"; check "hubd exits 0 after SIGTERM" test $? = 0
HUBD_PID=""

# Crash safety: kill -9 during a push; after restart the branch is at the old or the new
# commit, git fsck is clean, and the server serves.
start_hubd "$DATA"
OLD=$(git -C w1 rev-parse HEAD)
head -c 60000000 /dev/urandom > w1/big2.dat && git -C w1 add big2.dat && git -C w1 commit -qm big2
NEW=$(git -C w1 rev-parse HEAD)
git -C w1 push -q origin main 2>/dev/null &
PUSH=$!
# Kill while the pack is being received: wait until receive-pack is running.
SEEN=0
for _ in $(seq 1 200); do pgrep -f "receive-pack --stateless-rpc" >/dev/null && { SEEN=1; break; }; sleep 0.02; done
sleep 0.1
kill -9 "$HUBD_PID"; wait "$PUSH" 2>/dev/null; HUBD_PID=""
sleep 0.2
start_hubd "$DATA"
BARE="$DATA/repos/models/acme/renamed.git"
HEAD_NOW=$(git -C "$BARE" rev-parse refs/heads/main)
check "receive-pack was running when hubd was killed" test "$SEEN" = 1
check "after kill -9 the branch is at the old or the new commit" test "$HEAD_NOW" = "$OLD" -o "$HEAD_NOW" = "$NEW"
check "git fsck is clean after the crash" git -C "$BARE" fsck --no-progress --no-dangling
check "the server serves after the crash" healthy
check "the push can be retried" git -C w1 push -q origin main
check "and is then at the new commit" test "$(git -C "$BARE" rev-parse refs/heads/main)" = "$NEW"

finish
