#!/usr/bin/env bash
# Issue 7 end to end, the encoder tasks beyond text-classification: token-classification,
# question-answering, fill-mask, zero-shot-classification, feature-extraction and
# sentence-similarity (a sentence-transformers repo). Tiny random BERTs made with python3-torch
# (inference_tasks_ref.py, which also computes the reference answers with transformers'
# post-processing re-stated in torch) are pushed with git + LFS to one hubd; every case goes
# over HTTP (curl) and a subset through the real @huggingface/inference client. Scores within
# 1e-4; labels, words, spans, tokens exact. Malformed bodies per task: 400 with a message.
HUBD=$(realpath "${1:?usage: inference_tasks_test.sh path/to/hubd}")
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "SKIPPED: /usr/bin/python3 cannot import torch (python3-torch): no model can be made"; exit 0
fi
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 HOME="$E2E_TMP/home"
mkdir -p "$HOME" && git config --global user.name E2E && git config --global user.email e2e@example.com
git lfs install --skip-repo >/dev/null  # HOME is private to the test: its global config needs the LFS filters

KINDS="tok qa mlm nli st"
M="$E2E_TMP/models"
mkdir -p "$M"
for k in $KINDS; do /usr/bin/python3 "$ROOT/tests/e2e/inference_tasks_ref.py" "$M" "$k" & done
wait
for k in $KINDS; do [ -f "$M/$k.cases.json" ] || { echo "FAIL: reference for $k was not made"; exit 1; }; done

start_hubd "$E2E_TMP/data"
AUTH=(-H "Authorization: Bearer $ADMIN_TOKEN")
push_model() {  # push_model NAME DIR
  curl -sf "${AUTH[@]}" -X POST "$URL/api/repos/create" -d "{\"name\":\"$1\"}" >/dev/null
  local w="$E2E_TMP/w-$1"
  git clone -q "http://x:$ADMIN_TOKEN@$HOSTPORT/admin/$1" "$w" 2>/dev/null
  cp -r "$2"/. "$w/" && git -C "$w" add -A && git -C "$w" commit -qm "model $1" && git -C "$w" push -q origin main
}
PUSHES=()
for r in tok qa mlm nli nli2 st plain; do push_model "$r" "$M/$r" & PUSHES+=($!); done
wait "${PUSHES[@]}"  # not a bare wait: hubd is a child too
check "the weights travelled through LFS" bash -c "git -C '$E2E_TMP/w-qa' lfs ls-files | grep -q model.safetensors"
for r in nli st; do
  check "$r: pipeline_tag from the card" test "$(curl -s "$URL/api/models/admin/$r" | jq -r .pipeline_tag)" = \
    "$([ $r = nli ] && echo zero-shot-classification || echo sentence-similarity)"
done

# Load every model once (the first call may find it cold: wait for it).
for r in tok qa mlm nli nli2 st plain; do
  http POST "/models/admin/$r" -H 'X-Wait-For-Model: true' -d '{"inputs":"warm up"}'
done

# compare GOT_FILE EXPECT_JSON: same structure, numbers within 1e-4 (ints exact), strings exact.
COMPARE='
import json, sys
DELTA = [0.0]  # the largest score difference seen, reported in each PASS line
def same(a, b, path="$"):
    if isinstance(b, bool) or isinstance(a, bool):
        return (a == b, path)
    if isinstance(b, (int, float)) and isinstance(a, (int, float)):
        if isinstance(b, int) and isinstance(a, int):
            return (a == b, path)
        DELTA[0] = max(DELTA[0], abs(a - b))
        return (abs(a - b) <= 1e-4, path)
    if isinstance(b, list):
        if not isinstance(a, list) or len(a) != len(b):
            return (False, path + " (length)")
        for i, (x, y) in enumerate(zip(a, b)):
            ok, p = same(x, y, "%s[%d]" % (path, i))
            if not ok:
                return (False, p)
        return (True, path)
    if isinstance(b, dict):
        if not isinstance(a, dict) or set(a) != set(b):
            return (False, path + " (keys)")
        for k in b:
            ok, p = same(a[k], b[k], path + "." + k)
            if not ok:
                return (False, p)
        return (True, path)
    return (a == b, path)
'
# run_http_cases CASES_JSON: every "http" case -> one check.
run_http_cases() {
  python3 - "$1" "$URL" "$ADMIN_TOKEN" "$E2E_TMP" <<PY
$COMPARE
import subprocess
cases = json.load(open(sys.argv[1]))["http"]
url, token, tmp = sys.argv[2:5]
for c in cases:
    body = json.dumps(c["body"])
    r = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-X", "POST", "-H", "Authorization: Bearer " + token,
                        "-H", "Content-Type: application/json", "--data-binary", "@-",
                        "%s/models/admin/%s%s" % (url, c["repo"], c["route"])],
                       input=body.encode(), capture_output=True)
    out, _, code = r.stdout.decode().rpartition("\n")
    try:
        got = json.loads(out)
    except ValueError:
        got = None
    DELTA[0] = 0.0
    ok, where = same(got, c["expect"]) if code == "200" else (False, "HTTP " + code)
    print(("PASS: " if ok else "FAIL: ") + "HTTP " + c["name"] + (" (max |score diff| %.1e)" % DELTA[0] if ok else " -- differs at %s\n  got:  %s\n  want: %s" % (where, out[:1500], json.dumps(c["expect"])[:1500])))
PY
}
tally() {  # counts the PASS/FAIL lines of a case runner into lib.sh's totals
  local out; out=$("$@"); echo "$out"
  PASSES=$((PASSES + $(grep -c '^PASS: ' <<<"$out"))); FAILS=$((FAILS + $(grep -c '^FAIL: ' <<<"$out")))
}
for k in $KINDS; do tally run_http_cases "$M/$k.cases.json"; done

# The real JS client, every "js" case in one node process.
JS_CASES=()
for k in $KINDS; do JS_CASES+=("$M/$k.cases.json"); done
node "$ROOT/tests/e2e/inference_tasks_client.mjs" "$URL" "$ADMIN_TOKEN" admin "${JS_CASES[@]}" > "$E2E_TMP/js.json" 2>"$E2E_TMP/js.err"
check "the @huggingface/inference client ran" test -s "$E2E_TMP/js.json"
js_cases() {
  python3 - "$E2E_TMP/js.json" "${JS_CASES[@]}" <<PY
$COMPARE
got = {r["name"]: r for r in json.load(open(sys.argv[1]))}
for f in sys.argv[2:]:
    for c in json.load(open(f))["js"]:
        r = got.get(c["name"], {"error": "not run"})
        DELTA[0] = 0.0
        ok, where = same(r.get("got"), c["expect"]) if "got" in r else (False, r["error"])
        print(("PASS: " if ok else "FAIL: ") + "@huggingface/inference " + c["name"] + (" (max |score diff| %.1e)" % DELTA[0] if ok else " -- differs at %s\n  got:  %s\n  want: %s" % (where, json.dumps(r)[:1500], json.dumps(c["expect"])[:1500])))
PY
}
[ -s "$E2E_TMP/js.json" ] && tally js_cases || cat "$E2E_TMP/js.err"

# Concurrent sentence embeddings are merged into padded batches by the scheduler: each answer
# must equal the same sentence embedded alone (past the response cache).
for i in $(seq 1 4); do
  curl -s -H 'X-Use-Cache: false' -X POST "$URL/models/admin/st/pipeline/feature-extraction" -d "{\"inputs\":\"sentence number $i is here\"}" > "$E2E_TMP/fe-alone.$i"
done
seq 1 48 | xargs -P 48 -I{} sh -c "i=\$(( ({} % 4) + 1 )); curl -s -D '$E2E_TMP/feh.{}' -o '$E2E_TMP/fe.{}' -H 'X-Use-Cache: false' -X POST '$URL/models/admin/st/pipeline/feature-extraction' -d \"{\\\"inputs\\\":\\\"sentence number \$i is here\\\"}\"; echo \$i > '$E2E_TMP/fe.{}.which'"
check "48 concurrent embeddings each equal their sentence's own (1e-5)" python3 - "$E2E_TMP" <<'PY'
import json, sys, glob
d = sys.argv[1]
alone = {i: json.load(open(f"{d}/fe-alone.{i}")) for i in range(1, 5)}
for w in glob.glob(f"{d}/fe.*.which"):
    got = json.load(open(w[:-len(".which")]))
    want = alone[int(open(w).read())]
    assert len(got) == len(want) and max(abs(a - b) for a, b in zip(got, want)) < 1e-5, w
PY
echo "feature-extraction batch sizes seen: $(grep -hi '^x-compute-batch-size:' "$E2E_TMP"/feh.* | tr -d '\r' | awk '{print $2}' | sort -n | uniq -c | tr '\n' ' ')"

# Malformed bodies, per task: 400 with X-Error-Message and {"error"}, the server keeps serving.
J=(-H 'Content-Type: application/json')
expect_error 400 "zero-shot without candidate_labels" POST /models/admin/nli "${J[@]}" -d '{"inputs":"a cat"}'
expect_error 400 "zero-shot candidate_labels a number" POST /models/admin/nli "${J[@]}" -d '{"inputs":"a cat","parameters":{"candidate_labels":5}}'
expect_error 400 "zero-shot candidate_labels with a non-string" POST /models/admin/nli "${J[@]}" -d '{"inputs":"a cat","parameters":{"candidate_labels":["a",1]}}'
expect_error 400 "zero-shot empty candidate_labels" POST /models/admin/nli "${J[@]}" -d '{"inputs":"a cat","parameters":{"candidate_labels":" , "}}'
expect_error 400 "zero-shot hypothesis_template without {}" POST /models/admin/nli "${J[@]}" -d '{"inputs":"a cat","parameters":{"candidate_labels":["a"],"hypothesis_template":"no slot"}}'
expect_error 400 "zero-shot multi_label not a boolean" POST /models/admin/nli "${J[@]}" -d '{"inputs":"a cat","parameters":{"candidate_labels":["a"],"multi_label":"yes"}}'
expect_error 400 "zero-shot inputs a number list" POST /models/admin/nli "${J[@]}" -d '{"inputs":[1,2],"parameters":{"candidate_labels":["a"]}}'
MANY=$(python3 -c 'import json; print(json.dumps({"inputs": ["a cat"] * 40, "parameters": {"candidate_labels": ["l%d" % i for i in range(30)]}}))')
expect_error 400 "zero-shot with 40 inputs x 30 labels (too many pairs)" POST /models/admin/nli "${J[@]}" -d "$MANY"
expect_error 400 "token-classification unknown aggregation_strategy" POST /models/admin/tok "${J[@]}" -d '{"inputs":"a cat","parameters":{"aggregation_strategy":"most"}}'
expect_error 400 "token-classification ignore_labels not a list" POST /models/admin/tok "${J[@]}" -d '{"inputs":"a cat","parameters":{"ignore_labels":7}}'
expect_error 400 "token-classification inputs an object" POST /models/admin/tok "${J[@]}" -d '{"inputs":{"text":"a"}}'
expect_error 400 "token-classification stride with aggregation none" POST /models/admin/tok "${J[@]}" -d '{"inputs":"a cat","parameters":{"aggregation_strategy":"none","stride":4}}'
expect_error 400 "token-classification stride as long as the model" POST /models/admin/tok "${J[@]}" -d '{"inputs":"a cat","parameters":{"stride":40}}'
expect_error 400 "question-answering inputs a string" POST /models/admin/qa "${J[@]}" -d '{"inputs":"where?"}'
expect_error 400 "question-answering without context" POST /models/admin/qa "${J[@]}" -d '{"inputs":{"question":"where?"}}'
expect_error 400 "question-answering empty question" POST /models/admin/qa "${J[@]}" -d '{"inputs":{"question":"","context":"a cat"}}'
expect_error 400 "question-answering top_k 0" POST /models/admin/qa "${J[@]}" -d '{"inputs":{"question":"who?","context":"a cat"},"parameters":{"top_k":0}}'
expect_error 400 "question-answering doc_stride above max_seq_len" POST /models/admin/qa "${J[@]}" -d '{"inputs":{"question":"who?","context":"a cat"},"parameters":{"doc_stride":1000}}'
expect_error 400 "fill-mask without a mask" POST /models/admin/mlm "${J[@]}" -d '{"inputs":"no mask here"}'
expect_error 400 "fill-mask top_k a string" POST /models/admin/mlm "${J[@]}" -d '{"inputs":"the [MASK]","parameters":{"top_k":"5"}}'
expect_error 400 "fill-mask targets a number" POST /models/admin/mlm "${J[@]}" -d '{"inputs":"the [MASK]","parameters":{"targets":5}}'
expect_error 400 "feature-extraction inputs a number list" POST /models/admin/st/pipeline/feature-extraction "${J[@]}" -d '{"inputs":[1,2]}'
expect_error 400 "sentence-similarity sentences not a list" POST /models/admin/st "${J[@]}" -d '{"inputs":{"source_sentence":"a","sentences":"b"}}'
expect_error 400 "sentence-similarity without source_sentence" POST /models/admin/st "${J[@]}" -d '{"inputs":{"sentences":["b"]}}'
expect_error 400 "zero-shot on a model without a classification head" POST /models/admin/mlm/pipeline/zero-shot-classification "${J[@]}" -d '{"inputs":"a","parameters":{"candidate_labels":["x"]}}'
check "the server is healthy after it all" healthy
finish
