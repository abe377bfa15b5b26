#!/usr/bin/env bash
# Issue 20 end to end: a tiny random T5 (full t5-small vocabulary, the real t5-small
# tokenizer.json, T5's task_specific_params; made by tests/inference/seq2seq/make_t5_fixtures.py)
# pushed with git + LFS to hubd, then translation / summarization / text2text-generation over
# HTTP (curl) and through the real @huggingface/inference client. Answers equal
# `hubd run DIR --task ...` on the same directory (the engine's parity with a float64 torch
# reference is tests/inference/seq2seq); the task prefix comes from task_specific_params;
# malformed bodies get 400 with a message.
HUBD=$(realpath "${1:?usage: seq2seq_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "SKIPPED: /usr/bin/python3 cannot import torch (python3-torch): no model can be made"; exit 0
fi
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null
M="$E2E_TMP/models"
/usr/bin/python3 "$ROOT/tests/inference/seq2seq/make_t5_fixtures.py" "$M" e2e
[ -f "$M/t5_e2e/tokenizer.json" ] || { echo "SKIPPED: ../shared/tokenizers/t5-small absent"; exit 0; }
printf -- '---\nlibrary_name: transformers\npipeline_tag: translation\n---\ntiny T5\n' > "$M/t5_e2e/README.md"

# The CLI first: the reference answers for the HTTP ones.
run() { "$HUBD" run "$M/t5_e2e" "$@"; }
check "hubd run --task translation prints [{translation_text}]" bash -c \
  "'$HUBD' run '$M/t5_e2e' --task translation 'The house is small.' | jq -e '.[0].translation_text|type==\"string\"' >/dev/null"
CLI_TR=$(run --task translation 'The house is small.')
CLI_SUM=$(run --task summarization 'The tower is 324 metres tall, about the same height as an 81-storey building.' --parameters '{"max_length":12}')
check "the translation is not empty: $CLI_TR" jq -e '.[0].translation_text|length>0' <<<"$CLI_TR"
CLI_GEN=$(run --task text2text-generation 'translate English to German: The house is small.' --parameters '{"num_beams":2,"max_length":20,"early_stopping":true}')

start_hubd "$E2E_TMP/data"
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN")
curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d '{"name":"t5"}' >/dev/null
W="$E2E_TMP/w"
git clone -q "http://x:$ADMIN_TOKEN@$HOSTPORT/admin/t5" "$W" 2>/dev/null
cp -r "$M/t5_e2e"/. "$W/" && git -C "$W" add -A && git -C "$W" commit -qm "tiny t5" && git -C "$W" push -q origin main
check "pipeline_tag translation" test "$(curl -s "$URL/api/models/admin/t5" | jq -r .pipeline_tag)" = translation

J=(-H 'Content-Type: application/json')
http POST /models/admin/t5 -H 'X-Wait-For-Model: true' "${J[@]}" -d '{"inputs":"The house is small."}'
check "POST /models/{id} (pipeline_tag translation) equals hubd run: $BODY" test "$STATUS $BODY" = "200 $CLI_TR"
http POST /models/admin/t5/pipeline/summarization "${J[@]}" \
  -d '{"inputs":"The tower is 324 metres tall, about the same height as an 81-storey building.","parameters":{"max_length":12}}'
check "summarization equals hubd run: $BODY" test "$STATUS $BODY" = "200 $CLI_SUM"
http POST /models/admin/t5/pipeline/text2text-generation "${J[@]}" \
  -d '{"inputs":"translate English to German: The house is small.","parameters":{"num_beams":2,"max_length":20,"early_stopping":true}}'
check "text2text-generation equals hubd run: $BODY" test "$STATUS $BODY" = "200 $CLI_GEN"
# translation_en_to_de's prefix and beams (task_specific_params) give the same as the
# explicit text2text request above.
check "translation = text2text with the en_to_de prefix and settings" \
  test "$(jq -c '.[0].translation_text' <<<"$CLI_TR")" = "$(jq -c '.[0].generated_text' <<<"$CLI_GEN")"
# The response cache keys on the task as requested: en_to_fr after en_to_de is not served
# en_to_de's answer.
CLI_FR=$(run --task translation_en_to_fr 'The house is small.')
check "en_to_fr and en_to_de answer differently (so the next check can tell): $CLI_FR" test "$CLI_FR" != "$CLI_TR"
http POST /models/admin/t5/pipeline/translation_en_to_de "${J[@]}" -d '{"inputs":"The house is small."}'
http POST /models/admin/t5/pipeline/translation_en_to_fr "${J[@]}" -d '{"inputs":"The house is small."}'
check "translation_en_to_fr equals hubd run (not a cached en_to_de answer): $BODY" test "$STATUS $BODY" = "200 $CLI_FR"
http POST /models/admin/t5/pipeline/translation "${J[@]}" -d '{"inputs":["The house is small.","Hello"]}'
check "a list of inputs gets one translation each" jq -e 'length==2 and all(.[]; .translation_text|type=="string")' <<<"$BODY"

node "$ROOT/tests/e2e/seq2seq_client.mjs" "$URL" "$ADMIN_TOKEN" admin/t5 > "$E2E_TMP/js.json" 2>"$E2E_TMP/js.err"
check "@huggingface/inference translation() equals hubd run" \
  test "$(jq -c .translation "$E2E_TMP/js.json")" = "$(jq -c '.[0]' <<<"$CLI_TR")"
check "@huggingface/inference summarization() equals hubd run" \
  test "$(jq -c .summarization "$E2E_TMP/js.json")" = "$(jq -c '.[0]' <<<"$CLI_SUM")"
[ -s "$E2E_TMP/js.err" ] && cat "$E2E_TMP/js.err"

expect_error 400 "inputs a number" POST /models/admin/t5/pipeline/translation "${J[@]}" -d '{"inputs":42}'
expect_error 400 "inputs a list with a number" POST /models/admin/t5/pipeline/translation "${J[@]}" -d '{"inputs":["a",1]}'
expect_error 400 "num_beams 0" POST /models/admin/t5/pipeline/summarization "${J[@]}" -d '{"inputs":"a","parameters":{"num_beams":0}}'
expect_error 400 "max_new_tokens past the model" POST /models/admin/t5/pipeline/text2text-generation "${J[@]}" -d '{"inputs":"a","parameters":{"max_new_tokens":100000}}'
expect_error 400 "bad_words_ids not lists" POST /models/admin/t5/pipeline/text2text-generation "${J[@]}" -d '{"inputs":"a","parameters":{"bad_words_ids":[3]}}'
expect_error 400 "early_stopping a number" POST /models/admin/t5/pipeline/translation "${J[@]}" -d '{"inputs":"a","parameters":{"early_stopping":3}}'
expect_error 400 "sampling asked for" POST /models/admin/t5/pipeline/translation "${J[@]}" -d '{"inputs":"a","parameters":{"do_sample":true}}'
expect_error 400 "malformed JSON" POST /models/admin/t5/pipeline/translation "${J[@]}" -d '{"inputs":'
expect_error 400 "an encoder task on T5" POST /models/admin/t5/pipeline/fill-mask "${J[@]}" -d '{"inputs":"a <extra_id_0>"}'
finish
