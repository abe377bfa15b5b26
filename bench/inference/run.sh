#!/bin/sh
# Encoder benchmark: hubd vs PyTorch (torch.set_num_threads(2)) and ONNX Runtime (onnxruntime-node,
# intraOpNumThreads 2, on a torch.onnx.export of the torch side's weights) on random BERT-base- and
# MiniLM-L6-shaped models, batch 1 and 8, seq 128; hubd in f32 and, beside it, bf16 (CPUs with
# AVX512-BF16) and int8 (AVX512-VNNI) encoder precision; achieved GFLOP/s vs the FMA peak (a pure-register FMA loop
# on THREADS threads) measured in the same run (times: best of N runs on both sides, over
# ROUNDS rounds).
# Usage: bench/inference/run.sh BUILD_DIR   (HUBD_BENCH_THREADS=2, HUBD_BENCH_ROUNDS=3)
# BUILD_DIR must have the inference libraries built (target hub_inference_layers). The driver is
# built without -march: the kernels pick their CPU level at run time (HUBD_CPU forces one).
# Needs node + npm: onnxruntime-node is installed (once) into bench/inference/node_modules.
set -eu
BUILD=${1:?usage: run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
THREADS=${HUBD_BENCH_THREADS:-2}
BIN="$BUILD/bench/inference/encoder_bench"
mkdir -p "$BUILD/bench/inference"
# ONNX Runtime for node, pinned; --ignore-scripts: the CPU binary for linux-x64 ships in the
# tarball (the install script only fetches optional GPU providers). Idempotent.
ORT_VERSION=1.30.0
if [ "$(node -p "try{require('$HERE/node_modules/onnxruntime-node/package.json').version}catch(e){''}")" != "$ORT_VERSION" ]; then
  npm install --ignore-scripts --no-save --no-audit --no-fund --prefix "$HERE" "onnxruntime-node@$ORT_VERSION"
fi
# The torch side's models and inputs, exported with torch.onnx.export (opset 14, dynamic batch).
ONNX="$BUILD/bench/inference/onnx"
/usr/bin/python3 "$HERE/onnx_export.py" "$ONNX" > "$ONNX.log" 2>&1 || { cat "$ONNX.log"; exit 1; }
# bench/ is not part of the CMake tree: compile the driver against the built libraries.
I="$BUILD/src/inference"
g++ -std=c++2b -O3 -DNDEBUG -I"$ROOT/src" "$HERE/encoder_bench.cpp" -o "$BIN" \
  "$I/layers/libhub_inference_layers.a" "$I/ops/libhub_inference_ops.a" \
  "$I/tensor/libhub_inference_tensor.a" "$BUILD/src/core/libhub_core.a" \
  -lopenblas -lboost_json -lcrypto -lpthread
# Alternate the two sides for ROUNDS rounds and keep each case's best: on a shared machine
# this evens out load that hits one side's run but not the other's.
ROUNDS=${HUBD_BENCH_ROUNDS:-3}
: > "$BUILD/bench/inference/hubd.txt"
: > "$BUILD/bench/inference/torch.txt"
: > "$BUILD/bench/inference/ort.txt"
for _ in $(seq "$ROUNDS"); do
  "$BIN" "$THREADS" >> "$BUILD/bench/inference/hubd.txt"
  /usr/bin/python3 "$HERE/torch_encoder.py" "$THREADS" >> "$BUILD/bench/inference/torch.txt"
  node "$HERE/ort_bench.mjs" "$ONNX" "$THREADS" >> "$BUILD/bench/inference/ort.txt"
done
/usr/bin/python3 - "$BUILD/bench/inference/hubd.txt" "$BUILD/bench/inference/torch.txt" \
  "$BUILD/bench/inference/ort.txt" <<'PY'
import sys
def cases(path):
    out, peak = {}, 0.0
    for line in open(path):
        f = line.split()
        if f[0] == "CASE":
            kv = dict(x.split("=") for x in f[2:])
            key = (f[1], kv["batch"], kv.get("prec", "f32"))
            if key not in out or float(kv["ms"]) < float(out[key]["ms"]):
                out[key] = kv
        elif f[0] in ("SGEMM_PEAK", "FMA_PEAK"):
            peak = max(peak, float(f[1].split("=")[1]))
    return out, peak
h, peak = cases(sys.argv[1])
t, _ = cases(sys.argv[2])
o, _ = cases(sys.argv[3])
# speedup = torch ms / hubd ms; vs ORT = ORT ms / hubd ms (>= 1.00x: hubd no slower than ORT;
# torch and ORT run f32 in every row). ORT max|diff| = its output against the torch forward on
# the same weights (export sanity check). % peak: of the f32 FMA peak (bf16 doubles that).
print("%-10s %5s %5s %10s %10s %10s %8s %8s %9s %8s %12s %12s" % ("model", "batch", "prec", "hubd ms", "torch ms",
      "ORT ms", "speedup", "vs ORT", "GFLOP/s", "% peak", "GEMM-only ms", "ORT max|diff|"))
for k in sorted(h, key=lambda k: (k[0], int(k[1]), k[2] != "f32")):
    ref = (k[0], k[1], "f32")
    hm, tm, om = float(h[k]["ms"]), float(t[ref]["ms"]), float(o[ref]["ms"])
    g = float(h[k]["gflops"])
    print("%-10s %5s %5s %10.2f %10.2f %10.2f %7.2fx %7.2fx %9.1f %7.0f%% %12s %12s" % (k[0], k[1], k[2], hm, tm, om,
          tm / hm, om / hm, g, 100 * g / peak, h[k]["gemm_ms"], o[ref]["maxdiff"]))
print("FMA peak (same run, all threads): %.1f GFLOP/s" % peak)
PY
