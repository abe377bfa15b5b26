#!/usr/bin/env bash
# Issue 18, first part: hubd on PostgreSQL answers as on SQLite. Starts its own PostgreSQL
# (initdb in a temp dir, unix socket only; as root the server runs as the "postgres" user, else
# "nobody"), then runs one representative flow twice — on SQLite and on `--db postgres://…` —
# (CLI user/token with --db, repo create, git push with LFS, listing, search, likes, tokens,
# downloads, discussions and PRs, private visibility) and checks each answer, then that both
# runs answered the same.
# Skips (exit 0, says so) when PostgreSQL's server binaries are absent.
HUBD=$(realpath "${1:?usage: postgres_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main
git lfs install --skip-repo >/dev/null

PGBIN=${HUBD_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "SKIP: PostgreSQL server binaries not found (install postgresql)"; exit 0
fi
PGDIR=$(mktemp -d /tmp/hubd-pg.XXXXXX)
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  PGUSER_OS=postgres; id postgres >/dev/null 2>&1 || PGUSER_OS=nobody
  chown "$PGUSER_OS" "$PGDIR"
  as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
fi
stop_pg() { as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PGDIR"; }
trap 'stop_pg; cleanup' EXIT
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U hub --auth=trust -E UTF8 --no-locale --no-sync >"$E2E_TMP/initdb.log" 2>&1 \
  || { cat "$E2E_TMP/initdb.log"; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 120 \
  -o "-k $PGDIR -c listen_addresses= -c fsync=off -c synchronous_commit=off" start >/dev/null \
  || { cat "$PGDIR/log"; exit 1; }
"$PGBIN/psql" -X -q "postgresql:///postgres?host=$PGDIR&user=hub" -c "CREATE DATABASE hub" || exit 1
PG_URL="postgres://hub@/hub?host=$PGDIR"

jqe() { jq -e "$@" >/dev/null 2>&1; }
ids() { jq -r '[.[].id]|join(",")' <<<"$BODY"; }

# flow NAME [--db URL]: the whole scenario on a fresh data dir; answers go to $E2E_TMP/NAME.out
# with what differs by nature between two runs (ids, times, tokens, commit ids) removed.
flow() {
  local name=$1; shift
  local data="$E2E_TMP/data-$name" out="$E2E_TMP/$name.out"
  : >"$out"
  record() { printf '%s\t%s\n' "$1" "$(jq -S -c "$2" <<<"$BODY" 2>/dev/null || echo "$BODY")" >>"$out"; }
  mkdir -p "$data"
  "$HUBD" user add alice --password alicepass1 --data "$data" "$@" >/dev/null
  check "[$name] CLI user add with $*" test $? = 0
  "$HUBD" user add bob --password bobpass123 --data "$data" "$@" >/dev/null
  local alice bob
  alice=$("$HUBD" token create alice --role write --data "$data" "$@")
  bob=$("$HUBD" token create bob --role write --data "$data" "$@")
  check "[$name] CLI token create" test -n "$alice"
  local AA=(-H "Authorization: Bearer $alice") BA=(-H "Authorization: Bearer $bob")
  start_hubd "$data" "$@"

  http GET /api/whoami-v2 "${AA[@]}"
  check "[$name] token made by the CLI works" test "$(jq -r .name <<<"$BODY")" = alice
  record whoami '{name, type, orgs: [.orgs[]?.name]}'
  http POST /api/repos/create "${AA[@]}" -d '{"name":"bert-imdb"}'
  check "[$name] create repo" test "$STATUS" = 200
  http POST /api/repos/create "${AA[@]}" -d '{"name":"bert-imdb"}'
  check "[$name] create it again: 409" test "$STATUS" = 409
  record dup-create '.error'
  http POST /api/repos/create "${AA[@]}" -d '{"name":"secret-bert","private":true}'
  http POST /api/repos/create "${BA[@]}" -d '{"name":"gpt-small"}'

  local w="$E2E_TMP/w-$name"
  git clone -q "http://u:$alice@$HOSTPORT/alice/bert-imdb" "$w"
  git -C "$w" lfs track '*.bin' >/dev/null
  # The same large file content in both runs: derive it from a fixed seed.
  yes "hubd-postgres-e2e" | head -c 300000 >"$w/model.bin"
  printf -- '---\nlibrary_name: transformers\nlicense: mit\nlanguage: en\n---\n# BERT IMDB\nSentiment of movie reviews.\n' >"$w/README.md"
  printf '{"architectures":["BertForSequenceClassification"],"model_type":"bert"}' >"$w/config.json"
  git -C "$w" add -A && git -C "$w" commit -qm card
  check "[$name] git push with an LFS file" git -C "$w" push -q origin main
  rm -rf "$w.clone"
  check "[$name] clone gets the LFS content back" bash -c "git clone -q 'http://u:$alice@$HOSTPORT/alice/bert-imdb' '$w.clone' && cmp -s '$w/model.bin' '$w.clone/model.bin'"

  local listed=0
  for _ in $(seq 1 50); do
    http GET "/api/models?filter=text-classification&sort=id&direction=1"
    [ "$(ids)" = "alice/bert-imdb" ] && listed=1 && break
    sleep 0.1
  done
  check "[$name] pushed card indexed and listed by pipeline_tag" test $listed = 1
  http GET "/api/models?sort=id&direction=1"
  check "[$name] listing hides the private repo" test "$(ids)" = "alice/bert-imdb,bob/gpt-small"
  record list-anon '[.[] | {id, private, downloads, likes, tags, pipeline_tag, library_name}]'
  http GET "/api/models?sort=id&direction=1" "${AA[@]}"
  check "[$name] the owner lists her private repo" test "$(ids)" = "alice/bert-imdb,alice/secret-bert,bob/gpt-small"
  http GET "/api/models?search=movie"
  check "[$name] full-text search over the card" test "$(ids)" = "alice/bert-imdb"
  record search-text '[.[].id]'
  http GET "/api/models?search=T-SMA"
  check "[$name] substring search over ids" test "$(ids)" = "bob/gpt-small"
  http GET "/api/models?search=secret"
  check "[$name] search does not find a private repo" test "$(ids)" = ""
  http GET "/api/models?filter=license:mit&author=alice"
  record filter-author '[.[].id]'
  http GET "/api/models?limit=1&sort=id&direction=1" -D "$E2E_TMP/link-$name"
  local next
  next=$(grep -i '^link:' "$E2E_TMP/link-$name" | sed -E 's/.*<([^>]*)>.*/\1/' | tr -d '\r')
  check "[$name] first page has a next link" test -n "$next"
  BODY=$(curl -s "$next")
  check "[$name] next page continues the listing" test "$(ids)" = "bob/gpt-small"
  http GET /api/models-tags-by-type
  record tags '.license // . | if type=="array" then map(.id) else . end'

  http POST /api/models/alice/bert-imdb/like "${BA[@]}"
  check "[$name] like" test "$STATUS" = 200
  http POST /api/models/alice/bert-imdb/like "${BA[@]}"
  http GET "/api/models?sort=likes&limit=1"
  check "[$name] liked once, sorts first" test "$(jq -r '.[0].id+" "+(.[0].likes|tostring)' <<<"$BODY")" = "alice/bert-imdb 1"
  http GET /api/users/bob/likes
  record bob-likes '[.[] | .repo]'
  http GET /api/models/alice/bert-imdb/likers
  record likers '[.[].user]'

  for _ in 1 2; do curl -s -o /dev/null "$URL/alice/bert-imdb/resolve/main/config.json"; done
  local counted=0
  for _ in $(seq 1 40); do
    http GET "/api/models/alice/bert-imdb?expand=downloads&expand=downloadsAllTime"
    [ "$(jq -r '.downloads' <<<"$BODY")" = 2 ] && counted=1 && break
    sleep 0.1
  done
  check "[$name] downloads counted" test $counted = 1
  record downloads '{downloads, downloadsAllTime}'

  # Discussions and pull requests (issue 17): numbers, comments, status, listing order.
  local D=/api/models/alice/bert-imdb/discussions JS=(-H "Content-Type: application/json")
  http POST "$D" "${BA[@]}" "${JS[@]}" -d '{"title":"Which dataset?","description":"trained on what?"}'
  check "[$name] open a discussion: num 1" test "$STATUS $(jq -r .num <<<"$BODY")" = "200 1"
  http POST "$D" "${BA[@]}" "${JS[@]}" -d '{"title":"Fix the card","description":"typo","pullRequest":true}'
  check "[$name] open a pull request: num 2" test "$STATUS $(jq -r .num <<<"$BODY")" = "200 2"
  http POST "$D/1/comment" "${AA[@]}" "${JS[@]}" -d '{"comment":"IMDB reviews"}'
  check "[$name] comment" test "$STATUS" = 200
  http POST "$D/1/status" "${AA[@]}" "${JS[@]}" -d '{"status":"closed"}'
  check "[$name] close the discussion" test "$STATUS" = 200
  http GET "$D"
  check "[$name] list: newest first" test "$(jq -r '[.discussions[].num]|join(",")' <<<"$BODY")" = "2,1"
  record discussions '{count, items: [.discussions[] | {num, title, status, isPullRequest, author: .author.name}]}'
  http GET "$D?status=open"
  record discussions-open '[.discussions[].num]'
  http GET "$D/1"
  check "[$name] discussion events: comment, comment, status-change" \
    test "$(jq -r '[.events[].type]|join(",")' <<<"$BODY")" = "comment,comment,status-change"
  record discussion-1 '{title, status, events: [.events[] | {type, author: .author.name, raw: .data.latest.raw?, status: .data.status?}]}'

  http GET /api/settings/tokens "${AA[@]}"
  record tokens '[.[] | {name: (.name // .displayName), role: (.role // .accessToken.role)}]'
  http GET /api/models/alice/secret-bert "${BA[@]}"
  check "[$name] another user gets 404 for a private repo" test "$STATUS" = 404
  http POST /api/repos/move "${AA[@]}" -d '{"fromRepo":"alice/bert-imdb","toRepo":"alice/bert-imdb-v2"}'
  http GET /api/models/alice/bert-imdb
  record after-move '{id, status: "'"$STATUS"'"}'

  stop_hubd
  start_hubd "$data" "$@"
  http GET "/api/models/alice/bert-imdb-v2?expand=downloads&expand=likes"
  check "[$name] counts survive a restart" test "$(jq -r '"\(.downloads) \(.likes)"' <<<"$BODY")" = "2 1"
  record restart '{id, downloads, likes}'
  http GET /api/models/alice/bert-imdb-v2/discussions/1
  check "[$name] discussions follow the renamed repo across a restart" \
    test "$STATUS $(jq -r '.status+" "+(.events|length|tostring)' <<<"$BODY")" = "200 closed 3"
  check "[$name] server healthy" healthy
  stop_hubd
}

flow sqlite
flow postgres --db "$PG_URL"
check "PostgreSQL answered every recorded request as SQLite did" diff -u "$E2E_TMP/sqlite.out" "$E2E_TMP/postgres.out"
# Two nodes starting at once on a fresh database: both migrate safely and serve.
"$PGBIN/psql" -X -q "postgresql:///postgres?host=$PGDIR&user=hub" -c "CREATE DATABASE race" || exit 1
RACE="postgres://hub@/race?host=$PGDIR"
"$HUBD" user add carol --password carolpass1 --data "$E2E_TMP/race1" --db "$RACE" >/dev/null &
p1=$!
"$HUBD" user add dave --password davepass12 --data "$E2E_TMP/race2" --db "$RACE" >/dev/null &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "two CLIs migrating an empty database at once both succeed" test "$r1$r2" = 00
check "both users landed in the one database" test "$("$PGBIN/psql" -X -qtA "postgresql:///race?host=$PGDIR&user=hub" -c 'SELECT count(*) FROM accounts')" = 2
finish
