#!/bin/sh
# Decode benchmark: hubd's Llama decoder vs PyTorch (same f32 weights, KV cache on both
# sides, same thread count) on stories260K (shared/models) and a random Llama-shaped model
# (hidden 1024, 8 layers, GQA 16/4 heads, ~107M params, 428 MB f32: decode is memory-bound).
# Prefill = PROMPT tokens at once; decode = N greedy one-token steps; best of 3 per side;
# "/b8" rows: 8 sequences decoded together (hubd forward_step, torch batched tensors).
# "8 concurrent streams" rows (engine_bench.cpp): 8 greedy generations submitted at once to the
# continuous-batching GenerationEngine vs the same 8 run one after the other with generate().
# Usage: bench/generation/run.sh BUILD_DIR   (HUBD_BENCH_THREADS=2, HUBD_BENCH_N=128)
# BUILD_DIR must have hub_inference_runtime built (it pulls in models and pipelines).
set -eu
BUILD=${1:?usage: run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
THREADS=${HUBD_BENCH_THREADS:-2}
N=${HUBD_BENCH_N:-128}
OUT="$BUILD/bench/generation"
mkdir -p "$OUT"
I="$BUILD/src/inference"
# bench/ is not part of the CMake tree: compile the driver against the built libraries.
g++ -std=c++2b -O3 -march=native -DNDEBUG -I"$ROOT/src" "$HERE/decode_bench.cpp" -o "$OUT/decode_bench" \
  "$I/models/libhub_inference_models.a" "$I/layers/libhub_inference_layers.a" \
  "$I/safetensors/libhub_inference_safetensors.a" "$I/ops/libhub_inference_ops.a" \
  "$I/tensor/libhub_inference_tensor.a" "$I/tokenizers/libhub_tokenizers.a" "$BUILD/src/core/libhub_core.a" \
  -lopenblas -lpcre2-8 -lutf8proc -lboost_json -lcrypto -lpthread
g++ -std=c++2b -O3 -march=native -DNDEBUG -I"$ROOT/src" "$HERE/engine_bench.cpp" -o "$OUT/engine_bench" \
  "$I/runtime/libhub_inference_runtime.a" "$I/pipelines/libhub_inference_pipelines.a" \
  "$I/models/libhub_inference_models.a" "$I/layers/libhub_inference_layers.a" \
  "$I/safetensors/libhub_inference_safetensors.a" "$I/ops/libhub_inference_ops.a" \
  "$I/tensor/libhub_inference_tensor.a" "$I/tokenizers/libhub_tokenizers.a" "$BUILD/src/core/libhub_core.a" \
  -lopenblas -lpcre2-8 -lutf8proc -lboost_json -lcrypto -lpthread
STORIES=${HUBD_SHARED_DIR:-$ROOT/../shared}/models/stories260K
RAND="$OUT/llama_rand"
[ -f "$RAND/model.safetensors" ] || /usr/bin/python3 "$HERE/make_random_llama.py" "$RAND" 1024 8 16 4 2816 8192
# The same shape stored BF16, as most real checkpoints are: hubd keeps the weights bf16 (half the
# bytes per decode step); torch runs both its bf16 and its f32 path and the faster is the anchor.
RAND_BF16="$OUT/llama_rand_bf16"
[ -f "$RAND_BF16/model.safetensors" ] || /usr/bin/python3 "$HERE/make_random_llama.py" "$RAND_BF16" 1024 8 16 4 2816 8192 bf16
# The issue's sizes: GPT-2 small (124M: 768 x 12 layers, 12 heads, vocab 50257) and a
# Llama-1B shape (TinyLlama 1.1B: 2048 x 22 layers, GQA 32/4 heads, intermediate 5632, vocab
# 32000; 4.4 GB f32). Written once into BUILD_DIR; BIG=0 skips them (the 1B one needs ~10 GB RAM).
BIG=${BIG:-1}
NBIG=${HUBD_BENCH_N_BIG:-32}
G2="$OUT/gpt2_small"
L1B="$OUT/llama_1b"
if [ "$BIG" = 1 ]; then
  [ -f "$G2/model.safetensors" ] || /usr/bin/python3 "$HERE/make_random_gpt2.py" "$G2" 768 12 12 50257 1024
  [ -f "$L1B/model.safetensors" ] || /usr/bin/python3 "$HERE/make_random_llama.py" "$L1B" 2048 22 32 4 5632 32000
  L1B_BF16="$OUT/llama_1b_bf16"
  [ -f "$L1B_BF16/model.safetensors" ] || /usr/bin/python3 "$HERE/make_random_llama.py" "$L1B_BF16" 2048 22 32 4 5632 32000 bf16
fi
: > "$OUT/results.txt"
# name dir prompt-tokens decode-steps run-the-8-streams-engine-bench [torch dtype]
for spec in "stories260K $STORIES 32 $N 1" "llama-107M $RAND 128 $N 1" "llama-107M-bf16 $RAND_BF16 128 $N 0 bf16" \
            "gpt2-124M $G2 128 $N 1" "llama-1.1B $L1B 128 $NBIG 0" "llama-1.1B-bf16 ${L1B_BF16:-none} 128 $NBIG 0 bf16"; do
  set -- $spec
  [ -f "$2/model.safetensors" ] || { echo "skip $1: $2 absent"; continue; }
  "$OUT/decode_bench" "$1" "$2" "$THREADS" "$3" "$4" membw | sed 's/^CASE/HUBD/' >> "$OUT/results.txt"
  /usr/bin/python3 "$HERE/torch_decode.py" "$1" "$2" "$THREADS" "$3" "$4" "${6:-f32}" | sed 's/^CASE/TORCH/' >> "$OUT/results.txt"
  [ "$5" = 1 ] && "$OUT/engine_bench" "$1" "$2" "$THREADS" "$3" "$4" >> "$OUT/results.txt"
done
/usr/bin/python3 - "$OUT/results.txt" <<'PY'
import sys
rows, membw, streams = {}, 0.0, {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "STREAMS":
        streams[f[1]] = dict(x.split("=") for x in f[2:])
        continue
    if f[0] == "MEMBW":
        membw = max(membw, float(f[1].split("=")[1]))
        continue
    rows.setdefault(f[1], {})[f[0]] = dict(x.split("=") for x in f[2:])
print("%-18s %12s %12s %8s %12s %12s %8s %s" % ("model", "hubd dec/s", "torch dec/s", "ratio",
      "hubd pre/s", "torch pre/s", "ratio", "same greedy ids (torch dtype)"))
for m, r in rows.items():
    h, t = r["HUBD"], r["TORCH"]
    hd, td = float(h["decode_tok_s"]), float(t["decode_tok_s"])
    hp, tp = float(h["prefill_tok_s"]), float(t["prefill_tok_s"])
    # Weight bytes read per second: one pass over the weights per step (per B tokens).
    bw = float(h["weights_mb"]) * hd / 1e3 / (8 if m.endswith("/b8") else 1)
    print("%-18s %12.1f %12.1f %7.2fx %12.1f %12.1f %7s %s (%s)  (hubd decode streams %.1f GB/s of weights)" % (
        m, hd, td, hd / td, hp, tp, "%.2fx" % (hp / tp) if tp else "-", h["ids"] == t["ids"],
        t.get("torch_dtype", "f32"), bw))
print("machine read bandwidth (threaded sum over 512 MB, same run): %.1f GB/s" % membw)
print()
print("8 concurrent streams, aggregate generated tokens/s (wall time incl. prefill; steady = all 8 decoding)")
print("%-15s %12s %12s %12s %9s %12s %9s %s" % ("model", "engine", "steady", "8 sequential", "ratio",
      "torch b8 dec", "steady/torch", "same ids as sequential"))
for m, s in streams.items():
    e, st, q = float(s["engine_tok_s"]), float(s["engine_steady_tok_s"]), float(s["sequential_tok_s"])
    t = float(rows.get(m + "/b8", {}).get("TORCH", {}).get("decode_tok_s", "nan"))
    print("%-15s %12.1f %12.1f %12.1f %8.2fx %12.1f %11.2fx %s" % (m, e, st, q, e / q, t, st / t, s["same_ids"]))
PY
