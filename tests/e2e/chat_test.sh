#!/usr/bin/env bash
# Issue 8 chat end to end: the real TinyStories Llama (shared/models/stories260K) given a chat
# template written here, pushed with git + LFS; OpenAI chat completions over HTTP and through
# the real @huggingface/inference client (chatCompletion, chatCompletionStream), the
# conversational task, and the errors. References: the prompt rendered by @huggingface/jinja and
# tokenized by HF's tokenizers (npm), and the text-generation route on the same token ids.
HUBD=$(realpath "${1:?usage: chat_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STORIES=${HUBD_SHARED_DIR:-$ROOT/../shared}/models/stories260K
if [ ! -f "$STORIES/model.safetensors" ]; then
  echo "SKIPPED: $STORIES is absent (the real model files exist only in the hubd workplace)"; exit 0
fi
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null

# The model with a chat template (ours: Q:/A: turns, BOS/EOS, raise_exception on an unknown role).
mkdir -p "$E2E_TMP/chat" "$E2E_TMP/plain"
for d in chat plain; do
  cp "$STORIES"/{config.json,generation_config.json,model.safetensors,tokenizer.json,tokenizer_config.json} "$E2E_TMP/$d/"
  printf -- '---\nlibrary_name: transformers\npipeline_tag: text-generation\n---\nTinyStories.\n' > "$E2E_TMP/$d/README.md"
done
python3 - "$E2E_TMP/chat/tokenizer_config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["chat_template"] = ("{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}[{{ m['content'] | trim }}]\n"
                      "{% elif m['role'] == 'user' %}Q: {{ m['content'] }}\n{% elif m['role'] == 'assistant' %}"
                      "A: {{ m['content'] }}{{ eos_token }}\n{% else %}{{ raise_exception('unknown role: ' + m['role']) }}"
                      "{% endif %}{% endfor %}{% if add_generation_prompt %}A:{% endif %}")
json.dump(c, open(p, "w"), indent=1)
PY

start_hubd "$E2E_TMP/data"
"$HUBD" user add bob --password bobpass123 --data "$E2E_TMP/data" >/dev/null
BOB=$("$HUBD" token create bob --role read --data "$E2E_TMP/data")
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN")
push_model() {  # push_model NAME DIR [private]
  curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d "{\"name\":\"$1\",\"private\":${3:-false}}" >/dev/null
  git clone -q "http://x:$ADMIN_TOKEN@$HOSTPORT/admin/$1" "$E2E_TMP/w-$1" 2>/dev/null
  cp "$2"/* "$E2E_TMP/w-$1/" && git -C "$E2E_TMP/w-$1" add -A && git -C "$E2E_TMP/w-$1" commit -qm model &&
    git -C "$E2E_TMP/w-$1" push -q origin main
}
push_model chat "$E2E_TMP/chat"
push_model plain "$E2E_TMP/plain"
push_model secret-chat "$E2E_TMP/chat" true
check "a repo with a chat template is tagged conversational" bash -c "curl -s '$URL/api/models/admin/chat' | jq -e '.tags|index(\"conversational\")' >/dev/null"

jqe() { jq -e "$@" >/dev/null 2>&1; }
jqse() { jq -se "$@" >/dev/null 2>&1; }
MSGS='[{"role":"system","content":"  Tell a story. "},{"role":"user","content":"Who is Lily?"}]'
REF=$(node "$ROOT/tests/e2e/chat_client.mjs" prompt "$E2E_TMP/chat" "$MSGS")
check "@huggingface/jinja renders the reference prompt" test "$(jq -r .text <<<"$REF")" = $'<s>[Tell a story.]\nQ: Who is Lily?\nA:'
NPROMPT=$(jq '.ids|length' <<<"$REF")

CHAT="/models/admin/chat/v1/chat/completions"
http POST "$CHAT" -H 'X-Wait-For-Model: true' -d "{\"model\":\"admin/chat\",\"messages\":$MSGS,\"max_tokens\":24}"
check "chat completion: 200" test "$STATUS" = 200
check "chat.completion shape (assistant message, finish_reason, usage)" jqe '.object=="chat.completion" and .choices[0].message.role=="assistant" and (.choices[0].finish_reason|IN("stop","length")) and .usage.total_tokens==.usage.prompt_tokens+.usage.completion_tokens and .usage.completion_tokens<=24' <<<"$BODY"
check "the prompt is the template's, tokenized without extra special tokens ($NPROMPT tokens)" test "$(jq .usage.prompt_tokens <<<"$BODY")" = "$NPROMPT"
ANSWER=$(jq -r '.choices[0].message.content' <<<"$BODY")
echo "chat answer: $ANSWER"
check "the answer is not empty" test -n "$ANSWER"
# The same token ids through the text-generation route: the rendered text without its "<s>",
# to which text-generation adds BOS itself (same ids, checked with HF's tokenizer).
TEXT=$(jq -r '.text' <<<"$REF"); TEXT=${TEXT#<s>}
IDS2=$(cd "$ROOT/tests" && node -e 'import("tokenizers").then(async ({Tokenizer}) => { const t = Tokenizer.fromFile(process.argv[1]); console.log(JSON.stringify((await t.encode(process.argv[2], null, {addSpecialTokens: true})).getIds())); })' "$E2E_TMP/chat/tokenizer.json" "$TEXT")
check "(the text-generation prompt has the same token ids)" test "$IDS2" = "$(jq -c .ids <<<"$REF")"
http POST /models/admin/chat -d "$(jq -n --arg t "$TEXT" '{inputs: $t, parameters: {max_new_tokens: 24, return_full_text: false}}')"
check "greedy chat answer = text-generation on the same ids" test "$(jq -r '.[0].generated_text' <<<"$BODY")" = "$ANSWER"

http POST /v1/chat/completions -d "{\"model\":\"admin/chat:hf-inference\",\"messages\":$MSGS,\"max_tokens\":24}"
check "host-root /v1/chat/completions with model (and :provider) in the body" test "$(jq -r '.choices[0].message.content' <<<"$BODY")" = "$ANSWER"

# Streaming: chat.completion.chunk events, the last with finish_reason, a usage chunk, [DONE].
curl -sN -X POST "$URL$CHAT" -d "{\"messages\":$MSGS,\"max_tokens\":24,\"stream\":true,\"stream_options\":{\"include_usage\":true}}" > "$E2E_TMP/sse"
grep -E '^data: ?\{' "$E2E_TMP/sse" | sed -E 's/^data: ?//' > "$E2E_TMP/events"
check "stream: chunks of chat.completion.chunk" jqse 'length > 2 and all(.object=="chat.completion.chunk")' "$E2E_TMP/events"
check "stream: deltas concatenate to the answer" test "$(jq -sj '[.[] | .choices[0].delta.content // ""] | add' "$E2E_TMP/events")" = "$ANSWER"
check "stream: one final chunk with finish_reason, then usage, then [DONE]" bash -c "jq -se '([.[] | select(.choices[0].finish_reason != null)] | length) == 1 and (.[-1].usage.prompt_tokens == $NPROMPT) and (.[-1].choices == [])' '$E2E_TMP/events' >/dev/null && tail -c 20 '$E2E_TMP/sse' | grep -q 'data: \[DONE\]'"

# The real JS client.
JS=$(node "$ROOT/tests/e2e/chat_client.mjs" chat "$URL/models/admin/chat" "$ADMIN_TOKEN" "$MSGS" 2>&1)
check "@huggingface/inference chatCompletion" test "$(jq -r '.choices[0].message.content' <<<"$JS" 2>/dev/null)" = "$ANSWER"
JS=$(node "$ROOT/tests/e2e/chat_client.mjs" chat-stream "$URL/models/admin/chat" "$ADMIN_TOKEN" "$MSGS" 2>&1)
check "@huggingface/inference chatCompletionStream" test "$(jq -r .content <<<"$JS" 2>/dev/null)" = "$ANSWER"
JS=$(node "$ROOT/tests/e2e/chat_client.mjs" chat "$URL/v1" "$ADMIN_TOKEN" "$MSGS" 2>&1)
check "@huggingface/inference chatCompletion with an endpoint ending in /v1" test "$(jq -r '.choices[0].message.content' <<<"$JS" 2>/dev/null)" = "$ANSWER"

# The conversational task on POST /models/{id}: a list of messages, and the legacy shape.
http POST /models/admin/chat -d "{\"inputs\":$MSGS,\"parameters\":{\"max_new_tokens\":24}}"
check "conversational: messages in, the conversation with the reply out" test "$(jq -r '.[0].generated_text[-1] | select(.role=="assistant") | .content' <<<"$BODY")" = "$ANSWER"
http POST /models/admin/chat/pipeline/conversational -d '{"inputs":{"text":"Who is Lily?","past_user_inputs":[],"generated_responses":[]},"parameters":{"max_new_tokens":24}}'
check "legacy conversational: generated_text and the conversation" jqe '(.generated_text|type=="string") and .conversation.past_user_inputs==["Who is Lily?"] and (.conversation.generated_responses|length==1)' <<<"$BODY"

# Private repos and errors (TGI's {"error","error_type"}).
http POST /models/admin/secret-chat/v1/chat/completions -H "Authorization: Bearer $BOB" -d "{\"messages\":$MSGS}"
check "a private model's chat is 404 for another user" test "$STATUS" = 404
http POST /v1/chat/completions -d "{\"model\":\"admin/secret-chat\",\"messages\":$MSGS}"
check "and 404 anonymously by the host-root route" test "$STATUS" = 404
chat_error() {  # chat_error STATUS TYPE WHAT PATH BODY
  http POST "$4" -H 'X-Wait-For-Model: true' -d "$5"
  if [ "$STATUS" = "$1" ] && jq -e --arg t "$2" '.error_type==$t and (.error|type=="string")' <<<"$BODY" >/dev/null && grep -qi '^x-error-message:' <<<"$HEADERS" && healthy; then
    pass "$3 -> $1 $2"
  else
    failed "$3: wanted $1 $2, got $STATUS $BODY"
  fi
}
chat_error 422 template_error "a model without a chat template" /models/admin/plain/v1/chat/completions "{\"messages\":$MSGS}"
chat_error 422 template_error "a template that raises" "$CHAT" '{"messages":[{"role":"robot","content":"beep"}]}'
chat_error 422 validation "no messages" "$CHAT" '{"model":"admin/chat"}'
chat_error 422 validation "malformed JSON" "$CHAT" '{"messages":['
chat_error 422 validation "messages of the wrong type" "$CHAT" '{"messages":"hi"}'
chat_error 422 validation "max_tokens beyond the context" "$CHAT" "{\"messages\":$MSGS,\"max_tokens\":1000000000}"
chat_error 422 validation "json_object response_format" "$CHAT" "{\"messages\":$MSGS,\"response_format\":{\"type\":\"json_object\"}}"
chat_error 422 validation "a model id without a namespace" /v1/chat/completions "{\"model\":\"chat\",\"messages\":$MSGS}"
# A client that leaves mid-stream: the server carries on serving.
timeout 1 curl -sN -X POST "$URL$CHAT" -d "{\"messages\":$MSGS,\"max_tokens\":400,\"stream\":true}" >/dev/null
http POST "$CHAT" -d "{\"messages\":$MSGS,\"max_tokens\":24}"
check "after a client left mid-stream, chat still answers the same" test "$(jq -r '.choices[0].message.content' <<<"$BODY")" = "$ANSWER"
check "the server is healthy" healthy
finish
