#!/usr/bin/env bash
# Issue 14, findings 4 and 11 (model snapshots), as an outsider attacks them: public repos
# whose config.json asks the inference engine for gigabytes (a huge context sizing RoPE tables
# and KV caches, head_dim / layer / vocab sizes the weights do not have, a BERT whose position
# table makes the forward scratch huge) get a clear 400 from an anonymous call, with hubd's RSS
# (/proc/PID/status) barely moving; a generation allowed a long context only costs the KV
# cache of the tokens it reaches; and model snapshots (data/cache/models) of models no longer
# loaded are removed (HUBD_MODEL_SNAPSHOT_MB). Real git + git-lfs pushes of the real
# TinyStories Llama (shared/models/stories260K) with rewritten configs.
HUBD=$(realpath "${1:?usage: security_engine_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STORIES=${HUBD_SHARED_DIR:-$ROOT/../shared}/models/stories260K
if [ ! -f "$STORIES/model.safetensors" ]; then
  echo "SKIPPED: $STORIES is absent (the real model files exist only in the hubd workplace)"; exit 0
fi
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null

# variant NAME 'PYTHON EXPR ON c' : stories260K with its config.json edited by the expression.
variant() {
  mkdir -p "$E2E_TMP/$1"
  cp "$STORIES"/{config.json,generation_config.json,model.safetensors,tokenizer.json,tokenizer_config.json} "$E2E_TMP/$1/"
  printf -- '---\nlibrary_name: transformers\npipeline_tag: text-generation\n---\nA model.\n' > "$E2E_TMP/$1/README.md"
  python3 - "$E2E_TMP/$1/config.json" "$2" <<'PY'
import json, sys
p, edit = sys.argv[1], sys.argv[2]
c = json.load(open(p))
exec(edit)
json.dump(c, open(p, "w"), indent=1)
PY
}
variant ctx-bomb 'c["max_position_embeddings"] = 1 << 22'      # 4M positions: GBs of RoPE + KV
variant ctx-absurd 'c["max_position_embeddings"] = 1 << 30'
variant headdim-bomb 'c["head_dim"] = 4096'                    # the weights say 8
variant layers-lie 'c["num_hidden_layers"] = 1000'             # the weights hold 5
variant vocab-lie 'c["vocab_size"] = 1 << 24'
variant negative 'c["hidden_size"] = -64'
variant long-ctx 'c["max_position_embeddings"] = 65536'         # legitimate, and within budget
variant snap-a 'pass'
variant snap-b 'c["rms_norm_eps"] = 1e-6'                       # a different commit, same size
# A BERT whose (real, small) position table claims 1M positions: the forward scratch of a
# batch at that length is what would be allocated.
mkdir -p "$E2E_TMP/bert-bomb"
python3 - "$E2E_TMP/bert-bomb" <<'PY'
import json, struct, sys
d = sys.argv[1]
V, H, I, P = 32, 8, 32, 1 << 20
shapes = {"embeddings.word_embeddings.weight": [V, H], "embeddings.position_embeddings.weight": [P, H],
          "embeddings.token_type_embeddings.weight": [2, H], "embeddings.LayerNorm.weight": [H],
          "embeddings.LayerNorm.bias": [H]}
l = "encoder.layer.0."
for n in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
    shapes[l + n + ".weight"], shapes[l + n + ".bias"] = [H, H], [H]
shapes[l + "intermediate.dense.weight"], shapes[l + "intermediate.dense.bias"] = [I, H], [I]
shapes[l + "output.dense.weight"], shapes[l + "output.dense.bias"] = [H, I], [H]
for n in ["attention.output.LayerNorm", "output.LayerNorm"]:
    shapes[l + n + ".weight"], shapes[l + n + ".bias"] = [H], [H]
header, off = {}, 0
for k, s in shapes.items():
    n = 1
    for x in s: n *= x
    header[k] = {"dtype": "F16", "shape": s, "data_offsets": [off, off + 2 * n]}
    off += 2 * n
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
with open(d + "/model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    f.write(b"\0" * off)
json.dump({"model_type": "bert", "architectures": ["BertModel"], "vocab_size": V, "hidden_size": H,
           "intermediate_size": I, "num_hidden_layers": 1, "num_attention_heads": 1,
           "max_position_embeddings": P, "type_vocab_size": 2}, open(d + "/config.json", "w"))
open(d + "/README.md", "w").write("---\nlibrary_name: transformers\npipeline_tag: feature-extraction\n---\nBERT.\n")
PY

start_hubd "$E2E_TMP/data"
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN")
push_model() {  # push_model NAME DIR
  curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d "{\"name\":\"$1\"}" >/dev/null
  git clone -q "http://x:$ADMIN_TOKEN@$HOSTPORT/admin/$1" "$E2E_TMP/w-$1" 2>/dev/null
  cp "$2"/* "$E2E_TMP/w-$1/" && git -C "$E2E_TMP/w-$1" add -A && git -C "$E2E_TMP/w-$1" commit -qm model &&
    git -C "$E2E_TMP/w-$1" push -q origin main
}
for m in ctx-bomb ctx-absurd headdim-bomb layers-lie vocab-lie negative long-ctx snap-a snap-b bert-bomb; do
  push_model "$m" "$E2E_TMP/$m"
done
check "the weights travelled through LFS" bash -c "git -C '$E2E_TMP/w-ctx-bomb' lfs ls-files | grep -q model.safetensors"

rss_kb() { awk "/^$1:/ {print \$2}" "/proc/$HUBD_PID/status"; }
reset_peak() { echo 5 > "/proc/$HUBD_PID/clear_refs" 2>/dev/null || true; }
# attack NAME 'ERROR PATTERN' [BODY]: an anonymous inference call (waiting for the load) is a
# 400 whose X-Error-Message and {"error"} name the reason, and hubd's peak RSS grows < 50 MB.
attack() {
  local name=$1 pattern=$2 body=${3:-'{"inputs":"Once upon a time"}'}
  local before peak
  before=$(rss_kb VmRSS); reset_peak
  http POST "/models/admin/$name" -H 'X-Wait-For-Model: true' -d "$body"
  peak=$(rss_kb VmHWM)
  local msg
  msg=$(grep -i '^x-error-message:' <<<"$HEADERS" | tr -d '\r' | cut -d' ' -f2-)
  echo "$name: $STATUS $msg (peak RSS +$((peak - before)) kB)"
  check "$name: anonymous call refused with 400" test "$STATUS" = 400
  check "$name: X-Error-Message and {error} say why (/$pattern/)" bash -c \
    'grep -Eq -- "$2" <<<"$0" && jq -e --arg p "$2" ".error|test(\$p)" <<<"$1" >/dev/null' "$msg" "$BODY" "$pattern"
  check "$name: hubd peak RSS grew < 50 MB ($((peak - before)) kB)" test $((peak - before)) -lt 51200
  check "$name: the server still answers" healthy
}
attack ctx-bomb "needs about [0-9]+ MiB .*KV cache [0-9]+ MiB for 8 slots of 4194304 positions.*memory budget \\(4096 MiB"
attack ctx-absurd "max_position_embeddings' = 1073741824 is out of range"
attack headdim-bomb "q_proj.weight' has shape \\[64, 64\\], config implies \\[32768, 64\\]"
attack layers-lie "missing weight 'model.layers.999"
attack vocab-lie "embed_tokens.weight' has shape \\[512, 64\\], config implies \\[16777216, 64\\]"
attack negative "hidden_size' = -64 is out of range"
attack bert-bomb "needs about [0-9]+ MiB .*scratch [0-9]+ MiB" '{"inputs":"hello"}'
http GET /api/models/admin/ctx-bomb
check "the refused model's page still renders its repo info" test "$STATUS" = 200

# A legitimate long context (65536 positions, ~700 MB of KV cache for 8 slots counted in the
# estimate, within the default 4096 MiB): loads; a request may ask for most of the context,
# but its KV cache grows with the tokens it reaches instead of being allocated up front.
http POST /models/admin/long-ctx -H 'X-Wait-For-Model: true' -d '{"inputs":"Once upon a time","parameters":{"max_new_tokens":8}}'
check "long-ctx: a model whose estimate fits loads and generates (200)" test "$STATUS" = 200
expect_error 400 "max_new_tokens past the context is refused" POST /models/admin/long-ctx -d '{"inputs":"Once","parameters":{"max_new_tokens":1000000000000}}'
check "(the refusal names the context)" bash -c 'jq -e ".error|test(\"must be <= 65536\")" <<<"$0" >/dev/null' "$BODY"
BEFORE=$(rss_kb VmRSS); reset_peak
timeout 3 curl -sN -X POST "$URL/models/admin/long-ctx" -d '{"inputs":"Once upon a time","stream":true,"parameters":{"max_new_tokens":65000}}' > "$E2E_TMP/long.sse"
PEAK=$(rss_kb VmHWM)
NTOK=$(grep -c '^data:' "$E2E_TMP/long.sse")
echo "long-ctx: $NTOK tokens streamed in 3 s with max_new_tokens 65000; peak RSS +$((PEAK - BEFORE)) kB"
check "long-ctx: the stream produced tokens ($NTOK)" test "$NTOK" -gt 0
# Sized up front, 65000 positions x 5 layers x 2 x 32 floats would be 83 MB.
check "long-ctx: max_new_tokens 65000 costs only the tokens reached (peak +$((PEAK - BEFORE)) kB < 50 MB)" test $((PEAK - BEFORE)) -lt 51200
check "long-ctx: the server still answers after the client left" healthy

# Snapshots: with a budget that holds one of these models and HUBD_MODEL_SNAPSHOT_MB=0, the
# snapshot of a model evicted from memory is deleted; the loaded one's stays.
stop_hubd
snapshots() { find "$E2E_TMP/data/cache/models" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | sort; }
gone() { [ -n "$1" ] && [ "$(wc -l <<<"$1")" = 1 ] && [ ! -e "$1" ]; }  # gone DIR: one dir, now absent
echo "snapshots left by the first server: $(snapshots | wc -l)"
HUBD_MODEL_MEMORY_MB=16 HUBD_MODEL_SNAPSHOT_MB=0 start_hubd "$E2E_TMP/data"
http POST /models/admin/snap-a -H 'X-Wait-For-Model: true' -d '{"inputs":"Zoo","parameters":{"max_new_tokens":4}}'
check "snap-a loads under a 16 MiB budget" test "$STATUS" = 200
SNAP_A=$(snapshots)
check "exactly one snapshot remains: snap-a's, in use (older unused ones were trimmed)" test "$(wc -l <<<"$SNAP_A")" = 1 -a -n "$SNAP_A"
http POST /models/admin/snap-b -H 'X-Wait-For-Model: true' -d '{"inputs":"Zoo","parameters":{"max_new_tokens":4}}'
check "snap-b loads (evicting snap-a from the model cache)" test "$STATUS" = 200
SNAP_B=$(snapshots)
check "snap-a's snapshot is gone once its model was evicted ($SNAP_A)" gone "$SNAP_A"
check "only snap-b's snapshot remains" test "$(wc -l <<<"$SNAP_B")" = 1 -a "$SNAP_B" != "$SNAP_A"
http POST /models/admin/snap-a -H 'X-Wait-For-Model: true' -d '{"inputs":"Zoo","parameters":{"max_new_tokens":4}}'
check "snap-a loads again (its snapshot rebuilt)" test "$STATUS" = 200
check "and snap-b's snapshot went when snap-a evicted it" gone "$SNAP_B"
finish
