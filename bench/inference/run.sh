#!/bin/sh
# Encoder benchmark: hubd vs PyTorch (torch.set_num_threads(2)) on random BERT-base- and
# MiniLM-L6-shaped models, batch 1 and 8, seq 128; achieved GFLOP/s vs the OpenBLAS SGEMM
# peak measured in the same run (times: best of N runs on both sides, over ROUNDS rounds).
# Usage: bench/inference/run.sh BUILD_DIR   (HUBD_BENCH_THREADS=2, HUBD_BENCH_ROUNDS=3)
# BUILD_DIR must have the inference libraries built (target hub_inference_layers).
set -eu
BUILD=${1:?usage: run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
THREADS=${HUBD_BENCH_THREADS:-2}
BIN="$BUILD/bench/inference/encoder_bench"
mkdir -p "$BUILD/bench/inference"
# bench/ is not part of the CMake tree: compile the driver against the built libraries.
I="$BUILD/src/inference"
g++ -std=c++2b -O3 -march=native -DNDEBUG -I"$ROOT/src" "$HERE/encoder_bench.cpp" -o "$BIN" \
  "$I/layers/libhub_inference_layers.a" "$I/ops/libhub_inference_ops.a" \
  "$I/tensor/libhub_inference_tensor.a" "$BUILD/src/core/libhub_core.a" \
  -lopenblas -lboost_json -lcrypto -lpthread
# Alternate the two sides for ROUNDS rounds and keep each case's best: on a shared machine
# this evens out load that hits one side's run but not the other's.
ROUNDS=${HUBD_BENCH_ROUNDS:-3}
: > "$BUILD/bench/inference/hubd.txt"
: > "$BUILD/bench/inference/torch.txt"
for _ in $(seq "$ROUNDS"); do
  "$BIN" "$THREADS" >> "$BUILD/bench/inference/hubd.txt"
  /usr/bin/python3 "$HERE/torch_encoder.py" "$THREADS" >> "$BUILD/bench/inference/torch.txt"
done
/usr/bin/python3 - "$BUILD/bench/inference/hubd.txt" "$BUILD/bench/inference/torch.txt" <<'PY'
import sys
def cases(path):
    out, peak = {}, 0.0
    for line in open(path):
        f = line.split()
        if f[0] == "CASE":
            kv = dict(x.split("=") for x in f[2:])
            key = (f[1], kv["batch"])
            if key not in out or float(kv["ms"]) < float(out[key]["ms"]):
                out[key] = kv
        elif f[0] == "SGEMM_PEAK":
            peak = max(peak, float(f[1].split("=")[1]))
    return out, peak
h, peak = cases(sys.argv[1])
t, _ = cases(sys.argv[2])
print("%-10s %5s %10s %10s %8s %9s %8s %12s" % ("model", "batch", "hubd ms", "torch ms", "speedup", "GFLOP/s", "% peak", "GEMM-only ms"))
for k in h:
    hm, tm = float(h[k]["ms"]), float(t[k]["ms"])
    g = float(h[k]["gflops"])
    print("%-10s %5s %10.2f %10.2f %7.2fx %9.1f %7.0f%% %12s" % (k[0], k[1], hm, tm, tm / hm, g, 100 * g / peak, h[k]["gemm_ms"]))
print("OpenBLAS SGEMM peak (same run): %.1f GFLOP/s" % peak)
PY
