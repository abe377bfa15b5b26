#!/usr/bin/env bash
# Issue 17, webhooks, against a real receiver (webhook_receiver.py) this test starts:
# - the settings API as huggingface_hub calls it (create/list/get/update/enable/disable/delete),
#   its permissions (another user, a read token, anonymous) and validation;
# - SSRF: without HUBD_WEBHOOKS_ALLOW_PRIVATE a loopback/private target is refused when saved,
#   and a name that resolves to loopback is refused when the delivery connects;
# - payloads and X-Webhook-Secret for a git push, a commit API commit, a PR opened, a comment,
#   repo create; a receiver's 500 retried until it succeeds (delivery log: ok after 2 attempts);
#   a disabled hook gets nothing; bob's hook watching alice never sees alice's private repo;
# - durability: hubd killed (-9) after a push, before its job ran; after a restart the index
#   catches up and the webhook is delivered.
HUBD=$(realpath "${1:?usage: webhooks_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name alice
git config --global user.email alice@example.com
git config --global init.defaultBranch main

LOG="$E2E_TMP/hooks.jsonl"
touch "$LOG"
python3 "$(dirname "$0")/webhook_receiver.py" "$E2E_TMP/port" "$LOG" &
RECV_PID=$!
trap 'kill $RECV_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$E2E_TMP/port" ] && break; sleep 0.05; done
RECV="http://127.0.0.1:$(cat "$E2E_TMP/port")"

# wait_for CMD WANT: polls CMD's output until it equals WANT (the deliveries run after the
# request that caused them returns).
wait_for() { for _ in $(seq 1 150); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done; echo "  last: $($1)"; return 1; }
# received PATH JQ: the JQ filter over the receiver's log lines for PATH, as one JSON array.
received() { jq -sc --arg p "$1" "[.[]|select(.path==\$p)]|$2" "$LOG"; }
# wait_recv PATH JQ WANT: polls `received PATH JQ` until it equals WANT.
wait_recv() {
  for _ in $(seq 1 150); do [ "$(received "$1" "$2")" = "$3" ] && return 0; sleep 0.1; done
  echo "  last: $(received "$1" "$2")"; return 1
}

DATA="$E2E_TMP/data"
J=(-H "Content-Type: application/json")
H=/api/settings/webhooks

# ---- without the private-address knob: SSRF refused ----
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
ALICE_READ=$("$HUBD" token create alice --role read --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
A=(-H "Authorization: Bearer $ALICE")
B=(-H "Authorization: Bearer $BOB")
WATCH_ALICE='"watched":[{"type":"user","name":"alice"}]'
for target in "$RECV/x" "http://localhost:1/x" "http://[::1]:1/x" "http://169.254.169.254/latest/meta-data" "http://10.0.0.1/x"; do
  expect_error 400 "saving a webhook to $target without HUBD_WEBHOOKS_ALLOW_PRIVATE" POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$target\",$WATCH_ALICE}"
done
expect_error 400 "a non-http(s) URL" POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"file:///etc/passwd\",$WATCH_ALICE}"
# A name (not a literal) that resolves to loopback passes the save check; the connect is refused.
LOOPNAME=$(awk '$1=="127.0.0.1" && $2!="localhost" && $2 !~ /localhost$/ {print $2; exit}' /etc/hosts)
if [ -n "$LOOPNAME" ]; then
  http POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"http://$LOOPNAME:${RECV##*:}/ssrf\",$WATCH_ALICE,\"domains\":[\"repo\"]}"
  SSRF_ID=$(jq -r .webhook.id <<<"$BODY")
  check "a name resolving to loopback is saved ($LOOPNAME)" test "$STATUS" = 200
  curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"first"}'
  ssrf_state() { curl -s "${A[@]}" "$URL$H/$SSRF_ID" | jq -r '.webhook.deliveries[0]|[.state,.attempts,(.error|test("refused"))]|join("|")'; }
  check "its delivery is refused at connect time, not retried" wait_for ssrf_state "failed|1|true"
  check "the receiver got nothing from it" test "$(received /ssrf length)" = 0
  curl -sf -o /dev/null "${A[@]}" -X DELETE "$URL$H/$SSRF_ID"
else
  echo "SKIP: no name other than localhost maps to 127.0.0.1 in /etc/hosts"
fi
stop_hubd

# ---- with HUBD_WEBHOOKS_ALLOW_PRIVATE=1 (the receiver is on loopback) ----
export HUBD_WEBHOOKS_ALLOW_PRIVATE=1 HUBD_WEBHOOK_RETRY_MS=200
start_hubd "$DATA"

# settings API
http POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/alice\",$WATCH_ALICE,\"domains\":[\"repo\",\"discussion\"],\"secret\":\"s3cret\"}"
check "create_webhook: 200, 24-hex id, fields echoed, not disabled" \
  test "$STATUS $(jq -r '.webhook|[(.id|test("^[0-9a-f]{24}$")),.url,.watched[0].type,.watched[0].name,(.domains|join(",")),.secret,.disabled]|join("|")' <<<"$BODY")" \
  = "200 true|$RECV/alice|user|alice|repo,discussion|s3cret|false"
HA=$(jq -r .webhook.id <<<"$BODY")
http POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/flaky/m\",\"watched\":[{\"type\":\"model\",\"name\":\"alice/m\"}],\"domains\":[\"repo\"]}"
HF=$(jq -r .webhook.id <<<"$BODY")
http POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/off\",$WATCH_ALICE}"
HD=$(jq -r .webhook.id <<<"$BODY")
http POST "$H/$HD/disable" "${A[@]}"
check "disable_webhook: disabled true" test "$STATUS $(jq -r .webhook.disabled <<<"$BODY")" = "200 true"
http POST "$H/$HD/enable" "${A[@]}"
check "enable_webhook: disabled false" test "$STATUS $(jq -r .webhook.disabled <<<"$BODY")" = "200 false"
curl -sf -o /dev/null "${A[@]}" -X POST "$URL$H/$HD/disable"
http POST $H "${B[@]}" "${J[@]}" -d "{\"url\":\"$RECV/bob\",$WATCH_ALICE}"
HB=$(jq -r .webhook.id <<<"$BODY")
http GET $H "${A[@]}"
check "list_webhooks: alice's three hooks (a bare array), not bob's" \
  test "$STATUS $(jq -r '[.[].id]|sort|join(",")' <<<"$BODY")" = "200 $(printf '%s\n' "$HA" "$HF" "$HD" | sort | paste -sd,)"
http GET "$H/$HA" "${A[@]}"
check "get_webhook: {webhook: {...}} with a delivery log" test "$STATUS $(jq -r '.webhook|[.id,(.deliveries|type)]|join("|")' <<<"$BODY")" = "200 $HA|array"
expect_error 404 "bob reads alice's webhook" GET "$H/$HA" "${B[@]}"
expect_error 404 "bob disables alice's webhook" POST "$H/$HA/disable" "${B[@]}"
expect_error 404 "bob deletes alice's webhook" DELETE "$H/$HA" "${B[@]}"
expect_error 403 "a read token creates a webhook" POST $H -H "Authorization: Bearer $ALICE_READ" "${J[@]}" -d "{\"url\":\"$RECV/r\",$WATCH_ALICE}"
expect_error 401 "anonymous lists webhooks" GET $H
expect_error 400 "watched item of an unknown type" POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/r\",\"watched\":[{\"type\":\"team\",\"name\":\"x\"}]}"
expect_error 400 "unknown domain" POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/r\",$WATCH_ALICE,\"domains\":[\"billing\"]}"
expect_error 400 "body not JSON" POST $H "${A[@]}" "${J[@]}" -d '{"url":'
http POST $H "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/tmp\",$WATCH_ALICE}"
HT=$(jq -r .webhook.id <<<"$BODY")
http POST "$H/$HT" "${A[@]}" "${J[@]}" -d "{\"url\":\"$RECV/tmp2\",\"watched\":[{\"type\":\"org\",\"name\":\"acme\"}],\"domains\":[\"repo\"]}"
check "update_webhook: url, watched, domains replaced" \
  test "$STATUS $(jq -r '.webhook|[.url,.watched[0].type,(.domains|join(","))]|join("|")' <<<"$BODY")" = "200 $RECV/tmp2|org|repo"
http DELETE "$H/$HT" "${A[@]}"
check "delete_webhook: 200, then 404" bash -c '[ "$1" = 200 ] && [ "$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $2" "$3")" = 404 ]' _ "$STATUS" "$ALICE" "$URL$H/$HT"

# ---- events ----
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"m"}'
curl -sf -o /dev/null "${A[@]}" -X POST "$URL/api/repos/create" -d '{"name":"secret","private":true}'
check "repo create delivered to alice's hook: event, repo, webhook id, secret header" wait_recv /alice "[.[]|select(.body.event.scope==\"repo\" and .body.repo.name==\"alice/m\")|[.body.event.action,.body.repo.type,.body.repo.private,.body.webhook.id,.body.webhook.version,.secret,.contentType]|join(\"|\")]|first" \
  "\"create|model|false|$HA|3|s3cret|application/json\""
check "private repo create delivered to alice's own hook" wait_recv /alice "[.[]|select(.body.repo.name==\"alice/secret\")]|length" 1

# git push
git clone -q "http://alice:$ALICE@$HOSTPORT/alice/m" "$E2E_TMP/w"
W="$E2E_TMP/w"
echo one >"$W/a.txt" && git -C "$W" add a.txt && git -C "$W" commit -qm "add a"
OLD=$(curl -s "$URL/api/models/alice/m" | jq -r .sha)
git -C "$W" push -q origin HEAD:main
NEW=$(git -C "$W" rev-parse HEAD)
push_event() { received /alice "[.[]|select(.body.event.scope==\"repo.content\" and .body.repo.headSha==\"$NEW\")|[.body.event.action,(.body.updatedRefs[]|select(.ref==\"refs/heads/main\")|.oldSha,.newSha),.body.repo.url.web,.secret]|join(\"|\")]|first"; }
check "git push: repo.content update, updatedRefs old->new, headSha, web url" wait_for push_event "\"update|$OLD|$NEW|$URL/alice/m|s3cret\""

# commit API
printf '%s\n%s\n' '{"key":"header","value":{"summary":"api commit","description":""}}' \
  '{"key":"file","value":{"content":"aGk=","path":"api.txt","encoding":"base64"}}' >"$E2E_TMP/commit.ndjson"
http POST /api/models/alice/m/commit/main "${A[@]}" -H "Content-Type: application/x-ndjson" --data-binary @"$E2E_TMP/commit.ndjson"
API_SHA=$(jq -r .commitOid <<<"$BODY")
check "commit API: 200" test "$STATUS" = 200
check "commit API: repo.content update with the new head" wait_recv /alice "[.[]|select(.body.event.scope==\"repo.content\" and .body.repo.headSha==\"$API_SHA\")]|length" 1

# pull request opened, commented
D=/api/models/alice/m/discussions
http POST "$D" "${B[@]}" "${J[@]}" -d '{"title":"Bob proposes","description":"a change","pullRequest":true}'
PR=$(jq -r .num <<<"$BODY")
check "PR opened: discussion create, isPullRequest, base, num, title, web url" wait_recv /alice "[.[]|select(.body.event.scope==\"discussion\")|[.body.event.action,.body.discussion.isPullRequest,.body.discussion.changes.base,.body.discussion.num,.body.discussion.title,.body.discussion.url.web,.body.discussion.author.id]|join(\"|\")]|first" \
  "\"create|true|refs/heads/main|$PR|Bob proposes|$URL/alice/m/discussions/$PR|bob\""
http POST "$D/$PR/comment" "${B[@]}" "${J[@]}" -d '{"comment":"please review"}'
CID=$(jq -r .newMessage.id <<<"$BODY")
check "comment: discussion.comment create with content, author, id" wait_recv /alice "[.[]|select(.body.event.scope==\"discussion.comment\")|[.body.event.action,.body.comment.content,.body.comment.author.id,.body.comment.id,.body.discussion.num]|join(\"|\")]|first" \
  "\"create|please review|bob|$CID|$PR\""

# a 500 from the receiver is retried, then succeeds (hook HF watches alice/m, domain repo)
check "the flaky receiver answered 500 then 200 to the repo create event" wait_recv /flaky/m "[.[]|select(.body.event.scope==\"repo\")|.status]" "[500,200]"
hf_log() { curl -s "${A[@]}" "$URL$H/$HF" | jq -c '[.webhook.deliveries[]|select(.event=="repo.create")|[.state,.status,.attempts]]'; }
check "its delivery log: ok, 200, 2 attempts" wait_for hf_log '[["ok",200,2]]'
check "the retried body is the same as the first" test "$(received /flaky/m '[.[]|select(.body.event.scope=="repo")|.body]|unique|length')" = 1

# private events never reach bob's hook; the disabled hook gets nothing. Every event above has
# been delivered to alice's hook, so its fan-out (which makes every hook's delivery) is done.
http GET "$H/$HB" "${B[@]}"
check "bob's hook watching alice: deliveries for alice/m only, none for alice/secret" \
  test "$(jq -r '[.webhook.deliveries[].repo]|unique|join(",")' <<<"$BODY")" = "alice/m"
check "the receiver never got alice/secret on bob's path" test "$(received /bob '[.[]|select(.body.repo.name=="alice/secret")]|length')" = 0
http GET "$H/$HD" "${A[@]}"
check "the disabled hook has no deliveries" test "$(jq -r '.webhook.deliveries|length' <<<"$BODY")" = 0
check "the receiver never got the disabled hook's path" test "$(received /off length)" = 0

# ---- web UI: settings → webhooks (session cookie + CSRF token) ----
curl -s -o /dev/null -c "$E2E_TMP/alice.jar" -X POST "$URL/api/login" -H 'Content-Type: application/json' \
  -d '{"username":"alice","password":"alicepass1"}'
page() { curl -s -b "$E2E_TMP/alice.jar" "$URL$1"; }
csrf_of() { grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
LIST=$(page /settings/webhooks)
check "the webhooks page lists alice's hooks" bash -c 'grep -q "$2/alice" <<<"$1" && grep -q "$2/off" <<<"$1"' _ "$LIST" "$RECV"
CSRF=$(csrf_of <<<"$LIST")
http POST /settings/webhooks -b "$E2E_TMP/alice.jar" --data-urlencode "url=$RECV/web2" --data-urlencode "watched=model alice/m"
check "a form post without the CSRF token is refused (403)" test "$STATUS" = 403
http POST /settings/webhooks -b "$E2E_TMP/alice.jar" --data-urlencode "csrf=$CSRF" --data-urlencode "url=$RECV/web" \
  --data-urlencode "watched=model alice/m" --data-urlencode "domains=repo" --data-urlencode "secret=w"
WEB_ID=$(grep -i '^location:' <<<"$HEADERS" | sed 's|.*/||; s/\r//')
check "with the token: 303 to the new hook's page" test "$STATUS ${#WEB_ID}" = "303 24"
HOOK_PAGE=$(page "/settings/webhooks/$HA")
check "a hook's page shows its recent deliveries" bash -c 'grep -q "repo.content.update" <<<"$1" && grep -q "discussion.comment.create" <<<"$1"' _ "$HOOK_PAGE"
http POST "/settings/webhooks/$WEB_ID/disable" -b "$E2E_TMP/alice.jar" --data-urlencode "csrf=$CSRF"
check "disable from the page" test "$STATUS $(curl -s "${A[@]}" "$URL$H/$WEB_ID" | jq -r .webhook.disabled)" = "303 true"
http POST "/settings/webhooks/$WEB_ID/delete" -b "$E2E_TMP/alice.jar" --data-urlencode "csrf=$CSRF"
check "delete from the page" test "$STATUS $(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" "$URL$H/$WEB_ID")" = "303 404"
check "bob's session cannot open alice's hook page" bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -b "$1" "$2")" = 404 ]' _ \
  "$(curl -s -o /dev/null -c "$E2E_TMP/bob.jar" -X POST "$URL/api/login" -H 'Content-Type: application/json' -d '{"username":"bob","password":"bobpass123"}'; echo "$E2E_TMP/bob.jar")" "$URL/settings/webhooks/$HA"

# ---- durability: kill -9 after a push, before its job ran; restart ----
stop_hubd
HUBD_JOBS_THREADS=0 start_hubd "$DATA"  # this hubd queues jobs but runs none
git -C "$W" remote set-url origin "http://alice:$ALICE@$HOSTPORT/alice/m"  # this hubd's port
printf -- '---\npipeline_tag: fill-mask\n---\n# m\n' >"$W/README.md"
git -C "$W" pull -q --rebase origin main
git -C "$W" add README.md && git -C "$W" commit -qm "card"
git -C "$W" push -q origin HEAD:main
CARD=$(git -C "$W" rev-parse HEAD)
listed_tag() { curl -s "$URL/api/models?author=alice" | jq -r '.[]|select(.id=="alice/m")|.pipeline_tag // "none"'; }
check "before the restart the push is not indexed (its job is only queued)" test "$(listed_tag)" = none
kill -9 "$HUBD_PID"; wait "$HUBD_PID" 2>/dev/null; HUBD_PID=""
start_hubd "$DATA"
check "after kill -9 and a restart, the index catches up" wait_for listed_tag fill-mask
check "and the push's webhook is delivered" wait_recv /alice "[.[]|select(.body.event.scope==\"repo.content\" and .body.repo.headSha==\"$CARD\")]|length" 1
check "hubd still healthy" healthy
finish
