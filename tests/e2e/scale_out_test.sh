#!/usr/bin/env bash
# Issue 18: two hubd nodes on one PostgreSQL, one S3 bucket (s3rver) and one shared --data
# directory, each with its own --scratch, behind nginx round-robin. All started by the test:
# PostgreSQL (initdb in a temp dir, unix socket only), s3rver, nginx (Debian nginx-light).
# Checks: both nodes starting at the same moment on an empty database (one admin, one secret);
# git push/clone with LFS through nginx; a URL one node signed accepted by the other; 16 API
# committers split over both nodes on one branch (no lost commit) and a parentCommit race across
# nodes; listing, search, likes and privacy the same on both; downloads counted once whichever
# node answers; kill -9 of one node and the other still serving through nginx; git fsck clean.
# Skips (exit 0, says so) when PostgreSQL, nginx or s3rver are absent.
HUBD=$(realpath "${1:?usage: scale_out_test.sh path/to/hubd}")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null

PGBIN=${HUBD_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
S3RVER="$HERE/../node_modules/s3rver/bin/s3rver.js"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then echo "SKIP: PostgreSQL server binaries not found"; exit 0; fi
if [ ! -x "$NGINX" ]; then echo "SKIP: nginx not found (install nginx-light)"; exit 0; fi
if ! command -v node >/dev/null || [ ! -f "$S3RVER" ]; then echo "SKIP: node or s3rver missing (scripts/npm-deps.sh)"; exit 0; fi

PIDS=()
PGDIR=$(mktemp -d /tmp/hubd-pg.XXXXXX)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=postgres; id postgres >/dev/null 2>&1 || PGUSER_OS=nobody
  chown "$PGUSER_OS" "$PGDIR"
  as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
fi
stop_all() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -f "$E2E_TMP/nginx/nginx.pid" ] && kill "$(cat "$E2E_TMP/nginx/nginx.pid")" 2>/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PGDIR"
}
trap 'stop_all; cleanup' EXIT
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U hub --auth=trust -E UTF8 --no-locale --no-sync >"$E2E_TMP/initdb.log" 2>&1 \
  || { cat "$E2E_TMP/initdb.log"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 120 \
  -o "-k $PGDIR -c listen_addresses= -c fsync=off -c synchronous_commit=off" start >/dev/null \
  || { cat "$PGDIR/log"; exit 1; }
"$PGBIN/psql" -X -q "postgresql:///postgres?host=$PGDIR&user=hub" -c "CREATE DATABASE hub" || exit 1
PG_URL="postgres://hub@/hub?host=$PGDIR"
psql_hub() { "$PGBIN/psql" -X -q -t -A "postgresql:///hub?host=$PGDIR&user=hub" -c "$1"; }

mkdir -p "$E2E_TMP/s3"
node "$S3RVER" -d "$E2E_TMP/s3" -a 127.0.0.1 -p 0 -s >"$E2E_TMP/s3.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "listening on" "$E2E_TMP/s3.log" && break; sleep 0.1; done
S3PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$E2E_TMP/s3.log")
curl -s -o /dev/null -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 aws:amz:us-east-1:s3 \
  --user S3RVER:S3RVER "http://127.0.0.1:$S3PORT/hub"
BLOBS="s3://hub?endpoint=http://127.0.0.1:$S3PORT&region=us-east-1&access_key=S3RVER&secret_key=S3RVER"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LB_PORT=$(free_port); A_PORT=$(free_port); B_PORT=$(free_port)
LB="http://127.0.0.1:$LB_PORT"; A="http://127.0.0.1:$A_PORT"; B="http://127.0.0.1:$B_PORT"
SHARED="$E2E_TMP/shared"

# start_node NAME PORT: one node on the shared directory with its own scratch (background).
start_node() {
  "$HUBD" serve --host 127.0.0.1 --port "$2" --data "$SHARED" --scratch "$E2E_TMP/scratch-$1" --db "$PG_URL" \
    --blobs "$BLOBS" --public-url "$LB" >"$E2E_TMP/node-$1.out" 2>"$E2E_TMP/node-$1.log" &
  eval "PID_$1=$!"
  PIDS+=($!)
}
wait_node() {  # wait_node NAME
  for _ in $(seq 1 600); do
    grep -q "hubd listening on" "$E2E_TMP/node-$1.out" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "node $1 did not start"; cat "$E2E_TMP/node-$1.log"; exit 1
}

# ---- both nodes start at the same moment on an empty database and an empty shared dir ----
start_node a "$A_PORT"; start_node b "$B_PORT"
wait_node a; wait_node b
check "two nodes started together on an empty database both serve" \
  bash -c "curl -sf $A/api/health >/dev/null && curl -sf $B/api/health >/dev/null"
check "exactly one admin was created (one token printed)" \
  test "$(cat "$E2E_TMP/node-a.out" "$E2E_TMP/node-b.out" | grep -c 'admin token:')" = 1
ADMIN=$(cat "$E2E_TMP/node-a.out" "$E2E_TMP/node-b.out" | grep 'admin token:' | awk '{print $3}')
secret_once() { [ "$(psql_hub "SELECT count(*) FROM settings WHERE key='secret'")" = 1 ] && [ ! -e "$SHARED/secret" ]; }
check "one signing secret, in the database, no secret file in the shared dir" secret_once
check "node-local work is in each node's scratch, not the shared dir" \
  bash -c "[ -d '$E2E_TMP/scratch-a/hooks' ] && [ -d '$E2E_TMP/scratch-b/hooks' ] && [ ! -e '$SHARED/hooks' ]"

# ---- nginx round-robin in front ----
mkdir -p "$E2E_TMP/nginx"
cat >"$E2E_TMP/nginx/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
daemon on;
pid $E2E_TMP/nginx/nginx.pid;
error_log $E2E_TMP/nginx/error.log;
events { worker_connections 256; }
http {
  access_log $E2E_TMP/nginx/access.log;
  client_body_temp_path $E2E_TMP/nginx/body;
  proxy_temp_path $E2E_TMP/nginx/proxy;
  fastcgi_temp_path $E2E_TMP/nginx/fastcgi;
  uwsgi_temp_path $E2E_TMP/nginx/uwsgi;
  scgi_temp_path $E2E_TMP/nginx/scgi;
  upstream hubd {
    server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=30s;
    server 127.0.0.1:$B_PORT max_fails=1 fail_timeout=30s;
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    client_max_body_size 0;
    location / {
      proxy_pass http://hubd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_next_upstream error timeout;
    }
  }
}
EOF
"$NGINX" -p "$E2E_TMP/nginx" -c "$E2E_TMP/nginx/nginx.conf" -e "$E2E_TMP/nginx/error.log" 2>"$E2E_TMP/nginx/start.log" \
  || { cat "$E2E_TMP/nginx/start.log"; exit 1; }
for _ in $(seq 100); do curl -sf "$LB/api/health" >/dev/null && break; sleep 0.05; done
check "nginx answers in front of both nodes" curl -sf "$LB/api/health" -o /dev/null
AUTH=(-H "Authorization: Bearer $ADMIN")

# ---- git push and clone with LFS through nginx ----
URL=$LB
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"bert-imdb"}'
check "create a repo through nginx" test "$STATUS" = 200
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"secret-bert","private":true}'
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"reviews","type":"dataset"}'
W="$E2E_TMP/w"
git clone -q "http://admin:$ADMIN@127.0.0.1:$LB_PORT/admin/bert-imdb" "$W"
git -C "$W" lfs track '*.bin' >/dev/null
head -c 3000000 /dev/urandom >"$W/model.bin"
printf -- '---\nlibrary_name: transformers\nlicense: mit\n---\n# BERT IMDB\nSentiment of zanzibar reviews.\n' >"$W/README.md"
printf '{"architectures":["BertForSequenceClassification"],"model_type":"bert"}' >"$W/config.json"
git -C "$W" add -A && git -C "$W" commit -qm card
check "git push with an LFS file through nginx" git -C "$W" push -q origin main
check "LFS objects went to S3, none under the shared dir" test -z "$(find "$SHARED/lfs" -type f)"
for n in 1 2; do
  rm -rf "$W.c$n"
  check "clone $n through nginx gets the LFS content back" \
    bash -c "git clone -q 'http://admin:$ADMIN@127.0.0.1:$LB_PORT/admin/bert-imdb' '$W.c$n' && cmp -s '$W/model.bin' '$W.c$n/model.bin'"
done

# ---- the nodes see each other's writes ----
same_on_both() {  # same_on_both PATH JQ [curl args]: both nodes answer the same (non-empty) value
  local path=$1 q=$2; shift 2
  local va vb
  va=$(curl -s "$A$path" "$@" | jq -c "$q"); vb=$(curl -s "$B$path" "$@" | jq -c "$q")
  [ -n "$va" ] && [ "$va" = "$vb" ] || { echo "  node a: $va"; echo "  node b: $vb"; return 1; }
}
check "repo info: the same head on both nodes" same_on_both /api/models/admin/bert-imdb '.sha'
check "search finds the pushed card on node a" \
  test "$(curl -s "$A/api/models?search=zanzibar" | jq -r '[.[].id]|join(",")')" = "admin/bert-imdb"
check "search: the same answer on both nodes" same_on_both "/api/models?search=zanzibar" '[.[].id]'
check "listing by pipeline_tag: the same on both" same_on_both "/api/models?filter=text-classification" '[.[].id]'
check "private repo: hidden from listings on both" same_on_both "/api/models?sort=id&direction=1" '[.[].id]'
for n in a b; do
  eval "u=\$$(tr a-z A-Z <<<$n)"
  none=$(curl -s -o /dev/null -w '%{http_code}' "$u/api/models/admin/no-such-repo")
  check "private repo: anonymously on node $n, the answer of a repo that does not exist ($none)" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$u/api/models/admin/secret-bert")" = "$none" -a "$none" != 200
  check "private repo: readable with the token on node $n" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$u/api/models/admin/secret-bert" "${AUTH[@]}")" = 200
done
curl -s -o /dev/null -X POST "$A/api/models/admin/bert-imdb/like" "${AUTH[@]}"
check "a like on node a counts on node b" test "$(curl -s "$B/api/models/admin/bert-imdb" | jq .likes)" = 1

# A URL node a signed (the LFS verify action) is accepted by node b: one secret.
OID=$(printf 'verify-me' | sha256sum | cut -d' ' -f1)
BATCH=$(curl -s -X POST "$A/admin/bert-imdb.git/info/lfs/objects/batch" "${AUTH[@]}" \
  -H 'Accept: application/vnd.git-lfs+json' -H 'Content-Type: application/vnd.git-lfs+json' \
  -d "{\"operation\":\"upload\",\"transfers\":[\"basic\"],\"objects\":[{\"oid\":\"$OID\",\"size\":9}]}")
VHREF=$(jq -r '.objects[0].actions.verify.href' <<<"$BATCH")
VAUTH=$(jq -r '.objects[0].actions.verify.header.Authorization // empty' <<<"$BATCH")
vpost() {  # vpost BASE AUTH: status of the verify call on that node
  curl -s -o /dev/null -w '%{http_code}' -X POST "$1${VHREF#$LB}" ${2:+-H "Authorization: $2"} \
    -H 'Content-Type: application/vnd.git-lfs+json' -d "{\"oid\":\"$OID\",\"size\":9}"
}
VA=$(vpost "$A" "$VAUTH"); VB=$(vpost "$B" "$VAUTH")
check "a verify URL signed by node a: node b answers as node a does ($VA)" test "$VA" = "$VB"
check "and that is not an authentication refusal" test "$VB" != 401 -a "$VB" != 403
VHREF_GOOD=$VHREF; VHREF=${VHREF%?}x; [ "$VHREF" = "$VHREF_GOOD" ] && VHREF=${VHREF%?}y
VT=$(vpost "$B" "$VAUTH"); VHREF=$VHREF_GOOD
check "a tampered signature is refused by node b ($VT)" test "$VT" = 401 -o "$VT" = 403

# ---- 16 API committers, alternating nodes, one branch: no lost commit ----
http POST /api/repos/create "${AUTH[@]}" -d '{"name":"race"}'
committer() {  # committer I BASE: one commit without parentCommit, retried on 409
  local i=$1 base=$2 body="$E2E_TMP/c$1.ndjson"
  printf '{"key":"header","value":{"summary":"client %s"}}\n{"key":"file","value":{"path":"c/%s.txt","content":"client %s\\n","encoding":"utf-8"}}\n' \
    "$i" "$i" "$i" >"$body"
  for _ in $(seq 1 50); do
    local code
    code=$(curl -s -o "$body.out" -w '%{http_code}' -X POST "$base/api/models/admin/race/commit/main" "${AUTH[@]}" --data-binary @"$body")
    case $code in
      200) jq -r .commitOid "$body.out" >>"$E2E_TMP/acked"; return 0 ;;
      409) ;;
      *) echo "client $i: unexpected $code $(cat "$body.out")" >>"$E2E_TMP/unexpected"; return 1 ;;
    esac
  done
  echo "client $i: never landed" >>"$E2E_TMP/unexpected"
}
: >"$E2E_TMP/acked"; : >"$E2E_TMP/unexpected"
pids=()
for i in $(seq 1 16); do
  if [ $((i % 2)) = 0 ]; then committer "$i" "$A" & else committer "$i" "$B" & fi
  pids+=($!)
done
wait "${pids[@]}"
head -3 "$E2E_TMP/unexpected"
check "16 committers on two nodes: only 200 (or 409 retried) answers" test ! -s "$E2E_TMP/unexpected"
check "all 16 acknowledged" test "$(wc -l <"$E2E_TMP/acked")" = 16
rm -rf "$E2E_TMP/race"
git clone -q "http://admin:$ADMIN@127.0.0.1:$LB_PORT/admin/race" "$E2E_TMP/race"
history_is_acked() {
  [ "$(git -C "$E2E_TMP/race" rev-list --count HEAD)" = 17 ] &&
    [ "$(sort "$E2E_TMP/acked")" = "$(git -C "$E2E_TMP/race" log --format=%H | head -n 16 | sort)" ] &&
    [ "$(ls "$E2E_TMP/race/c" | wc -l)" = 16 ]
}
check "history holds exactly the 16 acknowledged commits and all files" history_is_acked

# Two commits with the same parentCommit, one per node: exactly one lands, the other gets 412.
HEAD_SHA=$(curl -s "$A/api/models/admin/race" "${AUTH[@]}" | jq -r .sha)
for n in a b; do
  printf '{"key":"header","value":{"summary":"from %s","parentCommit":"%s"}}\n{"key":"file","value":{"path":"p/%s.txt","content":"%s","encoding":"utf-8"}}\n' \
    "$n" "$HEAD_SHA" "$n" "$n" >"$E2E_TMP/p$n.ndjson"
done
curl -s -o /dev/null -w '%{http_code}\n' -X POST "$A/api/models/admin/race/commit/main" "${AUTH[@]}" --data-binary @"$E2E_TMP/pa.ndjson" >"$E2E_TMP/pcode-a" &
p1=$!
curl -s -o /dev/null -w '%{http_code}\n' -X POST "$B/api/models/admin/race/commit/main" "${AUTH[@]}" --data-binary @"$E2E_TMP/pb.ndjson" >"$E2E_TMP/pcode-b" &
p2=$!
wait $p1 $p2
cat "$E2E_TMP/pcode-a" "$E2E_TMP/pcode-b" >"$E2E_TMP/pcodes"
check "same parentCommit on both nodes: one 200 and one 412 ($(sort "$E2E_TMP/pcodes" | tr '\n' ' '))" \
  test "$(sort "$E2E_TMP/pcodes" | tr '\n' ' ')" = "200 412 "

# ---- downloads counted once, whichever node answers ----
printf 'text,label\ngood,1\n' >"$E2E_TMP/train.csv"
printf '{"key":"header","value":{"summary":"data"}}\n{"key":"file","value":{"path":"train.csv","content":"dGV4dCxsYWJlbApnb29kLDEK","encoding":"base64"}}\n' >"$E2E_TMP/d.ndjson"
curl -s -o /dev/null -X POST "$A/api/datasets/admin/reviews/commit/main" "${AUTH[@]}" --data-binary @"$E2E_TMP/d.ndjson"
# One visitor (the same address) fetches the dataset through node a, then node b: one download.
# Then a model query file from each node: two downloads. When both model downloads are visible,
# both nodes' flushes (which carry the dataset visits taken before them) have completed.
for u in "$A" "$B"; do
  curl -s -o /dev/null "$u/datasets/admin/reviews/resolve/main/train.csv"
  curl -s -o /dev/null "$u/admin/bert-imdb/resolve/main/config.json"
done
for _ in $(seq 1 200); do
  [ "$(curl -s "$B/api/models/admin/bert-imdb" | jq .downloads)" = 2 ] && break
  sleep 0.1
done
check "a model query file fetched through each node counts twice" \
  test "$(curl -s "$A/api/models/admin/bert-imdb" | jq .downloads)" = 2
check "a dataset fetched by one visitor through both nodes counts once" \
  test "$(curl -s "$B/api/datasets/admin/reviews" | jq .downloads)" = 1
check "download counts: the same on both nodes" same_on_both /api/datasets/admin/reviews '.downloads'

# ---- kill -9 one node: the other serves everything through nginx ----
kill -9 "$PID_a"; wait "$PID_a" 2>/dev/null
ok=0
for i in $(seq 1 10); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$LB/api/models/admin/race" "${AUTH[@]}")" = 200 ] && ok=$((ok + 1))
done
check "node a killed: 10 of 10 requests through nginx answered ($ok)" test "$ok" = 10
rm -rf "$W.c3"
check "node a killed: clone with LFS through nginx" \
  bash -c "git clone -q 'http://admin:$ADMIN@127.0.0.1:$LB_PORT/admin/bert-imdb' '$W.c3' && cmp -s '$W/model.bin' '$W.c3/model.bin'"
printf 'more\n' >"$W/more.txt"; head -c 100000 /dev/urandom >"$W/more.bin"
git -C "$W" add -A && git -C "$W" commit -qm more
check "node a killed: git push with LFS through nginx" git -C "$W" push -q origin main
printf '{"key":"header","value":{"summary":"after kill"}}\n{"key":"file","value":{"path":"after.txt","content":"x","encoding":"utf-8"}}\n' >"$E2E_TMP/k.ndjson"
check "node a killed: API commit through nginx" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$LB/api/models/admin/race/commit/main" "${AUTH[@]}" --data-binary @"$E2E_TMP/k.ndjson")" = 200
check "git fsck of the shared repositories is clean" \
  bash -c "git -C '$SHARED/repos/models/admin/bert-imdb.git' fsck --strict --no-dangling && git -C '$SHARED/repos/models/admin/race.git' fsck --strict --no-dangling"
# Node a restarts while b serves: start-up leaves b's work and the shared dir alone.
start_node a "$A_PORT"; wait_node a
check "node a restarted beside b: both serve the same head" same_on_both /api/models/admin/race '.sha' "${AUTH[@]}"
finish
