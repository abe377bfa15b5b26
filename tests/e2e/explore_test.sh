#!/usr/bin/env bash
# Issue 5 end to end: repos pushed by git and committed by the API are indexed (card, config,
# pipeline_tag), listed and searched with every filter and sort, paginated through Link headers
# (each repo exactly once), private repos stay invisible to others, card changes show in the next
# listing, likes and download counts work.
HUBD=$(realpath "${1:?usage: explore_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME"
git config --global user.name "E2E" && git config --global user.email e2e@example.com
git config --global init.defaultBranch main

DATA="$E2E_TMP/data"
start_hubd "$DATA"
"$HUBD" user add alice --password alicepass1 --data "$DATA" >/dev/null
"$HUBD" user add bob --password bobpass123 --data "$DATA" >/dev/null
ALICE=$("$HUBD" token create alice --role write --data "$DATA")
BOB=$("$HUBD" token create bob --role write --data "$DATA")
AA=(-H "Authorization: Bearer $ALICE")
BA=(-H "Authorization: Bearer $BOB")

create() {  # create NAME [private]
  http POST /api/repos/create "${AA[@]}" -d "{\"name\":\"$1\",\"private\":${2:-false}}"
  [ "$STATUS" = 200 ] || failed "create $1: $STATUS $BODY"
}
push_card() {  # push_card NAME README-TEXT [config.json text]
  local w="$E2E_TMP/w-$1"
  [ -d "$w" ] || git clone -q "http://u:$ALICE@$HOSTPORT/alice/$1" "$w"
  printf '%s' "$2" > "$w/README.md"
  [ -n "${3:-}" ] && printf '%s' "$3" > "$w/config.json"
  git -C "$w" add -A && git -C "$w" commit -qm "card" && git -C "$w" push -q origin main
}
jqe() { jq -e "$@" >/dev/null 2>&1; }
ids() { jq -r '[.[].id]|join(",")' <<<"$BODY"; }
# The index of a git push is written right after the push response; poll briefly for it.
wait_listed() {  # wait_listed QUERY EXPECTED-IDS
  for _ in $(seq 1 50); do
    http GET "/api/models?$1"
    [ "$(ids)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

create bert-imdb
push_card bert-imdb $'---\nlibrary_name: transformers\nlicense: mit\nlanguage: en\ndatasets: [imdb]\n---\n# BERT IMDB\nSentiment of movie reviews.\n' \
  '{"architectures":["BertForSequenceClassification"],"model_type":"bert"}'
create gpt-small
push_card gpt-small $'---\nlibrary_name: transformers\nlicense: apache-2.0\nlanguage: fr\n---\nWrites French text.\n' \
  '{"architectures":["GPT2LMHeadModel"],"model_type":"gpt2"}'
create roberta-ner
# By the API: the commit endpoint (NDJSON).
readme=$(printf -- '---\nlibrary_name: transformers\nlicense: mit\nlanguage: en\ntags: [ner]\n---\nNamed entities.\n' | base64 -w0)
config=$(printf '{"architectures":["RobertaForTokenClassification"],"model_type":"roberta"}' | base64 -w0)
http POST /api/models/alice/roberta-ner/commit/main "${AA[@]}" -H 'Content-Type: application/x-ndjson' --data-binary \
  "$(printf '{"key":"header","value":{"summary":"card"}}\n{"key":"file","value":{"path":"README.md","content":"%s","encoding":"base64"}}\n{"key":"file","value":{"path":"config.json","content":"%s","encoding":"base64"}}\n' "$readme" "$config")"
check "API commit accepted" test "$STATUS" = 200
create secret-bert true
push_card secret-bert $'---\nlibrary_name: transformers\nlicense: mit\npipeline_tag: text-classification\ntags: [topsecret]\n---\nclassified sentiment model\n'

check "git-pushed card indexed: pipeline_tag from config" wait_listed "filter=text-classification&sort=id&direction=1" "alice/bert-imdb"
http GET "/api/models?pipeline_tag=token-classification"
check "API-committed card indexed at once (read your writes)" test "$(ids)" = "alice/roberta-ner"
http GET "/api/models?search=bert&filter=text-classification&sort=downloads&limit=20"
check "benchmark query shape answers" test "$(ids)" = "alice/bert-imdb"
item=$(jq -c '.[0]' <<<"$BODY")
check "items carry _id, private, downloads, likes, gated, lastModified, createdAt, tags, library_name" \
  jqe 'has("_id") and .private==false and .downloads==0 and .likes==0 and .gated==false and has("lastModified") and has("createdAt") and .library_name=="transformers" and (.tags|index("license:mit"))' <<<"$item"
http GET "/api/models?filter=license:mit&sort=id&direction=1"
check "filter license:mit" test "$(ids)" = "alice/bert-imdb,alice/roberta-ner"
http GET "/api/models?filter=language:fr"
check "filter language:fr" test "$(ids)" = "alice/gpt-small"
http GET "/api/models?language=en&library=transformers&sort=id&direction=1"
check "language= and library= params" test "$(ids)" = "alice/bert-imdb,alice/roberta-ner"
http GET "/api/models?filter=dataset:imdb&filter=license:mit"
check "repeated filters AND" test "$(ids)" = "alice/bert-imdb"
http GET "/api/models?search=movie"
check "search over card text" test "$(ids)" = "alice/bert-imdb"
http GET "/api/models?author=alice&sort=id&direction=-1"
check "author + sort=id descending" test "$(ids)" = "alice/roberta-ner,alice/gpt-small,alice/bert-imdb"
http GET "/api/models?filter=license:mit&cardData=true&config=true&sort=id&direction=1"
check "cardData=true and config=true" jqe '.[0].cardData.license=="mit" and .[0].config.model_type=="bert"' <<<"$BODY"
http GET "/api/models?expand[]=pipeline_tag&expand[]=downloads&search=gpt"
check "expand[] returns only the asked fields" jqe '.[0]|keys==["_id","downloads","id","pipeline_tag"]' <<<"$BODY"
http GET "/api/models?full=true&search=gpt"
check "full=true carries siblings and sha" jqe '.[0].siblings|map(.rfilename)|index("config.json")' <<<"$BODY"
for s in downloads likes lastModified createdAt trendingScore id; do
  http GET "/api/models?sort=$s"
  check "sort=$s answers all public repos" test "$(jq length <<<"$BODY")" = 3
done
expect_error 400 "unknown sort" GET "/api/models?sort=bogus"
expect_error 400 "bad cursor" GET "/api/models?cursor=notacursor"
expect_error 400 "bad limit" GET "/api/models?limit=abc"

# Pagination: more repos, limit=2, follow Link until none; every repo exactly once.
for i in 1 2 3 4 5 6 7; do create "extra-$i"; done
walk() {  # walk QUERY [curl args]: prints ids of all pages, one per line
  local next="$URL/api/models?$1"; shift
  while [ -n "$next" ]; do
    curl -s -D "$E2E_TMP/lh" -o "$E2E_TMP/lb" "$@" "$next"
    jq -r '.[].id' "$E2E_TMP/lb"
    next=$(grep -i '^link:' "$E2E_TMP/lh" | sed -n 's/.*<\(http[^>]*\)>; rel="next".*/\1/p')
  done
}
for s in id downloads createdAt; do
  all=$(walk "sort=$s&limit=2&search=&filter=region:us")
  check "sort=$s: pages of 2 walk all 10 public repos once" test "$(wc -l <<<"$all")" = 10 -a "$(sort -u <<<"$all" | wc -l)" = 10
done
http GET "/api/models?limit=2&sort=id"
check "Link is absolute, repeats the params, rel=next" grep -Eiq '^link: <http://[^>]*limit=2[^>]*sort=id[^>]*cursor=[^>]*>; rel="next"' <<<"$HEADERS"

# Private repo: invisible to anonymous and bob in every listing/search, visible to alice.
for q in "" "search=secret" "search=classified" "filter=topsecret" "author=alice" "filter=license:mit" "sort=id&limit=500"; do
  for who in anon bob; do
    if [ $who = bob ]; then out=$(walk "$q" "${BA[@]}"); else out=$(walk "$q"); fi
    check "private repo hidden from $who ($q)" bash -c "! grep -q secret <<<'$out'"
  done
done
check "private repo listed for its owner" grep -q alice/secret-bert <<<"$(walk "search=secret" "${AA[@]}")"
http GET /api/models-tags-by-type
check "tags-by-type lists public tags, not a private repo's" bash -c "jq -e '.license|map(.id)|index(\"license:mit\")' <<<'$BODY' >/dev/null && ! grep -q topsecret <<<'$BODY'"
http GET /api/tasks
check "api/tasks: default model per task is the public repo with that pipeline_tag" \
  jqe '.["text-classification"].models[0].id=="alice/bert-imdb" and .["token-classification"].models[0].id=="alice/roberta-ner" and .["text-classification"].widgetModels==["alice/bert-imdb"] and .["fill-mask"].models==[]' <<<"$BODY"
check "api/tasks names no private repo" bash -c "! grep -q secret <<<'$BODY'"
http PUT /api/models/alice/secret-bert/settings "${AA[@]}" -d '{"private":false}'
http GET "/api/models?search=secret"
check "made public: listed at once" test "$(ids)" = "alice/secret-bert"
http PUT /api/models/alice/secret-bert/settings "${AA[@]}" -d '{"private":true}'
http GET "/api/models?search=secret"
check "private again: hidden at once" test "$(ids)" = ""

# Datasets: the card's classification lists, languages and data formats become the Hub's tags.
dataset_commit() {  # dataset_commit NAME README-TEXT DATA-PATH [private]
  http POST /api/repos/create "${AA[@]}" -d "{\"name\":\"$1\",\"type\":\"dataset\",\"private\":${4:-false}}"
  http POST "/api/datasets/alice/$1/commit/main" "${AA[@]}" -H 'Content-Type: application/x-ndjson' --data-binary \
    "$(printf '{"key":"header","value":{"summary":"data"}}\n{"key":"file","value":{"path":"README.md","content":"%s","encoding":"base64"}}\n{"key":"file","value":{"path":"%s","content":"YSxiCjEsMgo=","encoding":"base64"}}\n' "$(printf '%s' "$2" | base64 -w0)" "$3")"
}
dataset_commit reviews $'---\ntask_categories: [text-classification]\nlanguage: [en]\nlicense: cc-by-4.0\nsize_categories: 1K<n<10K\n---\nReviews.\n' data/train.csv
dataset_commit poems $'---\ntask_categories: [text-generation]\nlanguage: [fr]\n---\nPoems.\n' data/poems.jsonl
dataset_commit hidden-ds $'---\ntask_categories: [text-classification]\nlanguage: [en]\ntags: [topsecret]\n---\n' data/x.csv true
http GET "/api/datasets/alice/reviews"
check "dataset tags as the Hub writes them" jqe '.tags==["task_categories:text-classification","language:en","license:cc-by-4.0","size_categories:1K<n<10K","format:csv","library:datasets","library:pandas","library:polars","region:us"]' <<<"$BODY"
http GET "/api/datasets?filter=task_categories:text-classification"
check "datasets filter task_categories (private one hidden)" test "$(ids)" = "alice/reviews"
http GET "/api/datasets?filter=language:fr"
check "datasets filter language:fr" test "$(ids)" = "alice/poems"
http GET "/api/datasets?language=en&filter=format:csv" "${AA[@]}"
check "datasets language= and format filter; the owner sees the private one" test "$(ids | tr , '\n' | sort | paste -sd,)" = "alice/hidden-ds,alice/reviews"
http GET /api/datasets-tags-by-type
check "datasets-tags-by-type groups by prefix" jqe '(.task_categories|map(.id)|index("task_categories:text-generation")) and (.format|map(.label)|index("jsonl")|not) and (.format|map(.label)|index("json")) and (.language|map(.label)|index("fr"))' <<<"$BODY"
check "datasets-tags-by-type leaks no private tag" bash -c "! grep -q topsecret <<<'$BODY'"
http GET /datasets/alice/reviews
check "the dataset page shows its task_categories and links languages to /datasets" bash -c "grep -q 'title=\"task_categories\"' <<<\"\$0\" && grep -q 'href=\"/datasets?language=en\"' <<<\"\$0\"" "$BODY"

# A pushed change to the card shows in the next listing.
push_card gpt-small $'---\nlibrary_name: transformers\nlicense: mit\nlanguage: fr\npipeline_tag: summarization\n---\nSummaries.\n'
check "card change reflected (pipeline_tag)" wait_listed "pipeline_tag=summarization" "alice/gpt-small"
http GET "/api/models?filter=license:apache-2.0"
check "old license tag gone" test "$(ids)" = ""

# Likes.
http POST /api/models/alice/bert-imdb/like "${BA[@]}"
check "bob likes bert-imdb" test "$STATUS" = 200
http POST /api/models/alice/bert-imdb/like "${BA[@]}"
http GET "/api/models?sort=likes&limit=1"
check "likes counted once, sort=likes puts it first" test "$(jq -r '.[0].id+" "+(.[0].likes|tostring)' <<<"$BODY")" = "alice/bert-imdb 1"
http GET /api/models/alice/bert-imdb/likers
check "likers lists bob" test "$(jq -r '.[0].user' <<<"$BODY")" = bob
http GET /api/users/bob/likes
check "bob's likes list the repo" test "$(jq -r '.[0].repo.name+" "+.[0].repo.type' <<<"$BODY")" = "alice/bert-imdb model"
expect_error 401 "anonymous like" POST /api/models/alice/bert-imdb/like
http DELETE /api/models/alice/bert-imdb/like "${BA[@]}"
check "unlike" test "$(jq -r .likes <<<"$BODY")" = 0

# Downloads: HEAD and GET of config.json count; README.md does not.
for _ in 1 2; do curl -s -o /dev/null -I "$URL/alice/gpt-small/resolve/main/config.json"; done
curl -s -o /dev/null "$URL/alice/gpt-small/resolve/main/config.json"
curl -s -o /dev/null "$URL/alice/gpt-small/resolve/main/README.md"
counted() {
  for _ in $(seq 1 40); do
    http GET "/api/models?sort=downloads&limit=1"
    [ "$(jq -r '.[0].id+" "+(.[0].downloads|tostring)' <<<"$BODY")" = "alice/gpt-small 3" ] && return 0
    sleep 0.1
  done
  return 1
}
check "3 query-file requests counted, sort=downloads" counted
http GET "/api/models/alice/gpt-small?expand=downloads&expand=downloadsAllTime"
check "repo info shows downloads" test "$(jq -r '.downloads+.downloadsAllTime' <<<"$BODY")" = 6
stop_hubd
start_hubd "$DATA"
http GET "/api/models/alice/gpt-small?expand=downloads"
check "counts survive a restart" test "$(jq -r .downloads <<<"$BODY")" = 3
check "server healthy" healthy
finish
