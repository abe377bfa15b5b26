#!/usr/bin/env bash
# Issue 15, "config.json decides the task" (PIPELINE_TAG.md §4 rule 4) and JSON numbers: a model
# pushed with config.json + weights + tokenizer and NO README is a transformers repo whose
# pipeline_tag comes from its architecture; /api/models, the listing, the repo page's widget and
# the Inference API all agree without a card, and a card still wins. Upgrade path: an index
# written by the old rule is re-indexed once at start (migration 6's reindex_queue). Numbers
# are written as Python's json.dumps writes them.
HUBD=$(realpath "${1:?usage: config_task_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null

HAVE_TORCH=0
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  HAVE_TORCH=1
  echo '["I love this movie","the food was terrible"]' > "$E2E_TMP/texts.json"
  /usr/bin/python3 "$ROOT/scripts/demo_model.py" "$E2E_TMP/bert" --random 5 \
    --reference "$E2E_TMP/texts.json" "$E2E_TMP/bert.ref.json" >/dev/null &
  MAKE_BERT=$!
fi

start_hubd "$E2E_TMP/data"
TOKEN=$ADMIN_TOKEN
AUTH=(-H "Authorization: Bearer $TOKEN")
push_dir() {  # push_dir NAME DIR: a new public model repo holding exactly DIR's files
  curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d "{\"name\":\"$1\"}" >/dev/null
  rm -rf "$E2E_TMP/w-$1"
  git clone -q "http://x:$TOKEN@$HOSTPORT/admin/$1" "$E2E_TMP/w-$1" 2>/dev/null
  cp "$2"/* "$E2E_TMP/w-$1/" && git -C "$E2E_TMP/w-$1" add -A && git -C "$E2E_TMP/w-$1" commit -qm "model" &&
    git -C "$E2E_TMP/w-$1" push -q origin main
}
field() { curl -s "$URL/api/models/admin/$1" | jq -r ".$2"; }
# The raw body is what Python's json.dumps writes for the same value: shortest round-trip floats
# (0.9976111997365609, 1e-05, 1.0), never Boost's 9.976111997365609E-1.
python_json() {
  python3 -c 'import json,sys; b=sys.stdin.read().removesuffix("\n"); sys.exit(0 if json.dumps(json.loads(b), separators=(",", ":"), ensure_ascii=False) == b else 1)'
}
export -f python_json
no_boost_exponent() { ! grep -q '[0-9]E' <<<"$1"; }
not() { ! "$@"; }

# ---- 1. The real stories260K Llama with no card: text-generation, transformers ----
STORIES="$ROOT/../shared/models/stories260K"
if [ -f "$STORIES/model.safetensors" ]; then
  mkdir -p "$E2E_TMP/stories" && cp "$STORIES"/*.json "$STORIES"/model.safetensors "$E2E_TMP/stories/"
  rm -f "$E2E_TMP/stories/golden.json" "$E2E_TMP/stories/tokenizer_golden.json"
  push_dir stories "$E2E_TMP/stories"
  check "no README.md was pushed" bash -c "! curl -sf -o /dev/null '$URL/admin/stories/resolve/main/README.md'"
  check "card-less Llama: pipeline_tag text-generation" test "$(field stories pipeline_tag)" = text-generation
  check "card-less Llama: library_name transformers" test "$(field stories library_name)" = transformers
  check "card-less Llama: transformersInfo.auto_model" test "$(field stories transformersInfo.auto_model)" = AutoModelForCausalLM
  check "card-less Llama: listed under pipeline_tag=text-generation" bash -c \
    "curl -s '$URL/api/models?pipeline_tag=text-generation' | jq -e 'map(.id) | index(\"admin/stories\")' >/dev/null"
  check "card-less Llama: listed under library=transformers" bash -c \
    "curl -s '$URL/api/models?library=transformers' | jq -e 'map(.id) | index(\"admin/stories\")' >/dev/null"
  GOLD=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['greedy_prompt_zoo']['text'])" "$STORIES/golden.json")
  http POST /models/admin/stories -H 'X-Wait-For-Model: true' -d '{"inputs":"Zoo","parameters":{"max_new_tokens":50}}'
  check "Inference API answers text-generation without a card (greedy text = golden)" \
    test "$STATUS $(jq -r '.[0].generated_text' <<<"$BODY")" = "200 $GOLD"
  # Streamed events (TGI's shape) carry floats (logprob): each event's JSON is Python's.
  curl -sN -X POST "$URL/models/admin/stories" -d '{"inputs":"Zoo","stream":true,"parameters":{"max_new_tokens":3,"details":true}}' |
    grep '^data:' | cut -c6- > "$E2E_TMP/events"
  check "text-generation stream events carry logprobs" test "$(grep -c '"logprob":' "$E2E_TMP/events")" = 3
  check "... each event written as Python writes it" bash -c 'while read -r l; do python_json <<<"$l" || exit 1; done < "$0"' "$E2E_TMP/events"
  check "... never as 9.97E-1" no_boost_exponent "$(cat "$E2E_TMP/events")"
  curl -s "$URL/admin/stories" > "$E2E_TMP/page.html"
  check "repo page shows the text-generation widget without a card" \
    grep -q 'data-widget data-kind="generation" data-endpoint="[^"]*" data-task="text-generation"' "$E2E_TMP/page.html"
  # A card still wins over the architecture.
  printf -- '---\npipeline_tag: fill-mask\n---\n# stories\n' > "$E2E_TMP/w-stories/README.md"
  git -C "$E2E_TMP/w-stories" add README.md && git -C "$E2E_TMP/w-stories" commit -qm card && git -C "$E2E_TMP/w-stories" push -q origin main
  check "a card's pipeline_tag beats config.json" test "$(field stories pipeline_tag) $(field stories library_name)" = "fill-mask transformers"
  printf -- '---\ninference: false\n---\n# stories\n' > "$E2E_TMP/w-stories/README.md"
  git -C "$E2E_TMP/w-stories" commit -qam off && git -C "$E2E_TMP/w-stories" push -q origin main
  expect_error 400 "inference: false in the card still turns the API off" POST /models/admin/stories -d '{"inputs":"Zoo"}'
  check "inference: false hides the widget" bash -c "! curl -s '$URL/admin/stories' | grep -q 'data-widget data-kind'"
else
  echo "SKIPPED: stories260K checks: $STORIES is absent (real model files exist only in this workplace)"
fi

# ---- 2. A BERT sequence classifier with no card: text-classification, served ----
if [ "$HAVE_TORCH" = 1 ]; then
  wait "$MAKE_BERT"
  rm "$E2E_TMP/bert/README.md"
  push_dir bert "$E2E_TMP/bert"
  check "card-less BertForSequenceClassification: text-classification" \
    test "$(field bert pipeline_tag) $(field bert library_name)" = "text-classification transformers"
  http POST /models/admin/bert -H 'X-Wait-For-Model: true' -d '{"inputs":"I love this movie"}'
  check "Inference API answers text-classification without a card, as torch does" python3 - "$BODY" "$E2E_TMP/bert.ref.json" <<'PY'
import json, sys
got, ref = json.loads(sys.argv[1]), json.load(open(sys.argv[2]))[0]
got = got[0] if got and isinstance(got[0], list) else got
ok = [g["label"] for g in got] == [r["label"] for r in ref] and all(abs(g["score"] - r["score"]) < 1e-4 for g, r in zip(got, ref))
sys.exit(0 if ok else 1)
PY
  check "classification scores are written as Python writes them" python_json <<<"$BODY"
  check "... never as 9.97E-1" no_boost_exponent "$BODY"
  check "repo page shows the classification widget without a card" bash -c \
    "curl -s '$URL/admin/bert' | grep -q 'data-kind=\"classification\" data-endpoint=\"[^\"]*\" data-task=\"text-classification\"'"
else
  echo "SKIPPED: BERT checks: /usr/bin/python3 cannot import torch (python3-torch)"
fi

# ---- 3. Tiny configs through the commit API: the rule's edges ----
commit_config() {  # commit_config NAME CONFIG_JSON
  curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d "{\"name\":\"$1\"}" >/dev/null
  local b64; b64=$(printf '%s' "$2" | base64 -w0)
  printf '%s\n%s\n' '{"key":"header","value":{"summary":"config"}}' \
    "{\"key\":\"file\",\"value\":{\"path\":\"config.json\",\"encoding\":\"base64\",\"content\":\"$b64\"}}" |
    curl -sf "${AUTH[@]}" -H 'Content-Type: application/x-ndjson' -X POST "$URL/api/models/admin/$1/commit/main" --data-binary @- >/dev/null
}
commit_config tok '{"architectures":["DebertaV2ForTokenClassification"],"model_type":"deberta-v2","layer_norm_eps":1e-07}'
check "config.json alone: DebertaV2ForTokenClassification -> token-classification" \
  test "$(field tok pipeline_tag) $(field tok library_name)" = "token-classification transformers"
commit_config typeonly '{"model_type":"llama"}'
check "model_type alone: transformers, no task" test "$(field typeonly library_name) $(field typeonly pipeline_tag)" = "transformers null"
commit_config plain '{"hidden_size":8,"dropout":0.1}'
check "a config.json with neither architectures nor model_type is not transformers" \
  test "$(field plain library_name) $(field plain pipeline_tag)" = "null null"
http GET /api/models/admin/tok
check "/api/models body is what Python's json.dumps writes" python_json <<<"$BODY"

# ---- 4. Upgrade: an index written by the old rule is re-indexed once at start ----
stale() {  # stale NAME: make the index row look like the old rule wrote it (no library, no task)
  sqlite3 "$E2E_TMP/data/hubd.db" "
    UPDATE repo_index SET pipeline_tag = NULL, library_name = NULL, tags = '[]'
      WHERE repo_id = (SELECT id FROM repos WHERE ns = 'admin' AND name = '$1');
    DELETE FROM repo_tags WHERE repo_id = (SELECT id FROM repos WHERE ns = 'admin' AND name = '$1');"
}
listed() { curl -s "$URL/api/models?pipeline_tag=$1" | jq -e "map(.id) | index(\"admin/$2\")" >/dev/null; }
stop_hubd
stale tok
start_hubd "$E2E_TMP/data"
check "a stale row stays stale across a plain restart (nothing queued)" not listed token-classification tok
check "... and the listing shows no pipeline_tag for it" \
  test "$(curl -s "$URL/api/models?author=admin" | jq -r '.[] | select(.id=="admin/tok") | .pipeline_tag')" = null
stop_hubd
# What migration 6 does for existing repos: queue them.
sqlite3 "$E2E_TMP/data/hubd.db" "INSERT INTO reindex_queue(repo_id) SELECT repo_id FROM repo_index;"
start_hubd "$E2E_TMP/data"
check "after the queued re-index at start: listed under pipeline_tag=token-classification" listed token-classification tok
check "... with library_name transformers in the listing" \
  test "$(curl -s "$URL/api/models?author=admin" | jq -r '.[] | select(.id=="admin/tok") | .library_name')" = transformers
check "the queue is empty afterwards (one-time)" test "$(sqlite3 "$E2E_TMP/data/hubd.db" 'SELECT COUNT(*) FROM reindex_queue')" = 0
check "the re-index is logged" grep -q "re-indexed existing repos" "$HUBD_LOG"
check "migration 6 made the queue table" bash -c "sqlite3 '$E2E_TMP/data/hubd.db' .schema | grep -q 'CREATE TABLE reindex_queue'"

finish
